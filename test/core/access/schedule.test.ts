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
});
