// Technician accounts in the real store: roles survive a restart, accounts
// made before roles (48-byte records) are installers, removal deletes them.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { ConsoleAccounts } from "../../src/app/console-accounts";
import { makeTechnician } from "../../src/core/console/technicians";
import { LogStore } from "../../src/core/store/log-store";

describe("technician accounts in the store", () => {
  let n = 1;
  const random = { fill: (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };
  const key = new Uint8Array(32).fill(9);
  const clock = { now: () => 0 };

  it("keeps roles across a restart; an account from before roles is an installer; removal deletes it", () => {
    const flash = new NorFlash(64 * 1024);
    let store = LogStore.open(flash, { random });
    const accounts = new ConsoleAccounts(store, undefined as never, clock);
    accounts.save(makeTechnician(key, random, "op1", "password-1", "operator"));
    accounts.save(makeTechnician(key, random, "aud1", "password-1", "auditor"));
    const legacy = makeTechnician(key, random, "old1", "password-1", "installer");
    const bytes = new Uint8Array(48);
    bytes.set(legacy.salt);
    bytes.set(legacy.hash, 16);
    store.put("console/tech/old1", bytes, { sealed: true }); // as the firmware wrote it before roles

    store = LogStore.open(flash, { random });
    const again = new ConsoleAccounts(store, undefined as never, clock);
    assert.deepEqual(again.list().sort((a, b) => a.id.localeCompare(b.id)), [
      { id: "aud1", role: "auditor" }, { id: "old1", role: "installer" }, { id: "op1", role: "operator" },
    ]);
    assert.deepEqual(again.find("old1")?.hash, legacy.hash);
    again.remove("op1");
    assert.equal(again.find("op1"), undefined);
    assert.equal(LogStore.open(flash, { random }).has("console/tech/op1"), false);
  });
});
