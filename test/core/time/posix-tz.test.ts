import { strict as assert } from "node:assert";
import { fixedOffsetZone, formatLocal, parseTimeZone } from "../../../src/core/time/posix-tz";

const H = 3_600_000;

describe("POSIX time zones", () => {
  it("a fixed zone: CST-8 is UTC+8 all year", () => {
    const cst = parseTimeZone("CST-8");
    assert.equal(cst.offsetMs(Date.UTC(2026, 0, 1)), 8 * H);
    assert.equal(cst.offsetMs(Date.UTC(2026, 6, 1)), 8 * H);
    assert.equal(cst.toUtc(Date.UTC(2026, 6, 1)), Date.UTC(2026, 5, 30, 16));
    assert.equal(formatLocal(Date.UTC(2026, 5, 30, 15, 59, 59), cst), "2026-06-30 23:59:59 +08:00");
  });

  it("central Europe changes at 01:00 UTC on the last Sundays of March and October", () => {
    const cet = parseTimeZone("CET-1CEST,M3.5.0,M10.5.0/3");
    // 2026: last Sunday of March is the 29th, of October the 25th.
    assert.equal(cet.offsetMs(Date.UTC(2026, 2, 29, 0, 59, 59)), 1 * H);
    assert.equal(cet.offsetMs(Date.UTC(2026, 2, 29, 1)), 2 * H);
    assert.equal(cet.offsetMs(Date.UTC(2026, 9, 25, 0, 59, 59)), 2 * H);
    assert.equal(cet.offsetMs(Date.UTC(2026, 9, 25, 1)), 1 * H);
    assert.equal(formatLocal(Date.UTC(2026, 2, 29, 1), cet), "2026-03-29 03:00:00 +02:00");
    // Local midnights either side of the change.
    assert.equal(cet.toUtc(Date.UTC(2026, 2, 29)), Date.UTC(2026, 2, 28, 23));
    assert.equal(cet.toUtc(Date.UTC(2026, 2, 30)), Date.UTC(2026, 2, 29, 22));
    // 02:30 on 29 March never happens: the moment of the change stands in.
    assert.equal(cet.toUtc(Date.UTC(2026, 2, 29, 2, 30)), Date.UTC(2026, 2, 29, 1, 30));
    // 02:30 on 25 October happens twice: the first one.
    assert.equal(cet.toUtc(Date.UTC(2026, 9, 25, 2, 30)), Date.UTC(2026, 9, 25, 0, 30));
  });

  it("the southern hemisphere: summer spans the new year (Sydney)", () => {
    const syd = parseTimeZone("AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert.equal(syd.offsetMs(Date.UTC(2026, 0, 15)), 11 * H);
    assert.equal(syd.offsetMs(Date.UTC(2026, 6, 15)), 10 * H);
    // 5 April 2026 03:00 AEDT = 4 April 16:00 UTC.
    assert.equal(syd.offsetMs(Date.UTC(2026, 3, 4, 15, 59)), 11 * H);
    assert.equal(syd.offsetMs(Date.UTC(2026, 3, 4, 16)), 10 * H);
  });

  it("Jn and n day forms and /time, and the default US rule", () => {
    // J60 is 1 March even in a leap year; 59 (zero-based) is 29 Feb in 2028.
    const j = parseTimeZone("AAA0BBB,J60/0,J300/0");
    assert.equal(j.offsetMs(Date.UTC(2028, 1, 29, 23, 59)), 0);
    assert.equal(j.offsetMs(Date.UTC(2028, 2, 1)), H);
    const n = parseTimeZone("AAA0BBB,59/0,300/0");
    assert.equal(n.offsetMs(Date.UTC(2028, 1, 28, 23, 59)), 0);
    assert.equal(n.offsetMs(Date.UTC(2028, 1, 29)), H);
    const us = parseTimeZone("EST5EDT");
    assert.equal(us.offsetMs(Date.UTC(2026, 2, 8, 6, 59)), -5 * H);
    assert.equal(us.offsetMs(Date.UTC(2026, 2, 8, 7)), -4 * H);
    const late = parseTimeZone("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
    // Summer starts at -2:00 on Sunday 29 March: 22:00 on Saturday local, 01:00 UTC.
    assert.equal(late.offsetMs(Date.UTC(2026, 2, 29, 0, 59)), -3 * H);
    assert.equal(late.offsetMs(Date.UTC(2026, 2, 29, 1)), -2 * H);
  });

  it("fixed offsets in minutes (the old setting) become POSIX strings", () => {
    assert.equal(fixedOffsetZone(480), "<+08>-8");
    assert.equal(fixedOffsetZone(-330), "<-0530>+5:30");
    assert.equal(fixedOffsetZone(0), "<+00>0");
    for (const minutes of [480, -330, 0, 345, -600, 840]) assert.equal(parseTimeZone(fixedOffsetZone(minutes)).offsetMs(0), minutes * 60_000);
  });

  it("refuses what is not a POSIX TZ string, saying what was expected", () => {
    for (const spec of ["", "8", "UTC+", "CET-1CEST,M3.5.0", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.6.0,M10.5.0", "CST-8 x", "Asia/Shanghai", "<+8>-8", "J0"]) {
      assert.throws(() => parseTimeZone(spec), /E_BAD_TIMEZONE/, spec);
    }
  });
});
