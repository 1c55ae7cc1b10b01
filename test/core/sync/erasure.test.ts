// The gate's side of fleet erasure: an order erases once and is receipted;
// forged, misaddressed, stale and replayed orders erase nothing (portable:
// Node and XS).
import assert from "node:assert/strict";
import {
  GateErasures, decodeErasure, encodeEraseOrder, encodeGateErasure, verifyErasure, type EraseOrder, type GateErasure,
} from "../../../src/core/sync/erasure";
import { encodeAck, keyIdOf } from "../../../src/core/sync/messages";
import { GATE, T0, gateSign, gateSigner, hubSigner, otherSigner } from "./fixtures";

const id = (n: number) => new Uint8Array(16).fill(n);

function order(over: Partial<Omit<EraseOrder, "type">> = {}, signer = hubSigner): Uint8Array {
  return encodeEraseOrder({ gateId: GATE, residentId: 42, orderId: id(1), issuedAt: T0, keyId: keyIdOf(signer.publicKey), ...over }, (b) => signer.sign(b));
}

/** A gallery of residents holding templates; counts every erase call. */
function gallery(held: number[]) {
  const templates = new Set(held);
  const calls: number[] = [];
  return { templates, calls, eraseTemplate(residentId: number) { calls.push(residentId); return { held: templates.delete(residentId) }; } };
}

const newErasures = () => new GateErasures({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign });

describe("fleet erasure at the gate", () => {
  it("erases on a hub order and answers with a receipt the hub can verify", () => {
    const g = gallery([42, 43]);
    const out = newErasures().handleOrder(order(), T0 + 1000, g);
    assert.deepEqual([...g.templates], [43]);
    assert.equal(out.erased, true);
    assert.equal(out.audit.kind, "face-erased");
    assert.equal(out.audit.subject, 42);
    const receipt = decodeErasure(out.receipt!);
    assert.equal(verifyErasure(receipt, gateSigner.publicKey), true);
    assert.equal(verifyErasure(receipt, hubSigner.publicKey), false);
    const m = receipt.message as GateErasure;
    assert.deepEqual([m.type, m.gateId, m.residentId, m.held, m.time], ["erase-receipt", GATE, 42, true, T0 + 1000]);
    assert.deepEqual(m.orderId, id(1));
  });

  it("says when no template was held", () => {
    const out = newErasures().handleOrder(order(), T0, gallery([7]));
    assert.equal((decodeErasure(out.receipt!).message as GateErasure).held, false);
  });

  it("a replayed order erases nothing again and resends the first receipt", () => {
    const e = newErasures(), g = gallery([42]);
    const first = e.handleOrder(order(), T0, g);
    g.templates.add(42); // re-enrolled since: a replay must not erase the new consented template
    const again = e.handleOrder(order({ issuedAt: T0 + 5000 }), T0 + 6000, g);
    assert.equal(again.erased, false);
    assert.deepEqual(again.receipt, first.receipt);
    assert.deepEqual(g.calls, [42]);
    assert.ok(g.templates.has(42));
    assert.equal(again.audit.decision, "deny");
  });

  const refusals: [string, () => Uint8Array, number | undefined, string][] = [
    ["signed by an unknown key", () => order({}, otherSigner), T0, "unknown-key"],
    ["forged: the hub's key id, another key's signature", () => order({ keyId: keyIdOf(hubSigner.publicKey) }, otherSigner), T0, "bad-signature"],
    ["addressed to another gate", () => order({ gateId: GATE + 1 }), T0, "wrong-gate"],
    ["stale (issued two days ago)", () => order(), T0 + 48 * 3600_000, "stale"],
    ["from the future", () => order({ issuedAt: T0 + 3600_000 }), T0, "from-future"],
    ["a sync ack, not an order", () => encodeAck({ gateId: GATE, applied: 1, status: "status", about: 1, reason: "none", time: T0 }, (b) => hubSigner.sign(b)), T0, "malformed"],
    ["a gate's receipt sent back as an order", () => encodeGateErasure({ type: "erase-receipt", gateId: GATE, residentId: 42, orderId: id(1), held: true, time: T0 }, (b) => hubSigner.sign(b)), T0, "malformed"],
  ];
  for (const [what, bytes, now, reason] of refusals) {
    it(`refuses an order ${what}, erases nothing and audits it`, () => {
      const g = gallery([42]);
      const out = newErasures().handleOrder(bytes(), now, g);
      assert.equal(out.refused, reason);
      assert.equal(out.receipt, undefined);
      assert.deepEqual(g.calls, []);
      assert.equal(out.audit.kind, "sync-refused");
      assert.equal(out.audit.detail, `erase ${reason}`);
    });
  }

  it("refuses a tampered order (one bit of the resident id)", () => {
    const bytes = order();
    bytes[12] ^= 1;
    const g = gallery([42, 43]);
    assert.equal(newErasures().handleOrder(bytes, T0, g).refused, "bad-signature");
    assert.deepEqual(g.calls, []);
  });

  it("accepts an order while the clock is untrusted (freshness needs a clock)", () => {
    const out = newErasures().handleOrder(order(), undefined, gallery([42]));
    assert.equal(out.erased, true);
    assert.equal((decodeErasure(out.receipt!).message as GateErasure).time, 0);
  });

  it("a withdrawal at the gate erases here, signs a notice, and the hub's fan-out under its id erases nothing again", () => {
    const e = newErasures(), g = gallery([42]);
    const { notice, audit } = e.withdrawHere(42, id(9), T0, g);
    assert.equal(audit.kind, "consent-withdrawn");
    const n = decodeErasure(notice);
    assert.equal(verifyErasure(n, gateSigner.publicKey), true);
    assert.deepEqual([n.message.type, (n.message as GateErasure).held], ["withdrawn", true]);
    const back = e.handleOrder(order({ orderId: id(9) }), T0 + 10, g);
    assert.equal(back.erased, false);
    assert.equal((decodeErasure(back.receipt!).message as GateErasure).held, true);
    assert.deepEqual(g.calls, [42]);
  });

  it("remembers executed orders across a reboot through its kept receipts", () => {
    const g = gallery([42]);
    const before = newErasures();
    before.handleOrder(order(), T0, g);
    const rebooted = new GateErasures({ gateId: GATE, hubKeys: [hubSigner.publicKey], sign: gateSign, receipts: before.receipts() });
    g.templates.add(42);
    const again = rebooted.handleOrder(order({ issuedAt: T0 + 1 }), T0 + 2, g);
    assert.equal(again.erased, false);
    assert.deepEqual(g.calls, [42]);
    assert.throws(() => new GateErasures({ gateId: GATE + 1, hubKeys: [hubSigner.publicKey], sign: gateSign, receipts: before.receipts() }), /not this gate's/);
  });

  it("remembers only the newest orders, oldest forgotten first", () => {
    const e = newErasures(), g = gallery([]);
    for (let n = 0; n < 257; n++) e.handleOrder(order({ orderId: Uint8Array.from({ length: 16 }, (_, i) => (i < 2 ? (n >> (8 * i)) & 0xff : 0)) }), T0, g);
    const kept = e.receipts().map((r) => decodeErasure(r).message.orderId[0] + 256 * decodeErasure(r).message.orderId[1]);
    assert.equal(kept.length, 256);
    assert.deepEqual([kept[0], kept[255]], [1, 256]);
  });

  it("rejects trailing bytes and unknown types as malformed", () => {
    const bytes = order();
    assert.throws(() => decodeErasure(Uint8Array.from([...bytes, 0])), /E_SYNC_MALFORMED|cannot be read/);
    const wrongType = bytes.slice();
    wrongType[4] = 9;
    assert.throws(() => decodeErasure(wrongType), /unknown/);
  });
});
