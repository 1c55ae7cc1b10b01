import assert from "node:assert/strict";
import { CHANGE_KINDS, MAX_HOLIDAYS, MAX_SEGMENTS_PER_DAY, decodeChange, encodeChange, type Change, type GroupSchedule } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { splitPolicyChanges } from "../../../src/core/sync/registry-apply";
import { newRegistry } from "./fixtures";

const why = (text: string) => `E_BAD_CHANGE: The registry change cannot be read: ${text}.`;
const message = (bytes: Uint8Array): string => {
  try { decodeChange(bytes); } catch (e) { assert.ok(isOptgateError(e, "E_BAD_CHANGE")); return (e as Error).message; }
  return "decoded";
};
const kind = (name: string) => CHANGE_KINDS.indexOf(name as (typeof CHANGE_KINDS)[number]);

const night: GroupSchedule = {
  name: "night-staff",
  week: [[{ from: 22 * 60, to: 6 * 60 }], [], [{ from: 0, to: 1440 }], [], [], [{ from: 480, to: 720 }, { from: 780, to: 1080 }], []],
  holiday: [{ from: 600, to: 660 }],
};

describe("set-schedule and set-holidays changes", () => {
  it("round-trip, the removal of a group too", () => {
    for (const change of [
      { kind: "set-schedule", group: 3, schedule: night },
      { kind: "set-schedule", group: 31, schedule: null },
      { kind: "set-schedule", group: 0, schedule: { name: "all", week: [[], [], [], [], [], [], []], holiday: [] } },
      { kind: "set-holidays", days: [] },
      { kind: "set-holidays", days: [20_500, 20_501, 65_535] },
    ] as Change[]) {
      assert.deepEqual(decodeChange(encodeChange(change)), change);
    }
  });

  it("a removal is three bytes: kind, bit, flag", () => {
    const bytes = encodeChange({ kind: "set-schedule", group: 5, schedule: null });
    assert.deepEqual([...bytes], [kind("set-schedule"), 5, 0]);
  });

  it("refuses out-of-range bits, flags, segments, names and holiday lists with their reason", () => {
    const schedule = (s: GroupSchedule, group = 3) => encodeChange({ kind: "set-schedule", group, schedule: s });
    assert.equal(message(schedule(night, 32)), why("group 32 is not 0-31"));
    const flag = schedule(night);
    flag[2] = 2;
    assert.equal(message(flag), why("the schedule flag is not 0 or 1"));
    const day = (segments: { from: number; to: number }[]) => ({ ...night, week: [segments, [], [], [], [], [], []] });
    assert.equal(message(schedule(day([{ from: 1440, to: 60 }]))), why("day 1 of the week has a segment 1440-60 that is not minutes from 0-1439 to 1-1440 (a different minute)"));
    assert.equal(message(schedule(day([{ from: 60, to: 1441 }]))), why("day 1 of the week has a segment 60-1441 that is not minutes from 0-1439 to 1-1440 (a different minute)"));
    assert.equal(message(schedule(day([{ from: 60, to: 60 }]))), why("day 1 of the week has a segment 60-60 that is not minutes from 0-1439 to 1-1440 (a different minute)"));
    assert.equal(message(schedule(day([{ from: 60, to: 0 }]))), why("day 1 of the week has a segment 60-0 that is not minutes from 0-1439 to 1-1440 (a different minute)"));
    const many = Array.from({ length: MAX_SEGMENTS_PER_DAY + 1 }, (_, i) => ({ from: i * 60, to: i * 60 + 30 }));
    assert.equal(message(schedule({ ...night, holiday: many })), why(`the holiday has ${MAX_SEGMENTS_PER_DAY + 1} segments, more than ${MAX_SEGMENTS_PER_DAY}`));
    assert.equal(message(schedule({ ...night, name: "" })), why("the group name is not 1-32 letters, digits, _ . - (starting with a letter or digit)"));
    assert.equal(message(schedule({ ...night, name: "<b>x" })), why("the group name is not 1-32 letters, digits, _ . - (starting with a letter or digit)"));
    assert.equal(message(schedule({ ...night, name: "a".repeat(33) })), why("the group name is not 1-32 letters, digits, _ . - (starting with a letter or digit)"));
    const cut = schedule(night);
    assert.equal(message(cut.subarray(0, cut.length - 1)), why("it ends early"));
    const longer = new Uint8Array(cut.length + 1);
    longer.set(cut);
    assert.equal(message(longer), why("it has trailing bytes"));

    const holidays = (days: number[]) => encodeChange({ kind: "set-holidays", days });
    assert.equal(message(holidays([5, 5])), why("its holidays are not in increasing order without repeats"));
    assert.equal(message(holidays([6, 5])), why("its holidays are not in increasing order without repeats"));
    const tooMany = Uint8Array.from([kind("set-holidays"), (MAX_HOLIDAYS + 1) >> 8, (MAX_HOLIDAYS + 1) & 0xff]);
    assert.equal(message(tooMany), why(`it lists ${MAX_HOLIDAYS + 1} holidays, more than ${MAX_HOLIDAYS}`));
    assert.equal(message(holidays([1, 2]).subarray(0, 4)), why("it ends early"));
  });

  it("are parted from the registry's changes in order, and the Registry itself refuses them", () => {
    const add = encodeChange({ kind: "clear-pin", id: 5 });
    const set = encodeChange({ kind: "set-schedule", group: 3, schedule: night });
    const days = encodeChange({ kind: "set-holidays", days: [20_500] });
    const split = splitPolicyChanges([set, add, days]);
    assert.deepEqual(split.changes, [add]);
    assert.deepEqual(split.policy.map((c) => c.kind), ["set-schedule", "set-holidays"]);
    const registry = newRegistry();
    assert.throws(() => registry.apply(set), (e) => isOptgateError(e, "E_NOT_REGISTRY_CHANGE"));
    assert.throws(() => registry.apply(days), (e) => isOptgateError(e, "E_NOT_REGISTRY_CHANGE"));
  });
});
