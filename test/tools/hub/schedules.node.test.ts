// The compound's groups, schedules and holidays at the hub, against PGlite and
// PostgreSQL, with protocol gates (the real sync core and Registry): each
// change becomes the next version of the gates it concerns, a full resync and
// a newly added gate carry them all, and bad input saves nothing.
import assert from "node:assert/strict";
import { decodeChange } from "../../../src/core/access/changes";
import { decodeMessage, type ChangeSet } from "../../../src/core/sync/messages";
import { HUB_SETTINGS_BUDGET, ScheduleInputError, hubSettingsBytes, parseSegments, type AccessGroup } from "../../../tools/hub/schedules";
import { NorFlash } from "../../../boards/host/nor-flash";
import type { PolicyChange } from "../../../src/core/access/changes";
import { LogStore } from "../../../src/core/store/log-store";
import { SETTINGS_KEY, failSafeSettings } from "../../../src/app/console-settings";
import { withHubSchedules } from "../../../src/app/hub-schedules";
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

  // A year of public holidays is an ordinary office action. Past what a gate's settings record
  // holds (one store value), the gate refused the set (E_STORE_TOO_LARGE) and, since every full
  // resync carries the same list, every set after it: residents removed at the office kept opening
  // it. The hub now refuses at the office instead, saving nothing.
  it("refuses holidays and windows past what a gate's settings record holds; what it takes fits the gate's store", async () => {
    await fleet.addGate(10);
    await fleet.hub.schedules.putGroup(COMPOUND, { bit: 3, name: "night", week: Array.from({ length: 7 }, (_, d) => (d < 5 ? [{ from: 1320, to: 360 }] : [{ from: 0, to: 1440 }])), holiday: [{ from: 600, to: 720 }] });
    await fleet.drain();
    const start = 20_600;
    let added = 0;
    for (;; added++) {
      try {
        await fleet.hub.schedules.addHoliday(COMPOUND, { day: start + added * 3, name: `Holiday ${added}` });
      } catch (error) {
        assert.ok(error instanceof ScheduleInputError && /cannot hold that many holidays/.test(error.message), String(error));
        break;
      }
      assert.ok(added < 256, "a bound is reached before the wire's 256");
    }
    assert.ok(added >= 20, `${added} holidays: a year's public holidays fit`);
    process.stdout.write(`      (${added} holidays with one group of two windows)\n`);
    const version = (await fleet.hub.gate(10))?.desiredVersion;
    assert.equal((await fleet.hub.schedules.holidays(COMPOUND)).length, added, "the refused one is not saved");
    await fleet.drain();
    assert.equal((await fleet.hub.gate(10))?.desiredVersion, version, "no version written for it");
    assert.equal((await fleet.hub.gate(10))?.appliedVersion, version, "the gate took every set");
    // What the gate stores for the most the hub takes, with a technician's zone and modes on top, fits one store value.
    const changes: PolicyChange[] = [
      { kind: "set-schedule", group: 3, schedule: { name: "night", week: Array.from({ length: 7 }, (_, d) => (d < 5 ? [{ from: 1320, to: 360 }] : [{ from: 0, to: 1440 }])), holiday: [{ from: 600, to: 720 }] } },
      { kind: "set-holidays", days: Array.from({ length: added }, (_, i) => start + i * 3) },
    ];
    assert.ok(hubSettingsBytes(changes) <= HUB_SETTINGS_BUDGET);
    const local = failSafeSettings();
    local.config = { ...local.config, timezone: "CET-1CEST,M3.5.0,M10.5.0/3", "pin.min": "6", "pin.max": "8", "lockout.attempts": "5" };
    const bytes = Uint8Array.from(JSON.stringify(withHubSchedules(local, changes, true)), (c) => c.charCodeAt(0));
    const store = LogStore.open(new NorFlash(64 * 1024), { random: { fill(b: Uint8Array) { b.fill(7); } } });
    store.put(SETTINGS_KEY, bytes);
    assert.deepEqual(store.get(SETTINGS_KEY), bytes);
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
