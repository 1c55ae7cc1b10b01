import assert from "node:assert/strict";
import type { PolicyChange, Segment } from "../../src/core/access/changes";
import { compilePolicy, DEFAULT_CLOCK_FLOOR_MS, DEFAULT_LOCKOUT, type CompiledPolicy } from "../../src/core/access/policy";
import { isOptgateError } from "../../src/core/errors";
import { loadSettings, settingsPolicy, type Settings } from "../../src/app/console-settings";
import { HUB_HOLIDAY_NAME, withHubSchedules } from "../../src/app/hub-schedules";

const fresh = (): Settings => ({ groups: { all: { bit: 0, schedules: [] } }, schedules: {}, holidays: {}, config: {} });
const week = (byDay: Segment[][]) => Array.from({ length: 7 }, (_, d) => byDay[d] ?? []);
const set = (group: number, name: string, byDay: Segment[][], holiday: Segment[] = []): PolicyChange => ({ kind: "set-schedule", group, schedule: { name, week: week(byDay), holiday } });
const now: CompiledPolicy = compilePolicy({
  gateId: 1, modes: { card: true, pin: true, cardPin: true, face: false, facePin: false, code: true }, pinLength: { min: 6, max: 8 },
  lockout: DEFAULT_LOCKOUT, timeZone: "UTC0", clockFloorMs: DEFAULT_CLOCK_FLOOR_MS, groups: [],
});
const bytes = (s: Settings) => Uint8Array.from(JSON.stringify(s), (c) => c.charCodeAt(0));
/** 2026-12-07 was a Monday; local time = UTC here. */
const at = (day: number, hhmm: string) => Date.UTC(2026, 11, 7 + day, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3)));

describe("the hub's schedules in the console's settings", () => {
  it("one console schedule per time window, with its days; a hub group without windows is closed", () => {
    const s = withHubSchedules(fresh(), [set(3, "night", [[{ from: 1320, to: 360 }], [{ from: 1320, to: 360 }], [{ from: 480, to: 600 }]]), set(4, "shut", [])], false);
    assert.deepEqual(s.groups.night, { bit: 3, schedules: ["night.1", "night.2"], hub: true, holidaySegments: [] });
    assert.deepEqual(s.schedules["night.1"], { days: ["mon", "tue"], from: 1320, to: 360 });
    assert.deepEqual(s.schedules["night.2"], { days: ["wed"], from: 480, to: 600 });
    const p = compilePolicy(settingsPolicy(loadSettings(bytes(s)), now));
    assert.equal(p.schedules[3]!.check(at(0, "23:30")), "open");
    assert.equal(p.schedules[3]!.check(at(1, "05:59")), "open", "Monday's window runs into Tuesday");
    assert.equal(p.schedules[3]!.check(at(0, "12:00")), "closed");
    assert.equal(p.schedules[4]!.check(at(0, "12:00")), "closed");
    assert.equal(p.schedules[0]!.alwaysOpen, true, "the local default group is untouched");
  });

  it("holidays replace the list; holiday windows apply on them", () => {
    const day = Math.floor(at(0, "00:00") / 86_400_000);
    let s = fresh();
    s.holidays["2026-01-01"] = "New Year";
    s = withHubSchedules(s, [set(2, "day", [[{ from: 480, to: 1080 }]], [{ from: 600, to: 660 }]), { kind: "set-holidays", days: [day] }], false);
    assert.deepEqual(s.holidays, { "2026-12-07": HUB_HOLIDAY_NAME });
    const p = compilePolicy(settingsPolicy(s, now));
    assert.equal(p.schedules[2]!.check(at(0, "09:00")), "holiday");
    assert.equal(p.schedules[2]!.check(at(0, "10:30")), "open");
  });

  // The hub sends calendar days; a gate far from UTC must close on its own local day, not UTC's.
  for (const [zone, open, shut] of [
    ["CST-8", Date.UTC(2026, 11, 6, 15, 59), Date.UTC(2026, 11, 6, 16, 0)], // Beijing midnight is 16:00 UTC the day before
    ["EST5EDT,M3.2.0,M11.1.0", Date.UTC(2026, 11, 8, 5, 0), Date.UTC(2026, 11, 8, 4, 59)], // New York's holiday runs to 05:00 UTC the day after
  ] as const) {
    it(`a holiday is the local calendar day in ${zone.slice(0, 5)}, not UTC's`, () => {
      const s = withHubSchedules(fresh(), [set(2, "day", Array.from({ length: 7 }, () => [{ from: 0, to: 1440 }])), { kind: "set-holidays", days: [Date.UTC(2026, 11, 7) / 86_400_000] }], false);
      const p = compilePolicy(settingsPolicy(s, compilePolicy({ ...settingsPolicy(fresh(), now), timeZone: zone })));
      const verdict = (ms: number) => p.schedules[2]!.check(ms + p.zone.offsetMs(ms));
      assert.equal(verdict(open), "open", "the day before, local");
      assert.equal(verdict(shut), "holiday", "the holiday, local");
    });
  }

  it("replaces whatever sits on the bit or under the name, and removes a group with the schedules it owned", () => {
    const s0 = fresh();
    s0.schedules.day = { days: ["mon"], from: 480, to: 540 };
    s0.groups.local = { bit: 3, schedules: ["day"] };
    s0.groups.night = { bit: 7, schedules: [] };
    const s = withHubSchedules(s0, [set(3, "night", [[{ from: 0, to: 60 }]])], false);
    assert.deepEqual(Object.keys(s.groups).sort(), ["all", "night"]);
    assert.equal(s.groups.night.bit, 3);
    assert.equal(s.schedules.day, undefined, "the local schedule nobody uses any more went with its group");
    const removed = withHubSchedules(s, [{ kind: "set-schedule", group: 3, schedule: null }], false);
    assert.deepEqual(Object.keys(removed.groups), ["all"]);
    assert.deepEqual(removed.schedules, {});
    assert.deepEqual(Object.keys(s.groups).sort(), ["all", "night"], "the settings given are left as they were");
  });

  it("a full resync with schedules replaces every group but the default one; without any it changes nothing", () => {
    const s0 = withHubSchedules(fresh(), [set(3, "a", [[{ from: 0, to: 60 }]]), { kind: "set-holidays", days: [20_000] }], false);
    const s = withHubSchedules(s0, [set(5, "b", [])], true);
    assert.deepEqual(Object.keys(s.groups).sort(), ["all", "b"]);
    assert.deepEqual(s.holidays, {});
    assert.deepEqual(withHubSchedules(s0, [], true), s0);
  });

  it("refuses to remove or rename the default group", () => {
    const refused = (c: PolicyChange) => assert.throws(() => withHubSchedules(fresh(), [c], false), (e) => isOptgateError(e, "E_BAD_POLICY"));
    refused({ kind: "set-schedule", group: 0, schedule: null });
    refused(set(0, "staff", []));
    assert.equal(withHubSchedules(fresh(), [set(0, "all", [])], false).groups.all.hub, true);
  });

  it("stored settings with the hub's fields load back; impossible ones do not", () => {
    const s = withHubSchedules(fresh(), [set(3, "night", [[{ from: 0, to: 60 }]], [{ from: 0, to: 30 }])], false);
    assert.deepEqual(loadSettings(bytes(s)), s);
    const bad = JSON.parse(JSON.stringify(s)) as { groups: Record<string, Record<string, unknown>> };
    bad.groups.night.holidaySegments = "00:00-01:00";
    assert.throws(() => loadSettings(Uint8Array.from(JSON.stringify(bad), (c) => c.charCodeAt(0))), (e) => isOptgateError(e, "E_SETTINGS_DAMAGED"));
  });
});
