// PIN and code rules, the code hash a stored registry depends on, resident
// labels and stored times, at their bounds (portable: Node and XS).
import assert from "node:assert/strict";
import { checkPin, checkPinLength, codeProblem, hashCode, pinProblem } from "../../../src/core/access/secrets";
import { formatResidentId, parseResidentId, toStoredSeconds } from "../../../src/core/access/types";
import { hmacSha256, utf8 } from "../../../src/core/crypto";
import { isOptgateError } from "../../../src/core/errors";
import { deviceKey } from "./fixtures";

function message(f: () => unknown, code: string): string {
  try { f(); } catch (e) { assert.ok(isOptgateError(e, code), (e as Error).message); return (e as Error).message; }
  return "no error";
}

describe("secrets and ids", () => {
  it("PIN length rules: 4 <= min <= max <= 12, whole numbers", () => {
    const why = "E_BAD_POLICY: PIN length must be whole digits with 4 <= min <= max <= 12.";
    for (const bad of [null, { min: 3, max: 8 }, { min: 4, max: 13 }, { min: 9, max: 8 }, { min: 4.5, max: 8 }, { min: 4, max: 8.5 }, { min: "4", max: 8 }]) {
      assert.equal(message(() => checkPinLength(bad as never), "E_BAD_POLICY"), why, JSON.stringify(bad));
    }
    for (const good of [{ min: 4, max: 12 }, { min: 6, max: 6 }]) checkPinLength(good);
  });

  it("a PIN is digits only, within the length, and the refusal says which", () => {
    const rule = { min: 6, max: 8 };
    assert.equal(pinProblem("58301a", rule), "must be digits only");
    assert.equal(pinProblem(583017 as never, rule), "must be digits only");
    assert.equal(pinProblem("58301", rule), "must have 6-8 digits");
    assert.equal(pinProblem("583017461", rule), "must have 6-8 digits");
    assert.equal(pinProblem("583017", rule), undefined);
    assert.equal(pinProblem("58301746", rule), undefined);
    assert.equal(message(() => checkPin("58 017", rule), "E_BAD_PIN"), "E_BAD_PIN: A PIN must be digits only.");
    assert.equal(message(() => checkPin("5830", rule), "E_BAD_PIN"), "E_BAD_PIN: A PIN must have 6-8 digits.");
  });

  it("a code is 6-10 digits and nothing around them", () => {
    for (const bad of ["12345", "12345678901", "x123456", "123456x", "123 456", 123456]) assert.equal(codeProblem(bad as string), "must be 6-10 digits", String(bad));
    for (const good of ["123456", "1234567890"]) assert.equal(codeProblem(good), undefined);
  });

  it("a code's stored hash is HMAC(device key, 'C' + code), cut to 16 bytes: stored registries depend on it", () => {
    assert.deepEqual(hashCode(deviceKey, "73910264"), hmacSha256(deviceKey, utf8("C73910264")).slice(0, 16));
  });

  it("resident labels pad to five digits, never cut", () => {
    assert.deepEqual([1, 42, 9_999, 12_345, 99_999, 100_000, 4_294_967_294].map(formatResidentId),
      ["R00001", "R00042", "R09999", "R12345", "R99999", "R100000", "R4294967294"]);
  });

  it("parses what a keypad or technician types as a resident id", () => {
    assert.deepEqual(["R00042", "r42", "42", "4294967294"].map(parseResidentId), [42, 42, 42, 4_294_967_294]);
    for (const bad of ["R0", "0", "4294967295", "x42", "42x", "RR42", "R", "", "12345678901"]) {
      assert.equal(message(() => parseResidentId(bad), "E_BAD_RESIDENT_ID"), `E_BAD_RESIDENT_ID: "${bad}" is not a resident id (R followed by digits, e.g. R00042).`, bad);
    }
    assert.equal(parseResidentId("1"), 1);
  });

  it("stored times: whole seconds from 1 s after 1970 to before 2106", () => {
    assert.equal(toStoredSeconds(1_000, "validFrom"), 1);
    assert.equal(toStoredSeconds(1_999, "validFrom"), 1);
    assert.equal(toStoredSeconds(0xffffffff * 1000 - 1, "validUntil"), 0xfffffffe);
    for (const bad of [999, 0xffffffff * 1000, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(message(() => toStoredSeconds(bad, "validUntil"), "E_BAD_TIME"), `E_BAD_TIME: validUntil must be a time in ms since 1970 before 2106, got ${String(bad)}.`);
    }
    assert.equal(message(() => toStoredSeconds("1700000000000" as never, "validFrom"), "E_BAD_TIME"), "E_BAD_TIME: validFrom must be a time in ms since 1970 before 2106, got 1700000000000.");
  });
});
