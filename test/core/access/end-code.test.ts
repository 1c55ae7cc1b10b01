// end-code: a one-time code's every use left gone in ONE registry change (a
// hub-issued code revoked, or used up at another gate), where use-code takes
// one change per use. Appended to the change kinds (never renumbered), decoded
// strictly, exempt from the last-credential rule as use-code is, and never
// accepted from the hub as it is (portable: Node and XS).
import assert from "node:assert/strict";
import { AccessCore } from "../../../src/core/access/access-core";
import { CHANGE_KINDS, decodeChange, encodeChange } from "../../../src/core/access/changes";
import { hashCode } from "../../../src/core/access/secrets";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { isOptgateError } from "../../../src/core/errors";
import { applyToRegistry } from "../../../src/core/sync/registry-apply";
import { at, basePolicy, deviceKey, newRegistry } from "./fixtures";

const CODE = "73910264";
const WED_10 = at("2026-06-03", "10:00");
const hash = () => hashCode(deviceKey, CODE);
const end = () => encodeChange({ kind: "end-code", hash: hash() });
const throwsCode = (code: string, fn: () => unknown) => assert.throws(fn, (e) => isOptgateError(e, code), code);

/** A courier whose only credential is one code with `uses` uses. */
function courier(uses: number) {
  const registry = newRegistry();
  const log: Uint8Array[] = [];
  registry.onChange = (c) => log.push(c);
  const id = registry.addResident({ unit: "B3-1204", role: "courier", groups: 1, validUntil: at("2026-06-10", "00:00"), codes: [{ code: CODE, validUntil: at("2026-06-05", "00:00"), uses }] });
  const core = new AccessCore({ registry, policy: basePolicy(), audit: new AuditLog({ capacity: 64 }) });
  return { registry, id, log, core };
}

describe("end-code: every use of a code gone in one change", () => {
  it("is appended after the kinds before it: their numbers (on flash, on the wire) stay", () => {
    assert.deepEqual(CHANGE_KINDS.slice(0, 18), [
      "meta", "add-resident", "update-resident", "remove-resident", "add-card", "remove-card",
      "set-pin", "clear-pin", "add-code", "remove-code", "use-code", "set-face", "rate-pin",
      "add-sealed-code", "remove-sealed-code", "set-schedule", "set-holidays", "set-compound-pin",
    ]);
    assert.equal(CHANGE_KINDS.indexOf("end-code"), 18);
  });

  it("is the kind byte and the 16-byte hash, nothing else; cut short or longer it is refused", () => {
    const bytes = end();
    assert.deepEqual(Array.from(bytes), [18, ...hash()]);
    assert.deepEqual(decodeChange(bytes), { kind: "end-code", hash: hash() });
    for (let cut = 1; cut < bytes.length; cut++) throwsCode("E_BAD_CHANGE", () => decodeChange(bytes.subarray(0, cut)));
    throwsCode("E_BAD_CHANGE", () => decodeChange(Uint8Array.from([...bytes, 0])));
  });

  it("takes every use left at once, even the visitor's last credential, and the code then refuses as used up", () => {
    const { registry, core } = courier(20);
    assert.equal(registry.findCode(CODE)?.uses, 20);
    registry.apply(end());
    assert.equal(registry.findCode(CODE)?.uses, 0);
    assert.equal(core.decide({ kind: "code", keypad: 1, code: CODE }, WED_10).reason, "code-used-up");
    // Used up, it may go (remove-code alone would have refused: the visitor's last credential).
    registry.apply(encodeChange({ kind: "remove-code", hash: hash() }));
    assert.equal(registry.findCode(CODE), undefined);
  });

  it("without it, removing a live last code is refused: the change is needed", () => {
    const { registry } = courier(3);
    throwsCode("E_LAST_NON_FACE_CREDENTIAL", () => registry.apply(encodeChange({ kind: "remove-code", hash: hash() })));
    assert.equal(registry.findCode(CODE)?.uses, 3);
  });

  it("refuses an unknown code and one already used up, changing nothing", () => {
    const { registry } = courier(2);
    throwsCode("E_UNKNOWN_CODE", () => registry.apply(encodeChange({ kind: "end-code", hash: hashCode(deviceKey, "11112222") })));
    registry.apply(end());
    const before = registry.exportSnapshot();
    throwsCode("E_CODE_USED_UP", () => registry.apply(end()));
    assert.deepEqual(registry.exportSnapshot(), before);
  });

  it("replays from the stored changes to the same registry", () => {
    const { registry, log } = courier(5);
    registry.apply(end());
    const replica = newRegistry();
    for (const change of [...log, end()]) replica.apply(change);
    assert.deepEqual(replica.exportSnapshot(), registry.exportSnapshot());
  });

  it("is the gate's to record: a hub set carrying it is refused whole", () => {
    const { registry } = courier(2);
    throwsCode("E_SYNC_GATE_ONLY", () => applyToRegistry(registry, [end()], false));
    assert.equal(registry.findCode(CODE)?.uses, 2);
  });
});
