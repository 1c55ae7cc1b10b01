// Templates within the consent's scope (portable: Node and XS): the wire
// messages, the consent scope, and a gate opening only what is sealed to it
// for that resident and scope, refusing and auditing everything else.
import assert from "node:assert/strict";
import { OptgateError } from "../../../src/core/errors";
import type { Random } from "../../../src/core/ports";
import { sealKeyPair } from "../../../src/core/sync/gate-seal";
import { keyIdOf } from "../../../src/core/sync/messages";
import {
  GateTemplates, consentScope, decodeShare, decodeSharedTemplate, encodeDelivery, encodeInstalled, encodeSealKeys, encodeShare, encodeSharedTemplate,
  scopeGateIds, verifyShare, type InstallRequest, type InstallResult, type SharedTemplate, type TemplateShare,
} from "../../../src/core/sync/template-share";
import { T0, gateSign, gateSigner, hubSign, hubSigner, otherSigner } from "./fixtures";

let counter = 1;
const random: Random = { fill: (b) => { for (let i = 0; i < b.length; i++) b[i] = (counter++ * 131 + i * 7) & 0xff; } };
const seal1 = sealKeyPair(new Uint8Array(32).fill(1));
const seal2 = sealKeyPair(new Uint8Array(32).fill(2));
const seal3 = sealKeyPair(new Uint8Array(32).fill(3));
const keyId = keyIdOf(hubSigner.publicKey);
const notice = { purpose: "Open the gate by face", method: "On-board model", gates: ["gate-2", "gate-1"], retentionDays: 365 };
const SCOPE = consentScope(notice);
const GRANTED = T0 - 60_000;

const values = () => Int8Array.from({ length: 64 }, (_, i) => ((i * 37) % 255) - 127);
const shared = (): SharedTemplate => ({ model: { id: "test-model", version: 3 }, enrolledAt: T0 - 30_000, template: { dimension: 64, scale: 127, values: values() } });

const gate = (gateId: number, keys = gateId === 1 ? seal1 : gateId === 2 ? seal2 : seal3) =>
  new GateTemplates({ gateId, hubKeys: [hubSigner.publicKey], sign: gateSign, sealKeys: () => keys });
const directory = (to: number, issuedAt = T0, signer = hubSigner) => encodeSealKeys({
  gateId: to, issuedAt, keyId: keyIdOf(signer.publicKey),
  keys: [{ gateId: 1, key: seal1.publicKey }, { gateId: 2, key: seal2.publicKey }, { gateId: 3, key: seal3.publicKey }],
}, (b) => signer.sign(b));

/** Gate 1 shares resident 42's template for gates 1 and 2: the share message, decoded. */
function shareFromGate1(): TemplateShare {
  const g1 = gate(1);
  assert.equal(g1.handleSealKeys(directory(1), T0).ok, true);
  const out = g1.share({ residentId: 42, scope: SCOPE, grantedAt: GRANTED, gates: scopeGateIds(notice), plain: encodeSharedTemplate(shared()) }, random);
  assert.deepEqual([out.sealedTo, out.missing], [[2], []], "not to itself");
  const received = decodeShare(out.message!);
  assert.ok(verifyShare(received, gateSigner.publicKey));
  return received.message as TemplateShare;
}

const deliver = (sealed: Uint8Array, over: Partial<Parameters<typeof encodeDelivery>[0]> = {}, signer = hubSigner) => encodeDelivery({
  gateId: 2, residentId: 42, fromGate: 1, scope: SCOPE, grantedAt: GRANTED, issuedAt: T0, keyId: keyIdOf(signer.publicKey), sealed, ...over,
}, (b) => signer.sign(b));

function recorder(result: InstallResult = "installed") {
  const calls: InstallRequest[] = [];
  const copies: Int8Array[] = [];
  return { calls, copies, port: { install: (r: InstallRequest) => { calls.push(r); copies.push(r.shared.template.values.slice()); return result; } } };
}

describe("template share: the consent's scope", () => {
  it("is the same number for the same terms in any gate order, another for other gates or other text", () => {
    assert.equal(consentScope(notice), consentScope({ ...notice, gates: ["gate-1", "gate-2"] }));
    assert.notEqual(consentScope(notice), consentScope({ ...notice, gates: ["gate-1"] }));
    assert.notEqual(consentScope(notice), consentScope({ ...notice, retentionDays: 364 }));
    assert.notEqual(consentScope(notice), consentScope({ ...notice, purpose: "Open the gate by face." }));
  });

  it("names fleet gates by gate-<n> only", () => {
    assert.deepEqual(scopeGateIds({ ...notice, gates: ["gate-3", "north", "gate-1", "gate-01", "gate-0", "gate-3", "gate-99999999999"] }), [1, 3]);
  });
});

describe("template share: wire", () => {
  it("round-trips the sealed plaintext exactly", () => {
    const back = decodeSharedTemplate(encodeSharedTemplate(shared()));
    assert.deepEqual(back.model, { id: "test-model", version: 3 });
    assert.equal(back.enrolledAt, T0 - 30_000);
    assert.deepEqual(Array.from(back.template.values), Array.from(values()));
    assert.throws(() => decodeSharedTemplate(Uint8Array.from([...encodeSharedTemplate(shared()), 0])), /E_SYNC_MALFORMED/);
  });

  it("round-trips each message and refuses trailing bytes, other magic, unknown types", () => {
    const messages = [
      encodeShare({ gateId: 1, residentId: 42, scope: SCOPE, grantedAt: GRANTED, sealed: [{ gateId: 2, sealed: new Uint8Array(70).fill(9) }] }, gateSign),
      deliver(new Uint8Array(70).fill(9)),
      directory(2),
      encodeInstalled({ gateId: 2, residentId: 42, fromGate: 1, grantedAt: GRANTED, result: "scope", time: T0 }, gateSign),
    ];
    const types = messages.map((m) => decodeShare(m).message.type);
    assert.deepEqual(types, ["share", "deliver", "seal-keys", "installed"]);
    assert.equal((decodeShare(messages[3]).message as { result: string }).result, "scope");
    for (const m of messages) {
      assert.throws(() => decodeShare(Uint8Array.from([...m, 0])), /E_SYNC_MALFORMED/);
      assert.throws(() => decodeShare(m.subarray(0, m.length - 65)), /E_SYNC_MALFORMED/);
    }
    const other = messages[0].slice();
    other[3] = 0x32;
    assert.throws(() => decodeShare(other), /OGF1/);
    other[3] = 0x31;
    other[4] = 9;
    assert.throws(() => decodeShare(other), /unknown/);
    assert.throws(() => encodeShare({ gateId: 1, residentId: 42, scope: SCOPE, grantedAt: GRANTED, sealed: [] }, gateSign), OptgateError);
  });

  it("signs under a tag of its own: a share's signature does not verify under another key", () => {
    const received = decodeShare(directory(2));
    assert.ok(verifyShare(received, hubSigner.publicKey));
    assert.ok(!verifyShare(received, otherSigner.publicKey));
  });
});

describe("template share: the gate", () => {
  it("installs at the gate it was sealed to: the same template, resident, origin and grant", () => {
    const share = shareFromGate1();
    const g2 = gate(2);
    const r = recorder();
    const out = g2.handleDelivery(deliver(share.sealed[0].sealed), T0, r.port);
    assert.equal(out.result, "installed");
    assert.equal(out.audit.kind, "face-enrolled");
    assert.equal(out.audit.detail, "from gate 1");
    assert.equal(r.calls.length, 1);
    assert.deepEqual([r.calls[0].residentId, r.calls[0].fromGate, r.calls[0].scope, r.calls[0].grantedAt], [42, 1, SCOPE, GRANTED]);
    assert.deepEqual(Array.from(r.copies[0]), Array.from(values()));
    const answer = decodeShare(out.answer!);
    assert.ok(verifyShare(answer, gateSigner.publicKey));
    assert.deepEqual(answer.message, { type: "installed", gateId: 2, residentId: 42, fromGate: 1, grantedAt: GRANTED, result: "installed", time: T0 });
    assert.ok(r.calls[0].shared.template.values.every((v) => v === 0), "the clear template is wiped after the install");
  });

  it("refuses, audits and answers a tampered, other-gate, other-resident or other-scope ciphertext without installing", () => {
    const share = shareFromGate1();
    const sealed = share.sealed[0].sealed;
    const flipped = sealed.slice();
    flipped[flipped.length - 20] ^= 1;
    const cases: [string, Uint8Array, GateTemplates][] = [
      ["tampered", deliver(flipped), gate(2)],
      ["sealed to gate 2, delivered to gate 3", deliver(sealed, { gateId: 3 }), gate(3)],
      ["another resident", deliver(sealed, { residentId: 43 }), gate(2)],
      ["a wider scope", deliver(sealed, { scope: consentScope({ ...notice, gates: ["gate-1", "gate-2", "gate-3"] }) }), gate(2)],
      ["gate 2's id but another key pair", deliver(sealed), gate(2, seal3)],
    ];
    for (const [what, message, g] of cases) {
      const r = recorder();
      const out = g.handleDelivery(message, T0, r.port);
      assert.equal(out.result, "seal", what);
      assert.equal(r.calls.length, 0, what);
      assert.equal(out.audit.kind, "sync-refused", what);
      assert.match(out.audit.detail ?? "", /^template seal from 1/, what);
      assert.equal((decodeShare(out.answer!).message as { result: string }).result, "seal", what);
    }
  });

  it("refuses forged, misaddressed, unknown-key, stale and future deliveries without an answer", () => {
    const sealed = shareFromGate1().sealed[0].sealed;
    const forged = deliver(sealed);
    forged[forged.length - 1] ^= 1;
    const cases: [string, Uint8Array, number | undefined][] = [
      ["bad-signature", forged, T0],
      ["wrong-gate", deliver(sealed, { gateId: 3 }), T0],
      ["unknown-key", deliver(sealed, {}, otherSigner), T0],
      ["stale", deliver(sealed, { issuedAt: T0 - 25 * 3600_000 }), T0],
      ["from-future", deliver(sealed, { issuedAt: T0 + 6 * 60_000 }), T0],
      ["malformed", directory(2), T0],
    ];
    for (const [reason, message, now] of cases) {
      const r = recorder();
      const out = gate(2).handleDelivery(message, now, r.port);
      assert.deepEqual([out.refused, out.answer, r.calls.length], [reason, undefined, 0], reason);
      assert.equal(out.audit.detail, `template ${reason}`);
    }
    // An untrusted clock judges no freshness (the version-like rule is the consent ledger's).
    assert.equal(gate(2).handleDelivery(deliver(sealed, { issuedAt: T0 - 25 * 3600_000 }), undefined, recorder().port).result, "installed");
  });

  it("passes on what the install port decided, and audits a refusal", () => {
    const sealed = shareFromGate1().sealed[0].sealed;
    const out = gate(2).handleDelivery(deliver(sealed), T0, recorder("withdrawn").port);
    assert.equal(out.result, "withdrawn");
    assert.equal(out.audit.kind, "sync-refused");
    assert.equal((decodeShare(out.answer!).message as { result: string }).result, "withdrawn");
  });

  it("takes the hub's seal keys only signed, addressed here and newer than those held", () => {
    const g = gate(1);
    assert.equal(g.handleSealKeys(directory(2), T0).ok, false, "addressed to gate 2");
    assert.equal(g.handleSealKeys(directory(1, T0, otherSigner), T0).ok, false, "unknown key");
    assert.equal(g.hasDirectory, false);
    assert.equal(g.handleSealKeys(directory(1, T0), T0).ok, true);
    assert.deepEqual(g.sealKeyOf(2), seal2.publicKey);
    const replay = g.handleSealKeys(directory(1, T0), T0);
    assert.equal(replay.ok, false);
    assert.equal(replay.audit?.detail, "seal keys replay");
  });

  it("seals only to gates with a key, says which lacked one, and makes no message for nobody", () => {
    const g = gate(1);
    g.handleSealKeys(encodeSealKeys({ gateId: 1, issuedAt: T0, keyId, keys: [{ gateId: 2, key: seal2.publicKey }] }, hubSign), T0);
    const plain = encodeSharedTemplate(shared());
    const out = g.share({ residentId: 42, scope: SCOPE, grantedAt: GRANTED, gates: [1, 2, 5], plain }, random);
    assert.deepEqual([out.sealedTo, out.missing], [[2], [5]]);
    assert.ok(plain.every((b) => b === 0), "the clear plaintext is wiped");
    const none = g.share({ residentId: 42, scope: SCOPE, grantedAt: GRANTED, gates: [1], plain: encodeSharedTemplate(shared()) }, random);
    assert.equal(none.message, undefined);
  });
});
