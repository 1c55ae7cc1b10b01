// Secrets at rest with a key root (the ESP32-S3's HMAC peripheral over an
// eFuse key; a key file on the host): a flash dump alone opens nothing.
// Portable: the firmware runs on the host board, in Node and in XS.
import assert from "node:assert/strict";
import { LogStore } from "../../src/core/store/log-store";
import { hmacSha256, utf8 } from "../../src/core/crypto";
import { isOptgateError } from "../../src/core/errors";
import { blankFlash, boot } from "./boot-rig";
import { containsBytes as contains } from "./byte-scan";

const ROOT = new Uint8Array(32).fill(0x5a);
const keyRoot = (root: Uint8Array) => ({ derive: (label: string) => hmacSha256(root, utf8(label)) });
const withRoot = (root = ROOT) => ({ adapt: (board: { keyRoot?: unknown }) => { board.keyRoot = keyRoot(root); } });
const random = { fill(b: Uint8Array) { b.fill(3); } };


function provisioned() {
  const flash = blankFlash();
  const gate = boot(flash, withRoot());
  gate.firmware!.addTechnician("tech1", "correct horse 9");
  gate.console("login tech1");
  gate.console("correct horse 9");
  gate.console("resident add --unit 1-101 --role owner --card 04A1B2C3");
  gate.console("pin set R00001");
  gate.console("482913");
  gate.console("482913");
  gate.settle();
  return { flash, gate };
}

describe("secrets at rest under a key root", () => {
  it("the image holds no PIN key, no audit key and no usable store key", () => {
    const { flash } = provisioned();
    const image = flash.image;
    const derive = keyRoot(ROOT).derive;
    for (const label of ["pin-key", "audit-chain", "audit-sign", "store-key-wrap"]) {
      assert.equal(contains(image, derive(label)), false, `${label} is on flash`);
    }
    // A forger with the dump and the store format: the key area's key opens no sealed record.
    const dump = LogStore.open(copy(flash), { random });
    assert.equal(dump.has("device/pin-key"), false, "the PIN key is derived, never stored");
    const sealed = dump.keys("").filter((k) => dump.isSealed(k));
    assert.ok(sealed.length > 0, "technician accounts and the audit keys are sealed records");
    for (const key of sealed) assert.throws(() => dump.get(key), (e) => isOptgateError(e), `${key} opened without the root`);
    // With the root (the same chip), every sealed record opens.
    const owner = LogStore.open(copy(flash), { random, keyWrap: derive("store-key-wrap") });
    for (const key of sealed) assert.ok(owner.get(key));
  });

  it("the same chip boots it again: the technician logs in and the PIN opens", () => {
    const { flash } = provisioned();
    const again = boot(flash, withRoot());
    assert.match(again.console("login tech1"), /Password/);
    assert.match(again.console("correct horse 9"), /Logged in as tech1/);
    assert.equal(again.keys("1#482913#")?.grant, true);
    assert.deepEqual(again.firmware!.damageLines(), []);
  });

  it("the flash moved to another board (another root): nothing sealed opens, the gate still serves and says why", () => {
    const { flash } = provisioned();
    const other = boot(flash, withRoot(new Uint8Array(32).fill(0x33)));
    assert.ok(other.firmware, "it boots");
    assert.ok(other.exit(), "the exit button releases the strike");
    assert.ok(other.firmware!.damageLines().length > 0, other.firmware!.damageLines().join("; "));
    assert.notEqual(other.keys("1#482913#")?.grant, true, "no PIN opens with another chip's keys");
  });
});

function copy(flash: ReturnType<typeof blankFlash>) {
  const nor = blankFlash(flash.size);
  nor.image.set(flash.image);
  return nor;
}
