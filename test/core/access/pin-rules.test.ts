// Which new PINs are refused as guessable, rule by rule and at every bound
// (portable: Node and XS). Each PIN trips one rule only.
import assert from "node:assert/strict";
import { pinQualityOf, weakPinReason } from "../../../src/core/access/pin-rules";

const REPEAT = "it repeats a digit or a group of digits";
const RUN = "it is a run of consecutive digits";
const RESIDENT = "it contains the resident number";
const DATE = "it reads as a date";

function check(cases: [string, string | undefined][], id = 0): void {
  for (const [pin, why] of cases) assert.equal(weakPinReason(pin, id), why, pin);
}

describe("pin rules", () => {
  it("repeats of any block that divides the PIN, up to half its length", () => {
    check([["777777", REPEAT], ["373737", REPEAT], ["518518", REPEAT], ["51855185", REPEAT], ["518371", undefined], ["5185183", undefined]]);
  });

  it("runs up and down, wrapping past 9", () => {
    check([["345678", RUN], ["876543", RUN], ["789012", RUN], ["210987", RUN], ["345679", undefined]]);
  });

  it("the resident number: anywhere from 3 digits, padded either side below that", () => {
    check([["512394", RESIDENT], ["583170", undefined]], 123);
    check([["000042", RESIDENT], ["420000", RESIDENT], ["004200", undefined], ["518342", undefined]], 42);
    check([["000007", RESIDENT], ["700000", RESIDENT]], 7);
    check([["000042", undefined]], 0);
  });

  it("dates: day and month at their bounds, in every order the keypad invites", () => {
    check([
      // 4 digits: DDMM, MMDD, YYYY
      ["3105", DATE], ["1512", DATE], ["0113", DATE], ["1987", DATE],
      ["1500", undefined], ["0012", undefined], ["1513", undefined], ["3205", undefined], ["1899", undefined], ["2100", undefined],
      // 6 digits: DDMMYY, MMDDYY, YYMMDD, YYYYMM
      ["150687", DATE], ["061587", DATE], ["870615", DATE], ["198706", DATE], ["198701", DATE], ["198712", DATE],
      ["198700", undefined], ["198713", undefined], ["871587", undefined],
      // 8 digits: DDMMYYYY, MMDDYYYY, YYYYMMDD, years 1900-2099
      ["15061987", DATE], ["06151987", DATE], ["19870615", DATE], ["20260501", DATE], ["20261231", DATE],
      ["15061900", DATE], ["15062099", DATE], ["15061899", undefined], ["15062100", undefined],
      ["15131987", undefined], ["19871399", undefined], ["19870632", undefined],
      // other lengths are never dates
      ["51837", undefined], ["5183729", undefined],
    ]);
  });

  it("quality: short below the gate's minimum, weak when guessable, else ok", () => {
    const rule = { min: 6, max: 8 };
    assert.equal(pinQualityOf("5183", rule, 0), "short");
    assert.equal(pinQualityOf("51837", rule, 0), "short");
    assert.equal(pinQualityOf("518372", rule, 0), "ok");
    assert.equal(pinQualityOf("373737", rule, 0), "weak");
    assert.equal(pinQualityOf("518372", { min: 4, max: 8 }, 0), "ok");
  });
});
