// optgate pin-key: the compound PIN key made at the installer's host (a 0600
// file, never replaced) and sealed to one gate of one compound; what it prints
// opens at that gate only (the console install over a firmware is
// test/app/compound-pin-key.test.ts and test/app/fleet-pins.node.test.ts).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compoundPinKeyFingerprint } from "../../../src/core/access/compound-pin";
import { toHex } from "../../../src/core/crypto";
import { gateSealKeys } from "../../../src/core/sync/gate-seal";
import { fromBase64, openPinKey } from "../../../src/core/sync/pin-key-seal";
import { main, type Io } from "../../../tools/optgate/main";
import { readKeyFile } from "../../../tools/optgate/pin-key";

async function run(args: string[]) {
  const out: string[] = [], err: string[] = [];
  const io: Io = { out: (t) => { out.push(t); }, err: (t) => { err.push(t); }, env: {}, askPassword: () => Promise.reject(new Error("no terminal")), now: () => 0 };
  const code = await main(args, io);
  return { code, out: out.join(""), err: err.join("") };
}

describe("optgate pin-key", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "optgate-pin-key-"));
  const file = path.join(dir, "compound-7.pinkey");
  const gate = gateSealKeys(new Uint8Array(32).fill(0x42));

  it("makes a key file once (0600), shows its fingerprint, never the key, and refuses to replace it", async () => {
    const made = await run(["pin-key", "new", "--key-file", file]);
    assert.equal(made.code, 0, made.err);
    const key = readKeyFile(file);
    assert.match(made.out, new RegExp(`fingerprint ${compoundPinKeyFingerprint(key)}`));
    assert.ok(!made.out.includes(toHex(key)));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = await run(["pin-key", "new", "--key-file", file]);
    assert.equal(again.code, 1);
    assert.match(again.err, /exists: a compound has one key/);
    assert.deepEqual(readKeyFile(file), key);
  });

  it("seals the key to one gate of one compound: it opens there only", async () => {
    const sealed = await run(["pin-key", "seal", "--key-file", file, "--gate", "3", "--compound", "7", "--seal-key", toHex(gate.publicKey)]);
    assert.equal(sealed.code, 0, sealed.err);
    const blob = fromBase64(sealed.out.trim());
    assert.equal(sealed.out.trim().length, 128);
    assert.deepEqual(openPinKey(gate, blob, { gateId: 3, compoundId: 7 }), readKeyFile(file));
    assert.throws(() => openPinKey(gate, blob, { gateId: 4, compoundId: 7 }), /E_SEAL_OPEN/);
    assert.ok(!sealed.out.includes(readFileSync(file, "utf8").split("\n")[1]));
  });

  it("refuses a missing key file option, a bad seal key, a file that is not a key, and unknown steps", async () => {
    assert.equal((await run(["pin-key", "seal", "--gate", "3", "--compound", "7"])).code, 2);
    assert.equal((await run(["pin-key", "rotate", "--key-file", file])).code, 2);
    const bad = await run(["pin-key", "seal", "--key-file", file, "--gate", "3", "--compound", "7", "--seal-key", "abc"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /seal key is 64 hex digits/);
    const notKey = await run(["pin-key", "seal", "--key-file", path.join(dir, "nothing"), "--gate", "3", "--compound", "7", "--seal-key", toHex(gate.publicKey)]);
    assert.equal(notKey.code, 1);
  });
});
