// A gate behind its hub while the broker redelivers (a reconnected gate's
// persistent session), against PGlite and PostgreSQL: a set the gate already
// holds, delivered again, is refused as a replay, and that refusal must not
// make the hub send again the sets already on their way. It did: every
// duplicate brought all the rest once more, so a gate back from an outage
// met a growing storm of replays (597 refusals at one XS gate in the fleet
// bench) and a withdrawal's erase order waited behind them for 30 s.
import assert from "node:assert/strict";
import { decodeMessage } from "../../../src/core/sync/messages";
import type { Outgoing } from "../../../tools/hub/protocol-gate";
import { num } from "../../../tools/hub/db";
import { Hub } from "../../../tools/hub/hub";
import { COMPOUND, Fleet, person } from "./fleet";
import { forEachDatabase } from "./servers";

const SYNC = `optgate/${COMPOUND}/10/sync`;

forEachDatabase("hub: sets redelivered to a gate that is behind", (kind) => {
  let fleet: Fleet, db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  it("a replay refused while newer sets are on their way sends nothing again; the gate then applies those once", async () => {
    const gate = await fleet.addGate(10);
    await fleet.hub.putResidents(COMPOUND, [person(1)]);
    const applied = fleet.wire.filter((m) => m.topic === SYNC).map((m) => m.payload);
    await fleet.drain();
    assert.ok(applied.length > 0);
    // Three more versions leave the hub and are still on their way (held here).
    const onTheWay: Outgoing[] = [];
    for (const id of [2, 3, 4]) {
      await fleet.hub.putResidents(COMPOUND, [person(id)]);
      onTheWay.push(...fleet.wire.splice(0).filter((m) => m.topic === SYNC));
    }
    assert.equal(onTheWay.length, 3);
    // The broker delivers an applied set again: the gate refuses it as a replay and says so.
    const sentAgain: number[] = [];
    fleet.filter = (m) => { if (m.topic === SYNC) sentAgain.push((decodeMessage(m.payload).message as { version: number }).version); return true; };
    fleet.wire.push({ topic: SYNC, payload: applied.at(-1)!, retain: false });
    await fleet.drain();
    assert.ok(gate.audit.some((e) => e.kind === "sync-refused" && e.detail?.includes("replay")), "refused as a replay");
    assert.deepEqual(sentAgain.slice(1), [], "the hub sent nothing again");
    // What was on its way arrives: each version applied once, the gate at the hub's desired version.
    sentAgain.length = 0;
    fleet.wire.push(...onTheWay);
    await fleet.drain();
    const [row] = await db.query<{ desired_version: unknown; applied_version: unknown }>("select desired_version, applied_version from gate where id = 10");
    assert.equal(num(row.applied_version), num(row.desired_version));
    assert.ok([1, 2, 3, 4].every((id) => gate.registry.has(id)));
    assert.deepEqual(sentAgain.slice(3), [], "and nothing more was sent");
  });

  it("a set refused for the gate's clock (from the future, or stale) is not sent again at once: no storm, resent after resendMs", async () => {
    const gate = await fleet.addGate(10);
    await fleet.drain();
    // A hub whose clock runs two days ahead of the gate's: every set it signs is from the future there.
    let skew = 2 * 86_400_000;
    const ahead = await Hub.open({
      db, signingSeed: new Uint8Array(32).fill(1), now: () => fleet.now + skew, resendMs: 10_000,
      publish: async (topic, payload, { retain }) => { fleet.wire.push({ topic, payload, retain }); },
    });
    let sent = 0;
    // Bounded: without the rule the hub and the gate would trade the set and its refusal for ever.
    fleet.filter = (m) => m.topic !== SYNC || ++sent <= 20;
    await ahead.putResidents(COMPOUND, [person(1)]);
    await fleet.drain(ahead);
    assert.ok(gate.audit.some((e) => e.kind === "sync-refused" && e.detail?.includes("from-future")), "refused for the clock");
    assert.equal(sent, 1, "sent once, not again on its refusal");
    assert.equal(gate.registry.has(1), false);
    // Once the clocks agree (the gate's put right), the resend after resendMs is applied.
    fleet.now += skew + 10_000;
    skew = 0;
    await ahead.receive(`optgate/${COMPOUND}/10/online`, Uint8Array.of(0x31));
    await ahead.pumpAll();
    await fleet.drain(ahead);
    assert.equal(sent, 2);
    assert.equal(gate.registry.has(1), true);
  });
});
