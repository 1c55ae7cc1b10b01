// The compound's groups, schedules and holidays at the hub, against PGlite and
// PostgreSQL, with protocol gates (the real sync core and Registry): each
// change becomes the next version of the gates it concerns, a full resync and
// a newly added gate carry them all, and bad input saves nothing.
import assert from "node:assert/strict";
import { decodeChange } from "../../../src/core/access/changes";
import { decodeMessage, type ChangeSet } from "../../../src/core/sync/messages";
import { ScheduleInputError, parseSegments, type AccessGroup } from "../../../tools/hub/schedules";
import { COMPOUND, Fleet, person } from "./fleet";
import { forEachDatabase } from "./servers";

const week = (text: string) => Array.from({ length: 7 }, (_, d) => parseSegments(d < 5 ? text : "", `day ${d + 1}`));
const group = (bit: number, name: string, hours = "08:00-18:00"): AccessGroup => ({ bit, name, week: week(hours), holiday: [] });
const kindsTo = (fleet: Fleet, gateId: number) => fleet.wire
  .filter((m) => m.topic === `optgate/${COMPOUND}/${gateId}/sync`)
  .map((m) => (decodeMessage(m.payload).message as ChangeSet).changes.map((c) => decodeChange(c).kind).join(","));

describe("hub schedules: typed time windows", () => {
  it("reads windows, past midnight and to 24:00, and names what is wrong", () => {
    assert.deepEqual(parseSegments("08:00-12:00, 22:00-06:00,00:00-24:00", "Mon"), [{ from: 480, to: 720 }, { from: 1320, to: 360 }, { from: 0, to: 1440 }]);
    assert.deepEqual(parseSegments("  ", "Mon"), []);
    for (const bad of ["25:00-26:00", "8:00-9:00", "08:00", "08:60-09:00", "24:00-01:00", "08:00-08:00", "08:00-09:00-10:00", "00:00-00:00"]) {
      assert.throws(() => parseSegments(bad, "Mon"), (e) => e instanceof ScheduleInputError && e.message.startsWith("Mon: "), bad);
    }
    assert.throws(() => parseSegments(Array.from({ length: 9 }, (_, i) => `0${i}:00-0${i}:30`).join(","), "Sun"), /at most 8/);
  });
});

forEachDatabase("hub schedules", (kind) => {
  let fleet: Fleet;
  let db: Awaited<ReturnType<typeof kind.open>>;
  beforeEach(async () => { db = await kind.open(); fleet = await Fleet.open(db); });
  afterEach(async () => { await db.close(); });

  it("a group's hours become the next version of every gate serving its bit, applied there", async () => {
    const all = await fleet.addGate(10);
    const other = await fleet.addGate(11, 0b1);
    await fleet.drain();
    fleet.wire.length = 0;
    await fleet.hub.schedules.putGroup(COMPOUND, group(3, "cleaners"));
    assert.deepEqual(kindsTo(fleet, 10), ["set-schedule"]);
    assert.deepEqual(kindsTo(fleet, 11), [], "gate 11 serves only group 1");
    await fleet.drain();
    assert.deepEqual(all.groups.get(3)?.name, "cleaners");
    assert.deepEqual(all.groups.get(3)?.week[0], [{ from: 480, to: 1080 }]);
    assert.equal(other.groups.size, 0);
    const states = await Promise.all([10, 11].map((g) => fleet.hub.gate(g)));
    assert.deepEqual(states.map((s) => [s?.desiredVersion, s?.appliedVersion]), [[1, 1], [0, 0]]);
    await fleet.hub.schedules.addHoliday(COMPOUND, { day: 20_000, name: "国庆节" });
    await fleet.drain();
    assert.deepEqual([all.holidays, other.holidays], [[20_000], [20_000]], "holidays go to every gate");
    await fleet.hub.schedules.removeGroup(COMPOUND, 3);
    await fleet.drain();
    assert.equal(all.groups.has(3), false);
  });

  it("refuses what a gate could not take, and saves none of it", async () => {
    await fleet.addGate(10);
    await fleet.drain();
    const refused = async (fn: () => Promise<unknown>, pattern: RegExp) => {
      await assert.rejects(fn(), (e) => e instanceof ScheduleInputError && pattern.test(e.message));
    };
    await refused(() => fleet.hub.schedules.putGroup(COMPOUND, group(0, "staff")), /keeps the name all/);
    await refused(() => fleet.hub.schedules.putGroup(COMPOUND, group(4, "<script>")), /is not 1-32 letters/);
    await refused(() => fleet.hub.schedules.removeGroup(COMPOUND, 0), /default group/);
    await refused(() => fleet.hub.schedules.putGroup(COMPOUND, { ...group(6, "odd"), holiday: [{ from: 1440, to: 60 }] }), /the holiday has a segment 1440-60/);
    await fleet.hub.schedules.putGroup(COMPOUND, group(4, "night"));
    await refused(() => fleet.hub.schedules.putGroup(COMPOUND, group(5, "night")), /already called night/);
    await fleet.hub.putResidents(COMPOUND, [person(1, { groups: 1 << 4 })]);
    await refused(() => fleet.hub.schedules.removeGroup(COMPOUND, 4), /still has 1 resident/);
    assert.deepEqual((await fleet.hub.schedules.groups(COMPOUND)).map((g) => g.name), ["night"]);
    assert.equal((await fleet.hub.gate(10))?.desiredVersion, 2, "one version for the group, one for the resident");
  });

  it("a new gate and a full resync carry every group it serves and the holidays, before the residents", async () => {
    await fleet.hub.schedules.putGroup(COMPOUND, group(0, "all", "00:00-24:00"));
    await fleet.hub.schedules.putGroup(COMPOUND, group(2, "day", "07:00-19:00"));
    await fleet.hub.schedules.addHoliday(COMPOUND, { day: 20_100, name: "Spring" });
    await fleet.hub.putResidents(COMPOUND, [person(1, { groups: 1 << 2 })]);
    const gate = await fleet.addGate(12);
    await fleet.drain();
    assert.deepEqual([...gate.groups.keys()].sort(), [0, 2]);
    assert.deepEqual(gate.holidays, [20_100]);
    assert.deepEqual(gate.registry.ids(), [1]);
    gate.groups.set(9, { name: "local", week: [[], [], [], [], [], [], []], holiday: [] });
    fleet.wire.length = 0;
    await fleet.hub.resync(12);
    assert.deepEqual(kindsTo(fleet, 12), ["set-schedule,set-schedule,set-holidays,add-resident"]);
    await fleet.drain();
    assert.deepEqual([...gate.groups.keys()].sort(), [0, 2], "the resync replaced the gate's groups");
  });
});
