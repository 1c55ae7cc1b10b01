// Adversarial tests of the gate's fleet link (docs/sync.md): what someone who
// can publish on a gate's topics (a compromised broker or broker credential)
// or a hostile hub key holder can make the link do. Same broker-model rig as
// fleet-link.test.ts (fleet-link-rig.ts).
// Portable (Node and XS).
import assert from "node:assert/strict";
import { FACE_HOLD_REASON, RETRY_FAILED_MS } from "../../src/app/fleet-link";
import { REFUSALS_AUDITED_PER_HOUR } from "../../src/app/refusal-audit";
import { OUTBOX_LIMIT } from "../../src/app/fleet-outbox";
import { isXs } from "../core/store/helpers";
import { GATE, T, fleetLinkRig, intruder, leafOf, topic } from "./fleet-link-rig";

const rig = () => fleetLinkRig();

/** Connected and past the face hold (the hub answered the first time request). */
function online() {
  const r = rig();
  r.fleet.start();
  r.run(300);
  r.broker.publish(topic("time"), r.grantFor(r.timeRequests().at(-1)!));
  r.run(100);
  assert.equal(r.fleet.state, "online");
  return r;
}

describe("app/fleet-link under attack", () => {
  it("refuses forged change sets, erase orders and time grants (another key, another gate) and changes nothing", () => {
    const r = online();
    const clockCalls = r.calls.length;
    r.broker.publish(topic("sync"), r.changeSet(1, { by: intruder }));
    r.broker.publish(topic("sync"), r.changeSet(1, { gate: GATE + 1 }));
    r.broker.publish(topic("erase"), r.order(41, 1, intruder));
    r.run(100);
    // A new request the intruder answers with its own key.
    r.fleet.stop();
    r.fleet.start();
    r.run(300);
    r.broker.publish(topic("time"), r.grantFor(r.timeRequests().at(-1)!, T + 86_400_000, intruder));
    r.run(100);
    assert.equal(r.sync.applied, 0);
    assert.deepEqual(r.state.applied, []);
    assert.ok(r.state.held.has(41), "template kept");
    assert.deepEqual(r.calls.slice(clockCalls), [], "nothing applied, erased or clocked");
    assert.deepEqual(r.acks().filter((a) => a.status === "refused").map((a) => a.reason), ["unknown-key", "wrong-gate"]);
    assert.ok(r.audit.some((e) => e.kind === "sync-refused" && /erase unknown-key/.test(e.detail ?? "")));
    assert.ok(r.audit.some((e) => e.kind === "sync-refused" && /time: unknown-key/.test(e.detail ?? "")));
    assert.equal(r.fleet.state, "catching-up", "a forged grant does not release the face hold");
    assert.equal(r.state.hold, FACE_HOLD_REASON);
  });

  it("takes a genuine grant only once and only for the newest request: an old nonce and a replay change no clock", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    const first = r.timeRequests().at(-1)!;
    const captured = r.grantFor(first, T + 1000);
    r.cut();
    r.run(500);
    // The gate asked again after reconnecting: the grant for the first nonce is now an old one.
    assert.equal(r.timeRequests().length, 2);
    r.broker.publish(topic("time"), captured);
    r.run(100);
    assert.deepEqual(r.calls.filter((c) => c.startsWith("clock")), []);
    assert.equal(r.fleet.state, "catching-up", "an old grant does not end the face hold");
    const genuine = r.grantFor(r.timeRequests().at(-1)!, T + 2000);
    r.broker.publish(topic("time"), genuine);
    r.broker.publish(topic("time"), genuine);
    r.run(100);
    assert.equal(r.calls.filter((c) => c.startsWith("clock")).length, 1, "once");
    assert.ok(r.audit.some((e) => e.detail === "time: unexpected-time"));
  });

  it("refuses a replayed, reordered or duplicated change set", () => {
    const r = online();
    const v1 = r.changeSet(1), v2 = r.changeSet(2), v3 = r.changeSet(3);
    r.broker.publish(topic("sync"), v2);
    r.broker.publish(topic("sync"), v1);
    r.broker.publish(topic("sync"), v1);
    r.broker.publish(topic("sync"), v3);
    r.broker.publish(topic("sync"), v2);
    r.broker.publish(topic("sync"), v1);
    r.run(200);
    assert.deepEqual(r.state.applied, [1, 2]);
    assert.deepEqual(r.acks().filter((a) => a.status !== "status").map((a) => `${a.status}:${a.reason}`),
      ["refused:gap", "applied:none", "refused:replay", "refused:gap", "applied:none", "refused:replay"]);
  });

  it("ignores a message on its prefix with extra topic levels or on another gate's topic, and still acknowledges it to the broker", () => {
    const r = online();
    const s = r.session();
    s.filters.add(`${topic("sync")}/x`);
    s.filters.add(topic("sync", 120));
    r.broker.publish(`${topic("sync")}/x`, r.changeSet(1));
    r.broker.publish(topic("sync", 120), r.changeSet(1));
    r.run(100);
    assert.equal(r.sync.applied, 0);
    assert.equal(r.fleet.counts.dropped, 2);
    assert.equal(s.inflight.size, 0, "nothing left for the broker to redeliver forever");
  });

  it("keeps the outbox bounded when a captured erase order is replayed over and over to a broker that withholds acknowledgements", () => {
    const r = online();
    r.broker.publish(topic("erase"), r.order(41, 1));
    r.run(100);
    assert.equal(r.sent().filter((l) => l === "erased").length, 1);
    r.withhold(true);
    const captured = r.order(41, 1);
    for (let i = 0; i < 300; i++) {
      r.broker.publish(topic("erase"), captured);
      r.run(20);
    }
    assert.equal(r.calls.filter((c) => c === "erase 41").length, 1, "erased once");
    // The broker comes back to normal: what the gate held for it goes out on the next connection.
    r.withhold(false);
    const before = r.broker.received.length;
    r.cut();
    r.run(2000);
    const receipts = r.broker.received.slice(before).filter((p) => leafOf(p) === "erased").length;
    assert.ok(receipts <= OUTBOX_LIMIT, `${receipts} copies of one receipt were kept for the broker after 300 replays`);
  });

  it("never blocks card or PIN, and releases the face hold when the link goes down, however long the hub stays silent", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    assert.equal(r.state.hold, FACE_HOLD_REASON);
    r.run(120_000, 1000);
    assert.equal(r.state.hold, FACE_HOLD_REASON, "a hub that never answers holds face");
    assert.doesNotMatch(FACE_HOLD_REASON, /card.*(off|blocked)|PIN.*(off|blocked)/i);
    r.cut();
    assert.equal(r.state.hold, undefined, "offline first");
    r.run(1000);
    assert.equal(r.state.hold, FACE_HOLD_REASON, "held again on reconnecting");
    r.fleet.stop();
    assert.equal(r.state.hold, undefined);
  });

  it("holds face through erase orders that arrive before the hub's answer, and executes them before the hold ends", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    r.broker.publish(topic("erase"), r.order(41, 3));
    r.broker.publish(topic("time"), r.grantFor(r.timeRequests().at(-1)!));
    r.run(100);
    assert.deepEqual(r.state.holdAtErase, [FACE_HOLD_REASON], "erased while face was still held");
    assert.equal(r.state.hold, undefined);
  });

  it("a flood of garbage and replays cannot fill the security log: refusals past the hourly allowance are counted in one entry", () => {
    const r = online();
    r.broker.publish(topic("sync"), r.changeSet(1));
    r.broker.publish(topic("erase"), r.order(41, 1));
    r.run(100);
    const start = r.audit.length;
    const replayedSet = r.changeSet(1), replayedOrder = r.order(41, 1);
    // Inside XS each replayed signature costs millions of computrons: a smaller flood, still many times the allowance.
    const flood = isXs ? 400 : 3000;
    for (let i = 0; i < flood; i++) {
      const leaf = ["sync", "erase", "time"][i % 3];
      r.broker.publish(topic(leaf), i % 5 === 0 ? (leaf === "erase" ? replayedOrder : replayedSet) : Uint8Array.of(0x4f, 0x47, i & 0xff, 1, 2, 3));
      if (i % 8 === 7) r.run(10);
    }
    r.run(200);
    const during = r.audit.slice(start);
    assert.ok(during.every((e) => e.kind === "sync-refused"));
    assert.ok(during.length <= REFUSALS_AUDITED_PER_HOUR, `${during.length} security records from ${flood} refused messages`);
    assert.equal(r.sync.applied, 1);
    assert.equal(r.calls.filter((c) => c === "erase 41").length, 1);
    // The hour ends: one entry says how many more were refused.
    r.run(3600_000 - 300, 1000);
    r.run(1000);
    const summary = r.audit.slice(start + during.length);
    assert.equal(summary.length, 1, summary.map((e) => e.detail).join());
    assert.match(summary[0].detail ?? "", new RegExp(`^${flood - during.length} more refused`));
    // A new hour: refusals are audited one by one again.
    r.broker.publish(topic("sync"), Uint8Array.of(1, 2, 3));
    r.run(100);
    assert.equal(r.audit.at(-1)!.detail, "v0 malformed");
  });

  it("keeps face held when an erase order could not be executed (the store refused), even after the hub answers; the order is tried again and then releases it", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    r.state.eraseFails = 1;
    r.broker.publish(topic("erase"), r.order(41, 4));
    r.broker.publish(topic("time"), r.grantFor(r.timeRequests().at(-1)!));
    r.run(100);
    assert.ok(r.state.held.has(41), "the template is still there");
    assert.equal(r.state.hold, FACE_HOLD_REASON, "face must not come back while an erasure is outstanding");
    assert.equal(r.session().inflight.size, 1, "the order is not acknowledged to the broker");
    // A reconnection: the broker's redelivery is a duplicate to the client, so the link itself tries again.
    r.cut();
    r.run(500);
    r.broker.publish(topic("time"), r.grantFor(r.timeRequests().at(-1)!));
    r.run(RETRY_FAILED_MS);
    assert.equal(r.state.held.has(41), false, "erased when tried again");
    assert.deepEqual(r.state.holdAtErase, [FACE_HOLD_REASON]);
    assert.equal(r.state.hold, undefined);
    assert.equal(r.sent().filter((l) => l === "erased").length, 1, "its receipt went out");
    assert.equal(r.session().inflight.size, 0, "and the broker has its acknowledgement");
  });

  it("is not wedged off the hub by one oversized message queued for it (the broker would redeliver it at every reconnection)", () => {
    const r = online();
    r.broker.publish(topic("sync"), new Uint8Array(100_000).fill(0x41));
    r.broker.publish(topic("sync"), r.changeSet(1));
    r.run(5000);
    assert.equal(r.sync.applied, 1, "the next genuine set still arrives");
    assert.equal(r.client.state, "up");
    assert.equal(r.session().inflight.size, 0, "the oversized message was acknowledged, so it is not redelivered forever");
  });

  it("never erases a template enrolled after an order was executed when the same order comes again (resent by the hub or replayed)", () => {
    const r = online();
    r.broker.publish(topic("erase"), r.order(41, 9));
    r.run(100);
    assert.equal(r.state.held.has(41), false);
    r.state.held.add(41); // the resident consents again and re-enrols here
    r.broker.publish(topic("erase"), r.order(41, 9));
    r.broker.publish(topic("erase"), r.order(41, 9));
    r.run(100);
    assert.ok(r.state.held.has(41), "the new template stays");
    assert.equal(r.calls.filter((c) => c === "erase 41").length, 1);
    const receipts = r.broker.received.filter((p) => leafOf(p) === "erased").map((p) => Array.from(p.payload).join());
    assert.ok(receipts.length >= 2 && receipts.every((x) => x === receipts[0]), "the first receipt each time");
  });
});
