// The compound PIN key sealed to one gate of one compound, and the PIN report
// a gate signs for the hub (portable: Node and XS).
import assert from "node:assert/strict";
import { encodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { gateSealKeys, seal } from "../../../src/core/sync/gate-seal";
import { applyToRegistry } from "../../../src/core/sync/registry-apply";
import { decodePinReport, encodePinReport, PIN_REPORT_BYTES, verifyPinReport } from "../../../src/core/sync/pin-report";
import { fromBase64, openPinKey, sealPinKey, SEALED_PIN_KEY_BYTES, toBase64 } from "../../../src/core/sync/pin-key-seal";
import { newRegistry, testRandom } from "../access/fixtures";
import { GATE, gateSign, gateSigner, otherSigner } from "./fixtures";

const random = testRandom(31);
const gate = gateSealKeys(Uint8Array.from({ length: 32 }, (_, i) => (i * 5) & 0xff));
const other = gateSealKeys(new Uint8Array(32).fill(3));
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 11 + 1) & 0xff);
const bind = { gateId: GATE, compoundId: 9 };

function throwsCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => isOptgateError(e, code), code);
}

describe("the compound PIN key sealed to a gate", () => {
  it("opens only at its gate, for its compound, unaltered", () => {
    const sealed = sealPinKey(gate.publicKey, KEY, bind, random);
    assert.equal(sealed.length, SEALED_PIN_KEY_BYTES);
    assert.equal(String.fromCharCode(...sealed.subarray(0, 4)), "OGK1");
    assert.deepEqual(openPinKey(gate, sealed, bind), KEY);
    throwsCode(() => openPinKey(other, sealed, bind), "E_SEAL_OPEN");
    throwsCode(() => openPinKey(gate, sealed, { ...bind, gateId: GATE + 1 }), "E_SEAL_OPEN");
    throwsCode(() => openPinKey(gate, sealed, { ...bind, compoundId: 10 }), "E_SEAL_OPEN");
    for (const at of [0, 4, 40, 50, 90]) {
      const bad = sealed.slice();
      bad[at] ^= 1;
      throwsCode(() => openPinKey(gate, bad, bind), "E_SEAL_OPEN");
    }
    throwsCode(() => openPinKey(gate, sealed.subarray(0, 95), bind), "E_BAD_PIN_KEY");
    throwsCode(() => sealPinKey(gate.publicKey, KEY.subarray(0, 31), bind, random), "E_BAD_PIN_KEY");
  });

  it("a template or code seal of the same gate never opens as a PIN key (its own purpose)", () => {
    for (const purpose of ["code", "template"] as const) {
      const sealed = seal(gate.publicKey, KEY, { purpose, gateId: GATE, residentId: 0, scope: 9 }, random);
      throwsCode(() => openPinKey(gate, sealed, bind), "E_SEAL_OPEN");
    }
  });

  it("base64 round-trips every length and refuses anything not strictly base64", () => {
    for (let n = 0; n < 12; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 0xff);
      assert.deepEqual(fromBase64(toBase64(b)), b, `${n} bytes`);
    }
    assert.equal(toBase64(Uint8Array.of(0xfb, 0xff, 0xbf)), "+/+/");
    assert.equal(toBase64(Uint8Array.of(1)), "AQ==");
    for (const bad of ["AQ=", "A Q==", "AQ==AQ==", "AQ*=", "=AQA"]) throwsCode(() => fromBase64(bad), "E_BAD_PIN_KEY");
  });
});

describe("the PIN report (gate to hub)", () => {
  const report = { gateId: GATE, seq: 12, residentId: 42, keyId: 0x1234abcd, salt: Uint8Array.of(1, 2, 3, 4), hash: new Uint8Array(16).fill(9), time: 1_780_000_000_000 };

  it("round-trips, verifies with the gate's key only, and carries no more than the verifier", () => {
    const bytes = encodePinReport(report, gateSign);
    assert.equal(bytes.length, PIN_REPORT_BYTES);
    const received = decodePinReport(bytes);
    assert.deepEqual(received.report, report);
    assert.equal(verifyPinReport(received, gateSigner.publicKey), true);
    assert.equal(verifyPinReport(received, otherSigner.publicKey), false);
    for (const at of [4, 8, 12, 16, 20, 30, 46, bytes.length - 1]) {
      const bad = bytes.slice();
      bad[at] ^= 1;
      assert.equal(verifyPinReport(decodePinReport(bad), gateSigner.publicKey), false, `bit at ${at}`);
    }
  });

  it("refuses a wrong length, magic or key id 0, and a device-key verifier is never reported", () => {
    const bytes = encodePinReport(report, gateSign);
    throwsCode(() => decodePinReport(bytes.subarray(0, bytes.length - 1)), "E_SYNC_MALFORMED");
    const magic = bytes.slice();
    magic[3] = 0x32;
    throwsCode(() => decodePinReport(magic), "E_SYNC_MALFORMED");
    const zero = bytes.slice();
    zero.fill(0, 16, 20);
    throwsCode(() => decodePinReport(zero), "E_SYNC_MALFORMED");
    assert.throws(() => encodePinReport({ ...report, keyId: 0 }, gateSign));
  });

  it("a hub change set carrying set-compound-pin applies at the gate (the hub may send it)", () => {
    const registry = newRegistry();
    const id = registry.addResident({ unit: "A1", role: "owner", groups: 1, cards: [Uint8Array.of(4, 1, 2, 3)] });
    applyToRegistry(registry, [encodeChange({ kind: "set-compound-pin", id, keyId: report.keyId, salt: report.salt, hash: report.hash })], false, () => undefined);
    assert.equal(registry.pinVerifier(id)?.keyId, report.keyId);
  });
});
