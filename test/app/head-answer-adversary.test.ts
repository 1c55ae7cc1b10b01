// Adversarial review of the signed audit heads kept until the hub answers them
// (fleet-link.ts #heads, #uploaded, #pumpAudit): each test fails on a real
// bug and passes while the design holds. Portable (Node and XS).
import assert from "node:assert/strict";
import { HEAD_EVERY_MS, REWIND_EVERY_MS } from "../../src/app/fleet-link";
import { RESEND_FIRST_MS } from "../../src/app/awaiting-answer";
import { encodePacket } from "../../src/core/mqtt/encode";
import { decodeMessage } from "../../src/core/sync/messages";
import { fleetLinkRig, intruder, leafOf, topic } from "./fleet-link-rig";

/** A record the test can name: its stream index in its first four bytes. */
const record = (i: number) => {
  const r = new Uint8Array(60);
  new DataView(r.buffer).setUint32(0, i);
  return r;
};
const indexOf = (r: Uint8Array) => new DataView(r.buffer, r.byteOffset, r.byteLength).getUint32(0);

/**
 * A rig whose access records carry their index, and an honest hub over the broker's log: it keeps
 * every record of every batch the broker received and answers each head "taken" when it holds every
 * record the head signs, "incomplete" otherwise (tools/hub/hub.ts witnessHead), `lose` records lost
 * with a killed hub process.
 */
function setup(records: number) {
  const r = fleetLinkRig();
  for (let i = 0; i < records; i++) r.records.access.push(record(i));
  const held = { access: new Set<number>(), security: new Set<number>() };
  const answers: { log: string; seq: number; outcome: string; payload: Uint8Array }[] = [];
  /** Heads that reached the hub before the records they sign. */
  const early: string[] = [];
  let cursor = 0;
  const lose = new Set<number>();
  const hubStep = (answer = true) => {
    for (; cursor < r.broker.received.length; cursor++) {
      const p = r.broker.received[cursor], leaf = leafOf(p);
      if (leaf === "audit") {
        const b = decodeMessage(p.payload).message as { log: "access" | "security"; records: Uint8Array[] };
        for (const x of b.records) if (!(b.log === "access" && lose.has(indexOf(x)))) held[b.log].add(b.log === "access" ? indexOf(x) : held[b.log].size);
      } else if (leaf === "head") {
        const h = decodeMessage(p.payload).message as { log: "access" | "security"; head: { seq: number } };
        let complete = true;
        for (let i = 0; i < h.head.seq; i++) if (!held[h.log].has(i)) { complete = false; break; }
        if (!complete) early.push(`${h.log} head ${h.head.seq} with ${held[h.log].size} records held`);
        const outcome = complete ? "taken" : "incomplete";
        answers.push({ log: h.log, seq: h.head.seq, outcome, payload: p.payload });
        if (answer) r.broker.publish(topic("answer"), r.hubAnswer("head", h.log === "access" ? 0 : 1, p.payload, outcome));
      }
    }
  };
  const accessSent = () => r.broker.received.filter((p) => leafOf(p) === "audit")
    .map((p) => decodeMessage(p.payload).message as { log: string; records: Uint8Array[] })
    .filter((b) => b.log === "access").reduce((n, b) => n + b.records.length, 0);
  /** Runs `ms` with the hub answering as it goes. */
  const live = (ms: number, step = 10) => {
    for (let t = 0; t < ms; t += 100) { r.run(100, step); hubStep(); }
  };
  /** The broker gets what a slow link held back (its PUBACKs then come). */
  const release = () => {
    r.withhold(false);
    for (const p of r.withheld.splice(0)) r.broker.fromClient(Uint8Array.from(encodePacket(p)));
  };
  const connect = () => {
    r.fleet.start();
    r.run(200);
    r.grant();
    live(3000);
  };
  return { r, held, answers, early, lose, hubStep, accessSent, live, release, connect };
}

describe("app/fleet-link heads: adversary", () => {
  it("never sends a head ahead of the records it signs: a client window full of other messages at a reconnection does not let the heads overtake the offline backlog", () => {
    const s = setup(100), { r } = s;
    s.connect();
    assert.equal(s.accessSent(), 100);
    assert.deepEqual(s.early, []);
    // Offline: 500 access records, and a dozen PIN reports waiting for the hub's answer.
    r.cut();
    for (let i = 100; i < 600; i++) r.records.access.push(record(i));
    for (let i = 0; i < 12; i++) r.fleet.sendPinReport(500 + i, Uint8Array.of(1, 2, 3, i));
    // Back over a slow link: the status messages and reports fill the client's window of 16 before any PUBACK.
    r.withhold(true);
    r.run(500);
    s.release();
    s.live(10_000);
    s.live(HEAD_EVERY_MS + 5000, 100);
    assert.deepEqual(s.early, [], "a head reached the hub before the records it signs (answered incomplete)");
    assert.equal(s.accessSent(), 600, "every record sent once: no window sent again");
  });

  it("an answer in flight while records flow: after a rewind, a batch acknowledged late does not persist progress the rewound upload has not made", () => {
    const s = setup(300), { r } = s;
    s.lose.add(10);
    r.fleet.start();
    r.run(200);
    r.grant();
    // The hub takes every batch but lost record 10 (a killed process); its answers are held back a moment.
    r.run(3000);
    s.hubStep(false);
    const access = s.answers.find((a) => a.log === "access")!;
    assert.equal(access.outcome, "incomplete");
    // Records flow meanwhile over a slow link: their batch is in flight when the answer comes.
    for (let i = 300; i < 320; i++) r.records.access.push(record(i));
    r.withhold(true);
    r.run(50);
    const stale = r.withheld.splice(0);
    assert.ok(stale.some((p) => leafOf(p) === "audit"), "a batch in flight");
    const mark = r.state.progress.length;
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access.payload, "incomplete"));
    r.run(50);
    const rewound = r.state.progress.indexOf("0/0", mark);
    assert.ok(rewound >= 0, `rewound: ${r.state.progress.slice(mark).join(" ")}`);
    // The batch sent before the rewind reaches the broker now; the window sent again is still on its way.
    for (const p of stale) r.broker.fromClient(Uint8Array.from(encodePacket(p)));
    r.run(50);
    const resent = r.withheld.filter((p) => leafOf(p) === "audit").length;
    assert.ok(resent > 0, "the window is being sent again");
    // What was persisted after the rewind is what a reboot resumes from: none of the window has reached the broker again.
    const persisted = r.state.progress.slice(rewound + 1).map((p) => Number(p.split("/")[0]));
    assert.deepEqual(persisted.filter((n) => n > 0), [], `progress persisted after the rewind though nothing was sent again: a reboot now resumes past record 10, which the hub lacks (${r.state.progress.slice(mark).join(" ")})`);
  });

  it("forged, replayed and crossed answers neither rewind nor settle a head; a flood of replays of the one true incomplete rewinds once", () => {
    const s = setup(300), { r } = s;
    r.fleet.start();
    r.run(200);
    r.grant();
    r.run(3000);
    s.hubStep(false);
    const [access, security] = ["access", "security"].map((l) => s.answers.find((a) => a.log === l)!.payload);
    const heads = () => r.broker.received.filter((p) => leafOf(p) === "head").length;
    // The intruder's answers; the hub's answers crossed between chains; an unknown chain index.
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access, "incomplete", intruder));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 1, access, "incomplete"));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, security, "incomplete"));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 2, access, "incomplete"));
    r.broker.publish(topic("answer"), r.hubAnswer("pin", 0, access, "taken"));
    r.run(3000);
    assert.equal(s.accessSent(), 300);
    // Still unanswered: sent again.
    const before = heads();
    r.run(RESEND_FIRST_MS + 1000, 100);
    assert.ok(heads() >= before + 2, "both heads still sent");
    // The true answer, replayed 50 times: one rewind.
    const incomplete = r.hubAnswer("head", 0, access, "incomplete");
    for (let i = 0; i < 50; i++) r.broker.publish(topic("answer"), incomplete);
    r.run(5000);
    assert.equal(s.accessSent(), 600);
    // Replayed again later (past the hour), against the next head, still unanswered: nothing.
    r.state.clock = r.state.clock! + 120_000;
    r.run(HEAD_EVERY_MS + 2000, 100);
    const next = r.broker.received.filter((p) => leafOf(p) === "head").at(-2)!.payload;
    assert.notDeepEqual(Array.from(next), Array.from(access), "a new access head waits");
    for (let i = 0; i < 5; i++) r.broker.publish(topic("answer"), incomplete);
    r.run(REWIND_EVERY_MS + 1000, 1000);
    for (let i = 0; i < 5; i++) r.broker.publish(topic("answer"), incomplete);
    r.run(5000);
    assert.equal(s.accessSent(), 600, "an old answer rewinds nothing");
  });

  it("two answers to one head (two hub processes): the second does nothing; an answer to a replaced head does nothing", () => {
    const s = setup(300), { r } = s;
    r.fleet.start();
    r.run(200);
    r.grant();
    r.run(3000);
    s.hubStep(false);
    const access = s.answers.find((a) => a.log === "access")!.payload;
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access, "taken"));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, access, "incomplete"));
    r.run(3000);
    assert.equal(s.accessSent(), 300);
    // A newer head replaces an unanswered one; the old one's answer is moot.
    for (let i = 300; i < 310; i++) r.records.access.push(record(i));
    r.run(HEAD_EVERY_MS + 2000, 100);
    const heads = r.broker.received.filter((p) => leafOf(p) === "head" && (decodeMessage(p.payload).message as { log: string }).log === "access");
    const older = heads.at(-2)!.payload, newer = heads.at(-1)!.payload;
    assert.notDeepEqual(Array.from(older), Array.from(newer));
    r.broker.publish(topic("answer"), r.hubAnswer("head", 0, older, "incomplete"));
    r.run(3000);
    assert.equal(s.accessSent(), 310);
  });

  it("heads keep going past the outbox bound and a refused or unacknowledged batch: a batch in flight across reconnections delays them, never stops them", () => {
    const s = setup(300), { r } = s;
    // Batches in flight never acknowledged on this connection.
    r.withhold(true);
    r.fleet.start();
    r.run(3000);
    assert.equal(r.broker.received.filter((p) => leafOf(p) === "head").length, 0, "no head while batches wait");
    // Status messages past the bound meanwhile (the hub's sets each bring an ack).
    for (let v = 1; v <= 40; v++) r.broker.publish(topic("sync"), r.changeSet(v));
    r.run(2000);
    r.cut();
    r.withheld.length = 0; // lost with the connection
    r.withhold(false);
    s.live(10_000);
    s.live(HEAD_EVERY_MS + 5000, 100);
    const heads = s.answers.filter((a) => a.log === "access");
    assert.ok(heads.length > 0, "an access head went once the batches were acknowledged");
    assert.equal(heads.at(-1)!.outcome, "taken");
    assert.deepEqual(s.early, []);
  });
});
