// A failed login costs the same for a technician id that exists and one that
// does not, measured in XS computrons (deterministic, so no timing involved)
// over the real store: the known id's sealed account record is decrypted, so
// the unknown one must pay for a decryption too.
import assert from "node:assert/strict";
import { bundleForXs, repoRoot } from "../../tools/xs/bundle";
import { runScriptInXs } from "../../tools/xs/run";

const imports = `import { NorFlash } from "./boards/host/nor-flash";
import { LogStore } from "./src/core/store/log-store";
import { ConsoleAccounts } from "./src/app/console-accounts";
import { Session } from "./src/core/console/session";
import { makeTechnician } from "./src/core/console/technicians";`;
const setup = `let n = 1;
const random = { fill: (b) => { for (let k = 0; k < b.length; k++) b[k] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };
const store = LogStore.open(new NorFlash(64 * 1024), { random });
const accounts = new ConsoleAccounts(store, undefined, { now: () => 0 });
const key = new Uint8Array(32).fill(7);
for (const id of ["installer1", "tech2", "tech3"]) accounts.save(makeTechnician(key, random, id, "password-" + id, "operator"));
const session = new Session({ clock: { now: () => 0 }, deviceKey: key, directory: accounts, policy: { freeAttempts: 1e9 } });
const attempt = (id) => { try { session.login(id, "wrong-password"); } catch (e) { if (e.code !== "E_BAD_LOGIN") throw e; } };`;

async function computrons(ops: string): Promise<number> {
  const script = await bundleForXs("login-cost.ts", { contents: `${imports}\n${setup}\n${ops}`, resolveDir: repoRoot });
  return (await runScriptInXs(script)).meter.compute;
}

describe("console login cost (XS computrons)", function () {
  it("is equal within 2 % for known and unknown technician ids", async () => {
    const base = await computrons("");
    const N = 4;
    const known = ((await computrons(`for (let i = 0; i < ${N}; i++) attempt("tech2");`)) - base) / N;
    const unknown = ((await computrons(`for (let i = 0; i < ${N}; i++) attempt("tech9");`)) - base) / N;
    const shortUnknown = ((await computrons(`for (let i = 0; i < ${N}; i++) attempt("x");`)) - base) / N;
    console.log(`      failed login: known id ${Math.round(known)}, unknown id ${Math.round(unknown)}, short unknown id ${Math.round(shortUnknown)} computrons`);
    assert.ok(known > 10_000, "the measurement sees the password check");
    for (const other of [unknown, shortUnknown]) {
      assert.ok(Math.abs(known - other) / known <= 0.02, `known ${known} vs unknown ${other} computrons`);
    }
  });
});
