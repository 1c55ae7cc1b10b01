import assert from "node:assert/strict";
import { Schedule, parseDate } from "../../../src/core/access/schedule";
import { isOptgateError } from "../../../src/core/errors";

/** Local ms for a local date and time (the schedule works on local time directly). */
function local(date: string, hhmm: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const [hh, mm] = hhmm.split(":").map(Number);
  return Date.UTC(y, m - 1, d, hh, mm);
}

describe("Schedule", () => {
  // 2026-06-05 is a Friday, 06-06 Saturday, 06-07 Sunday, 06-08 Monday.
  const staff = new Schedule({
    week: { mon: ["07:00-12:00", "13:00-18:00"], fri: ["07:00-12:00", "22:00-06:00"], sun: ["23:00-01:00"] },
    holidays: ["2026-06-08"],
    holidaySegments: ["09:00-10:00"],
  });

  it("opens inside each segment of a day and closes in the gap between them", () => {
    const s = new Schedule({ week: { mon: ["07:00-12:00", "13:00-18:00"] } });
    assert.equal(s.check(local("2026-06-01", "07:00")), "open");
    assert.equal(s.check(local("2026-06-01", "11:59")), "open");
    assert.equal(s.check(local("2026-06-01", "12:00")), "closed");
    assert.equal(s.check(local("2026-06-01", "12:30")), "closed");
    assert.equal(s.check(local("2026-06-01", "17:59")), "open");
    assert.equal(s.check(local("2026-06-01", "18:00")), "closed");
    assert.equal(s.check(local("2026-06-02", "08:00")), "closed", "Tuesday has no segments");
  });

  it("runs a segment across midnight into the next day only", () => {
    assert.equal(staff.check(local("2026-06-05", "21:59")), "closed");
    assert.equal(staff.check(local("2026-06-05", "23:30")), "open");
    assert.equal(staff.check(local("2026-06-06", "03:00")), "open", "Saturday early morning from Friday's night shift");
    assert.equal(staff.check(local("2026-06-06", "06:00")), "closed");
    assert.equal(staff.check(local("2026-06-07", "03:00")), "closed", "Sunday early morning is not covered");
  });

  it("wraps Sunday night into Monday, even when Monday is a holiday", () => {
    assert.equal(staff.check(local("2026-06-07", "23:30")), "open");
    assert.equal(staff.check(local("2026-06-08", "00:30")), "open");
    assert.equal(staff.check(local("2026-06-08", "01:00")), "closed");
  });

  it("replaces a holiday's own segments and says holiday when the weekday would have opened", () => {
    assert.equal(staff.check(local("2026-06-08", "09:30")), "open", "holiday segment");
    assert.equal(staff.check(local("2026-06-08", "08:00")), "holiday");
    assert.equal(staff.check(local("2026-06-08", "20:00")), "closed");
    assert.equal(staff.check(local("2026-06-15", "08:00")), "open", "the next Monday is ordinary");
  });

  it("knows when it is open around the clock", () => {
    const day = ["00:00-24:00"];
    assert.equal(new Schedule({ week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day } }).alwaysOpen, true);
    assert.equal(new Schedule({ week: { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day }, holidays: ["2026-01-01"] }).alwaysOpen, false);
    assert.equal(staff.alwaysOpen, false);
  });

  it("refuses malformed segments, days and dates with E_BAD_SCHEDULE", () => {
    for (const bad of ["7:00-12:00", "07:00-25:00", "24:00-01:00", "07:60-08:00", "07:00", "x"]) {
      assert.throws(() => new Schedule({ week: { mon: [bad] } }), (e) => isOptgateError(e, "E_BAD_SCHEDULE"), bad);
    }
    assert.throws(() => new Schedule({ week: { monday: ["07:00-08:00"] } as never }), (e) => isOptgateError(e, "E_BAD_SCHEDULE"));
    for (const bad of ["2026-02-30", "2026-13-01", "26-01-01", "1969-12-31"]) {
      assert.throws(() => parseDate(bad), (e) => isOptgateError(e, "E_BAD_SCHEDULE"), bad);
    }
    assert.equal(parseDate("1970-01-02"), 1);
  });

  it("a holiday's evening segments, not its weekday's, run into the next morning", () => {
    // 2026-06-05 is a Friday holiday: its 22:00-06:00 is replaced by the holiday's own 23:00-01:00.
    const s = new Schedule({ week: { fri: ["22:00-06:00"], sat: ["12:00-13:00"] }, holidays: ["2026-06-05"], holidaySegments: ["23:00-01:00"] });
    assert.equal(s.check(local("2026-06-05", "22:30")), "holiday");
    assert.equal(s.check(local("2026-06-05", "23:00")), "open");
    assert.equal(s.check(local("2026-06-06", "00:00")), "open");
    assert.equal(s.check(local("2026-06-06", "00:59")), "open");
    assert.equal(s.check(local("2026-06-06", "01:00")), "closed");
    assert.equal(s.check(local("2026-06-06", "02:00")), "closed", "Friday's own night shift does not run after a Friday holiday");
    assert.equal(s.check(local("2026-06-13", "02:00")), "open", "the next Saturday morning, after an ordinary Friday");
    const none = new Schedule({ week: { fri: ["22:00-06:00"] }, holidays: ["2026-06-05"] });
    assert.equal(none.check(local("2026-06-06", "00:00")), "closed", "not even the first minute after a closed holiday");
    assert.equal(none.check(local("2026-06-13", "00:00")), "open");
  });

  it("reads segments to the minute; a segment ending where it starts runs a full day", () => {
    const s = new Schedule({ week: { mon: ["08:30-18:15"], wed: ["08:00-08:00"] } });
    assert.equal(s.check(local("2026-06-01", "08:29")), "closed");
    assert.equal(s.check(local("2026-06-01", "08:30")), "open");
    assert.equal(s.check(local("2026-06-01", "18:14")), "open");
    assert.equal(s.check(local("2026-06-01", "18:15")), "closed");
    assert.equal(s.check(local("2026-06-03", "07:59")), "closed");
    assert.equal(s.check(local("2026-06-03", "08:00")), "open");
    assert.equal(s.check(local("2026-06-04", "07:59")), "open");
    assert.equal(s.check(local("2026-06-04", "08:00")), "closed");
  });

  it("tells the technician exactly what is wrong", () => {
    const message = (f: () => unknown): string => { try { f(); } catch (e) { assert.ok(isOptgateError(e, "E_BAD_SCHEDULE")); return (e as Error).message; } return "no error"; };
    const needsWeek = "E_BAD_SCHEDULE: A schedule needs a `week` of segments per day.";
    for (const bad of [null, "mon", {}, { week: null }, { week: "mon" }]) assert.equal(message(() => new Schedule(bad as never)), needsWeek, JSON.stringify(bad));
    // Not an object, even one carrying a week (a function is not a spec read from JSON).
    assert.equal(message(() => new Schedule(Object.assign(() => undefined, { week: { mon: ["08:00-12:00"] } }) as never)), needsWeek);
    assert.equal(message(() => new Schedule({ week: { monday: [] } } as never)), 'E_BAD_SCHEDULE: "monday" is not a day; use mon, tue, wed, thu, fri, sat, sun.');
    assert.equal(message(() => new Schedule({ week: { mon: ["7:00-12:00"] } })), 'E_BAD_SCHEDULE: "7:00-12:00" is not a segment like "08:00-18:30" or "22:00-06:00".');
    for (const bad of ["x08:00-12:00", "08:00-12:00x", "08:00-24:30", "08:00-24:01", "08:00-12:60"]) {
      assert.ok(message(() => new Schedule({ week: { mon: [bad] } })).includes("is not a segment"), bad);
    }
    assert.ok(message(() => new Schedule({ week: { mon: [["08:00-12:00"]] } } as never)).includes("is not a segment"));
    assert.equal(new Schedule({ week: { mon: ["08:00-24:00"] } }).check(local("2026-06-01", "23:59")), "open");
    assert.equal(message(() => parseDate("2026-02-30")), 'E_BAD_SCHEDULE: "2026-02-30" is not a date like 2026-10-01.');
    for (const bad of ["x2026-10-01", "2026-10-01x", "2026-04-31", "2026-00-10", "2026-10-00"]) assert.ok(message(() => parseDate(bad)).includes("is not a date"), bad);
    assert.ok(message(() => parseDate(["2026-10-01"] as never)).includes("is not a date"));
    assert.equal(parseDate("2026-10-01"), Date.UTC(2026, 9, 1) / 86_400_000);
  });
});
