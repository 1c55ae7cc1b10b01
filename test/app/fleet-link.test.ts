// FleetLink between the real MQTT client and a broker model (bytes through
// the real codec), with the real sync core and hub-signed messages
// (fleet-link-rig.ts); the end-to-end test with real
// firmwares, broker and hub is fleet.node.test.ts. Portable (Node and XS).
import assert from "node:assert/strict";
import { FACE_HOLD_REASON, HEAD_EVERY_MS, INVENTORY_PER_TICK, TIME_RETRY_MS } from "../../src/app/fleet-link";
import { OUTBOX_LIMIT, publishBytes } from "../../src/app/fleet-outbox";
import { encodePacket, encodePublish } from "../../src/core/mqtt/encode";
import { PacketType } from "../../src/core/mqtt/packets";
import { MAX_INVENTORY_ENTRIES, MAX_MESSAGE_BYTES, MAX_PACKET_BYTES } from "../../src/core/sync/messages";
import { FROM_GATE, MAX_TOPIC_BYTES, TO_GATE, topic as fleetTopic } from "../../src/core/sync/topics";
import { decodeErasure } from "../../src/core/sync/erasure";
import { decodeMessage } from "../../src/core/sync/messages";
import { RESEND_FIRST_MS } from "../../src/app/awaiting-answer";
import { COMPOUND, GATE, fleetLinkRig, intruder, inventoryOf, leafOf, topic } from "./fleet-link-rig";

const rig = fleetLinkRig;

describe("app/fleet-link", () => {
  it("on connecting says where the gate is, holds face until the hub answers its time request, then takes the hub's time", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    assert.equal(r.fleet.state, "catching-up");
    // The status ack goes before the time request (the hub's answer comes after the erase orders it triggers); the inventory follows once computed.
    assert.deepEqual(r.sent().slice(0, 4), ["online", "ack", "time-req", "inventory"]);
    assert.ok(r.broker.received[0].retain && r.broker.received[1].retain, "online and the status ack are retained");
    assert.equal(String.fromCharCode(r.broker.received[0].payload[0]), "1");
    assert.equal(r.state.hold, FACE_HOLD_REASON);
    r.grant();
    r.run(100);
    assert.equal(r.fleet.state, "online");
    assert.equal(r.state.hold, undefined);
    assert.ok(r.calls.some((c) => /^clock \d+$/.test(c)), r.calls.join());
    assert.ok(r.audit.some((e) => e.kind === "clock-synced"));
  });

  it("asks again for the time while the hub does not answer, and face stays held meanwhile", () => {
    const r = rig();
    r.fleet.start();
    r.run(TIME_RETRY_MS + 500);
    assert.equal(r.sent().filter((l) => l === "time-req").length, 2);
    assert.equal(r.state.hold, FACE_HOLD_REASON);
    r.cut();
    assert.equal(r.state.hold, undefined, "offline: the gate serves from its own store again");
  });

  it("applies the next change set, acks it and republishes its inventory; acknowledges it to the broker only after the apply", () => {
    let fail = true;
    const r = rig({ failApply: () => fail });
    r.fleet.start();
    r.run(200);
    r.grant();
    r.run(100);
    r.broker.publish(topic("sync"), r.changeSet(1));
    r.run(100);
    // The store refused: GateSync answers apply-failed and nothing advances.
    assert.equal(r.sync.applied, 0);
    const acks = r.broker.received.filter((p) => leafOf(p) === "ack").map((p) => decodeMessage(p.payload).message as { status: string; reason: string });
    assert.deepEqual([acks.at(-1)!.status, acks.at(-1)!.reason], ["refused", "apply-failed"]);
    fail = false;
    r.broker.publish(topic("sync"), r.changeSet(1));
    r.run(100);
    assert.equal(r.sync.applied, 1);
    assert.deepEqual(r.state.applied, [1]);
    const last = r.sent().slice(-2);
    assert.deepEqual(last, ["ack", "inventory"]);
    assert.ok(r.audit.some((e) => e.kind === "sync-applied"));
  });

  it("erases the templates a set took away before it answers, and what a reboot left pending at start", () => {
    const r = rig();
    r.state.pendingErase = [42];
    r.fleet.eraseTakenAway();
    assert.deepEqual(r.calls.slice(0, 2), ["erase 42", "erased 42"]);
    assert.equal(r.fleet.counts.erased, 1);
    r.fleet.eraseTakenAway();
    assert.equal(r.calls.length, 2, "nothing pending: nothing erased twice");
  });

  it("executes an erase order once: template erased, receipts stored before the receipt goes out; a resend gets the same receipt", () => {
    const r = rig();
    r.fleet.start();
    r.run(200);
    r.broker.publish(topic("erase"), r.order(41, 1));
    r.run(100);
    assert.deepEqual(r.calls.filter((c) => c.startsWith("erase") || c.startsWith("save")), ["erase 41", "save receipts 1"]);
    const receipts = r.broker.received.filter((p) => leafOf(p) === "erased");
    assert.equal(receipts.length, 1);
    const m = decodeErasure(receipts[0].payload).message as { residentId: number; held: boolean };
    assert.deepEqual([m.residentId, m.held], [41, true]);
    r.broker.publish(topic("erase"), r.order(41, 1));
    r.run(100);
    const again = r.broker.received.filter((p) => leafOf(p) === "erased");
    assert.equal(again.length, 2);
    assert.deepEqual(Array.from(again[1].payload), Array.from(again[0].payload), "the first receipt again");
    assert.equal(r.calls.filter((c) => c === "erase 41").length, 1, "erased once");
  });

  it("keeps a withdrawal notice made offline until the hub answers it, across a reboot too", () => {
    const r = rig();
    r.fleet.withdrawnHere(42, true, new Uint8Array(16).fill(42));
    assert.equal(r.state.pending.at(-1)!.length, 1, "saved at once");
    const notice = r.state.pending.at(-1)![0];
    // A reboot before it went out: the next link starts with it.
    const again = rig({ pending: [notice] });
    again.fleet.start();
    again.run(300);
    const out = () => again.broker.received.filter((p) => leafOf(p) === "withdrawn");
    assert.equal(out().length, 1);
    assert.deepEqual(Array.from(out()[0].payload), Array.from(notice));
    const m = decodeErasure(notice).message as { type: string; residentId: number; held: boolean };
    assert.deepEqual([m.type, m.residentId, m.held], ["withdrawn", 42, true]);
    // The broker has it, the hub has not answered (a hub killed before its database took it): kept, and sent again.
    assert.equal(again.state.pending.length, 0, "nothing saved: still pending");
    assert.match(again.fleet.status(), /1 withdrawal notice\(s\) to deliver/);
    again.run(RESEND_FIRST_MS + 1000, 100);
    assert.equal(out().length, 2, "sent again after the first wait");
    again.run(RESEND_FIRST_MS + 1000, 100);
    assert.equal(out().length, 2, "then after twice that");
    again.run(RESEND_FIRST_MS + 1000, 100);
    assert.equal(out().length, 3);
    // An answer signed by another key, naming another notice, or an erase order for the notice's id: nothing settled.
    again.broker.publish(topic("answer"), again.hubAnswer("notice", 42, notice, "taken", intruder));
    again.broker.publish(topic("answer"), again.hubAnswer("notice", 42, notice.slice(0, -1)));
    again.broker.publish(topic("answer"), again.hubAnswer("share", 42, notice));
    again.broker.publish(topic("erase"), again.order(42, 42));
    again.run(200);
    assert.equal(again.state.pending.length, 0, "still pending");
    assert.match(again.fleet.status(), /1 withdrawal notice\(s\) to deliver/);
    // The hub's answer naming the notice: settled.
    again.broker.publish(topic("answer"), again.hubAnswer("notice", 42, notice));
    again.run(200);
    assert.deepEqual(again.state.pending.at(-1), [], "dropped from flash once the hub answered");
    assert.doesNotMatch(again.fleet.status(), /to deliver/);
    again.run(4 * RESEND_FIRST_MS, 100);
    assert.equal(out().length, 3, "never sent again");
  });

  it("sends a share until the hub answers that very share; a forged answer is refused and audited, a newer share takes the old one's place", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    const outcomes: string[] = [];
    const first = Uint8Array.of(1, 2, 3), second = Uint8Array.of(4, 5, 6);
    r.fleet.shareTemplate(8, first, (o) => outcomes.push(`first ${o}`));
    r.run(300);
    const shares = () => r.broker.received.filter((p) => leafOf(p) === "share").map((p) => p.payload[0]);
    assert.deepEqual(shares(), [1]);
    r.run(RESEND_FIRST_MS + 1000, 100);
    assert.deepEqual(shares(), [1, 1], "unanswered: sent again");
    // Signed by a stranger, or for another resident, or naming another share: nothing settled.
    r.broker.publish(topic("answer"), r.shareAnswer(8, first, "taken", intruder));
    r.broker.publish(topic("answer"), r.shareAnswer(9, first));
    r.broker.publish(topic("answer"), r.shareAnswer(8, second));
    r.run(200);
    assert.equal(outcomes.length, 0);
    assert.ok(r.audit.some((e) => e.kind === "sync-refused" && e.detail === "hub answer unknown-key"), JSON.stringify(r.audit.map((e) => e.detail)));
    // A newer share of the same resident replaces it: the old one's answer settles nothing, the new one's does.
    r.fleet.shareTemplate(8, second, (o) => outcomes.push(`second ${o}`));
    r.broker.publish(topic("answer"), r.shareAnswer(8, first));
    r.run(200);
    assert.equal(outcomes.length, 0);
    r.broker.publish(topic("answer"), r.shareAnswer(8, second, "withdrawn"));
    r.run(200);
    assert.deepEqual(outcomes, ["second withdrawn"]);
    const sent = shares().length;
    r.run(4 * RESEND_FIRST_MS, 100);
    assert.equal(shares().length, sent, "answered: never sent again");
  });

  it("sends an unanswered notice again at every connection", () => {
    const r = rig();
    r.fleet.start();
    r.run(300);
    r.fleet.withdrawnHere(42, true, new Uint8Array(16).fill(42));
    r.run(300);
    const out = () => r.broker.received.filter((p) => leafOf(p) === "withdrawn").length;
    assert.equal(out(), 1);
    r.cut();
    r.run(5000, 100);
    r.run(500);
    assert.equal(out(), 2, "again on reconnecting");
  });

  it("uploads the audit chains in batches, saves progress on each acknowledgement, resumes from it after a cut, then sends signed heads", () => {
    const r = rig({ records: 600 });
    r.fleet.start();
    r.run(200);
    r.cut();
    r.run(500);
    r.grant();
    r.run(3000);
    const batches = r.broker.received.filter((p) => leafOf(p) === "audit").map((p) => (decodeMessage(p.payload).message as { records: Uint8Array[] }).records);
    const total = batches.reduce((n, b) => n + b.length, 0);
    assert.ok(total >= 600, `every record sent at least once (${total})`);
    assert.ok(batches.every((b) => b.length * 60 <= 12 * 1024), "batches within the byte bound");
    assert.equal(r.state.progress.at(-1), "600/0");
    assert.ok(r.sent().includes("head"));
    assert.equal(r.fleet.counts.auditSent, 600, "each record counted once, when acknowledged");
  });

  it("sends each head until the hub answers it; told the hub lacks records of the window, sends the chain again from its start, at most once an hour", () => {
    const r = rig({ records: 300 });
    r.fleet.start();
    r.run(200);
    r.grant();
    r.run(3000);
    const heads = () => r.broker.received.filter((p) => leafOf(p) === "head");
    const batches = () => r.broker.received.filter((p) => leafOf(p) === "audit").map((p) => (decodeMessage(p.payload).message as { log: string; records: Uint8Array[] }));
    const accessSent = () => batches().filter((b) => b.log === "access").reduce((n, b) => n + b.records.length, 0);
    assert.equal(accessSent(), 300);
    assert.equal(heads().length, 2, "one per chain");
    const [access, security] = heads().map((p) => p.payload);
    // Unanswered: sent again after the first wait.
    r.run(RESEND_FIRST_MS + 1000, 100);
    assert.equal(heads().length, 4);
    // A forged answer, or one naming another head, does nothing; the security head taken is settled.
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access, "incomplete", intruder));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, security, "incomplete"));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 1, security));
    r.run(3000);
    assert.equal(accessSent(), 300, "nothing sent again");
    // The hub lacks records of the access window (a batch lost with a killed process): the chain goes again.
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access, "incomplete"));
    r.run(3000);
    assert.equal(accessSent(), 600, "the window again, from the start");
    assert.equal(r.state.progress.at(-1), "300/0");
    // Its next head (records flowed again), answered incomplete within the hour: not sent a third time.
    const before = heads().length;
    r.run(HEAD_EVERY_MS + 1000, 100);
    const next = heads().slice(before).map((p) => p.payload).find((p) => (decodeMessage(p).message as { log: string }).log === "access");
    assert.ok(next, "a new access head");
    assert.notDeepEqual(Array.from(next), Array.from(access));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, next, "incomplete"));
    r.run(3000);
    assert.equal(accessSent(), 600);
  });

  it("never drops a notice past the outbox bound, and a backlog of notices never crowds out the status messages", () => {
    const r = rig();
    for (let i = 0; i < OUTBOX_LIMIT + 10; i++) r.fleet.withdrawnHere(100 + i, false, new Uint8Array(16).fill(i));
    r.fleet.start();
    r.run(2000);
    assert.deepEqual(r.sent().slice(0, 3), ["online", "ack", "time-req"]);
    assert.equal(r.broker.received.filter((p) => leafOf(p) === "withdrawn").length, OUTBOX_LIMIT + 10);
    assert.equal(r.fleet.counts.dropped, 0);
  });

  it("computes the inventory a few steps per tick, so a large registry never stalls the gate, and sends it whole", () => {
    const r = rig();
    const pulledPerTick: number[] = [];
    let pulled = 0;
    r.ports.inventory = function* () {
      const entries = [];
      for (let i = 1; i <= 1000; i++) {
        pulled++;
        entries.push({ id: i, digest: new Uint8Array(8).fill(i & 0xff) });
        yield;
      }
      return entries;
    };
    const tick = r.fleet.tick.bind(r.fleet);
    r.fleet.tick = (now: number) => { const before = pulled; tick(now); pulledPerTick.push(pulled - before); };
    r.fleet.start();
    r.run(2000);
    assert.ok(Math.max(...pulledPerTick) <= INVENTORY_PER_TICK, `at most ${INVENTORY_PER_TICK} digests in one tick (${Math.max(...pulledPerTick)})`);
    assert.equal(pulled, 1000);
    const inventories = r.broker.received.filter((p) => leafOf(p) === "inventory").map((p) => decodeMessage(p.payload).message as { entries: { id: number }[] });
    assert.equal(inventories.length, 1);
    assert.deepEqual(inventories[0].entries.map((e) => e.id), Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it("sends an inventory of several parts only as fast as the link's buffer takes them: the link is never overrun and dropped", () => {
    // 4,500 residents: parts of 2,000, 2,000 and 500 entries, two of which do not fit in one 40 KB buffer.
    const r = rig({ linkBytes: 40_000 });
    r.ports.inventory = () => inventoryOf(4500);
    r.fleet.start();
    r.run(8000);
    assert.equal(r.linkBuffer.overflows, 0, "no write past the link's buffer");
    assert.equal(r.client.state, "up");
    const parts = r.broker.received.filter((p) => leafOf(p) === "inventory").map((p) => decodeMessage(p.payload).message as { part: number; parts: number; entries: unknown[] });
    assert.deepEqual(parts.map((p) => [p.part, p.parts, p.entries.length]), [[0, 3, 2000], [1, 3, 2000], [2, 3, 500]]);
  });

  it("sends an erasure receipt ahead of the inventory parts still waiting for the broker's window", () => {
    const r = rig();
    const PARTS = 18;
    r.ports.inventory = () => inventoryOf(PARTS * MAX_INVENTORY_ENTRIES);
    r.fleet.start();
    r.run(300);
    // The broker stops acknowledging: the inventory fills the client's window and the rest waits.
    r.withhold(true);
    r.run((PARTS * MAX_INVENTORY_ENTRIES / INVENTORY_PER_TICK) * 10 + 500);
    const inWindow = r.withheld.filter((p) => leafOf(p) === "inventory").length;
    assert.ok(inWindow > 0 && inWindow < PARTS, `${inWindow} of ${PARTS} parts in the window`);
    r.broker.publish(topic("erase"), r.order(41, 1));
    r.run(100);
    assert.deepEqual(r.calls.filter((c) => c.startsWith("erase")), ["erase 41"]);
    // The broker acknowledges what it held back: the window drains, the receipt goes before the remaining parts.
    r.withhold(false);
    for (const p of r.withheld.splice(0)) r.broker.fromClient(Uint8Array.from(encodePacket(p)));
    const before = r.broker.received.length;
    r.run(500);
    const after = r.broker.received.slice(before).map(leafOf).filter((l) => l === "inventory" || l === "erased");
    assert.deepEqual(after, ["erased", ...Array(PARTS - inWindow).fill("inventory")]);
  });

  it("keeps a fault in a port out of the socket's callback, and the message is not acknowledged", () => {
    const r = rig({ failApply: () => { throw new RangeError("a bug"); } });
    r.fleet.start();
    r.run(200);
    r.broker.publish(topic("sync"), r.changeSet(1));
    assert.doesNotThrow(() => r.run(100));
    assert.match(r.fleet.status(), /last problem: a bug/);
    assert.equal(r.sync.applied, 0);
    assert.equal(r.broker.sessions.get(`optgate-gate-${COMPOUND}-${GATE}`)!.inflight.size, 1, "not acknowledged: the broker still holds it for a resend");
  });
});

describe("app/fleet-link: publishBytes, the room a publish waits for", () => {
  const wire = (topicName: string, payload: Uint8Array) =>
    encodePublish({ type: PacketType.PUBLISH, topic: topicName, payload, qos: 1, retain: false, dup: false, packetId: 65535 }).length;

  it("is never less than the PUBLISH as encoded, and over by at most the remaining length's unused bytes", () => {
    for (const size of [0, 1, 100, 127, 128, 16_000, 16_384, MAX_MESSAGE_BYTES]) {
      const t = fleetTopic(0xffffffff, 0xffffffff, "inventory");
      const payload = new Uint8Array(size);
      const bound = publishBytes(t, payload), actual = wire(t, payload);
      assert.ok(bound >= actual && bound - actual <= 3, `${size} bytes: bound ${bound}, on the wire ${actual}`);
    }
  });

  it("fits the longest fleet topic and the largest message under MAX_PACKET_BYTES (link buffer and broker max_packet_size)", () => {
    const longest = Math.max(...[...TO_GATE, ...FROM_GATE].map((leaf) => fleetTopic(0xffffffff, 0xffffffff, leaf).length));
    assert.ok(longest <= MAX_TOPIC_BYTES, `longest topic ${longest} bytes`);
    const most = publishBytes("t".repeat(MAX_TOPIC_BYTES), new Uint8Array(MAX_MESSAGE_BYTES));
    assert.equal(most, 32_841);
    assert.ok(most <= MAX_PACKET_BYTES, `${most} > ${MAX_PACKET_BYTES}`);
    assert.equal(MAX_PACKET_BYTES, 33_792);
  });
});
