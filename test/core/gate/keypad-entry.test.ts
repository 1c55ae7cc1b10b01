import assert from "node:assert/strict";
import { consentKeys, KeypadEntryBuffer, MAX_FIELD_DIGITS, type KeyResult } from "../../../src/core/gate/keypad-entry";

function type(buffer: KeypadEntryBuffer, keys: string): KeyResult[] {
  return [...keys].map((key) => buffer.press(key));
}

function last(buffer: KeypadEntryBuffer, keys: string): KeyResult {
  const results = type(buffer, keys);
  return results[results.length - 1];
}

describe("keypad entry grammar", () => {
  it("code # PIN # is a PIN entry", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "1203#4711#"), { kind: "entry", entry: { kind: "pin", who: "1203", pin: "4711" } });
    assert.equal(buffer.stage, "idle");
  });

  it("asks for the PIN after the code", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "12#"), { kind: "progress", stage: "pin", digits: 0 });
    assert.deepEqual(last(buffer, "4"), { kind: "progress", stage: "pin", digits: 1 });
  });

  it("* clears everything, at any point", () => {
    const buffer = new KeypadEntryBuffer();
    type(buffer, "12#47");
    assert.deepEqual(buffer.press("*"), { kind: "cleared" });
    assert.equal(buffer.digits, 0);
    assert.deepEqual(last(buffer, "9#1#"), { kind: "entry", entry: { kind: "pin", who: "9", pin: "1" } });
  });

  it("# code # with 4+ digits is a visitor code", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "#583920#"), { kind: "entry", entry: { kind: "code", code: "583920" } });
  });

  it("#1## and A start a face session", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "#1##"), { kind: "entry", entry: { kind: "face" } });
    assert.deepEqual(buffer.press("A"), { kind: "entry", entry: { kind: "face" } });
  });

  it("#9# code # PIN # and B code # PIN # withdraw consent", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "#9#305#246813#"), { kind: "entry", entry: { kind: "withdraw", who: "305", pin: "246813" } });
    assert.deepEqual(last(buffer, "B305#246813#"), { kind: "entry", entry: { kind: "withdraw", who: "305", pin: "246813" } });
  });

  it("#8# code # PIN # and C code # PIN # confirm a consent request", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "#8#"), { kind: "progress", stage: "consent-who", digits: 0 });
    assert.deepEqual(last(buffer, "42#"), { kind: "progress", stage: "consent-pin", digits: 0 });
    assert.deepEqual(last(buffer, "482913#"), { kind: "entry", entry: { kind: "consent", who: "42", pin: "482913" } });
    assert.deepEqual(buffer.press("C"), { kind: "progress", stage: "consent-who", digits: 0 });
    assert.deepEqual(last(buffer, "42#482913#"), { kind: "entry", entry: { kind: "consent", who: "42", pin: "482913" } });
    // C, like A and B, only starts something from a clean keypad; * abandons it.
    assert.deepEqual(last(buffer, "4C"), { kind: "rejected", why: "unknown-key" });
    assert.deepEqual(last(buffer, "C42#48*"), { kind: "cleared" });
    assert.equal(buffer.stage, "idle");
    assert.deepEqual(last(buffer, "C#"), { kind: "rejected", why: "empty" });
  });

  it("consentKeys names exactly the keys the grammar reads as that resident's consent", () => {
    const { keys, keys4x4 } = consentKeys(42);
    assert.deepEqual([keys, keys4x4], ["#8#42#<PIN>#", "C42#<PIN>#"]);
    for (const form of [keys, keys4x4]) {
      const buffer = new KeypadEntryBuffer();
      assert.deepEqual(last(buffer, form.replace("<PIN>", "135724")), { kind: "entry", entry: { kind: "consent", who: "42", pin: "135724" } });
    }
  });

  it("after a card the digits are that card's PIN", () => {
    const buffer = new KeypadEntryBuffer();
    buffer.expectCardPin();
    assert.deepEqual(last(buffer, "4711#"), { kind: "entry", entry: { kind: "card-pin", pin: "4711" } });
  });

  it("rejects unknown functions, short codes, empty fields, stray keys and overlong fields", () => {
    const buffer = new KeypadEntryBuffer();
    assert.deepEqual(last(buffer, "#5#"), { kind: "rejected", why: "unknown-function" });
    assert.deepEqual(last(buffer, "#12#"), { kind: "rejected", why: "code-too-short" });
    assert.deepEqual(last(buffer, "12##"), { kind: "rejected", why: "empty" });
    assert.deepEqual(last(buffer, "1#2A"), { kind: "rejected", why: "unknown-key" });
    assert.deepEqual(buffer.press("D"), { kind: "rejected", why: "unknown-key" });
    assert.deepEqual(last(buffer, "1".repeat(MAX_FIELD_DIGITS + 1)), { kind: "rejected", why: "too-long" });
    // Every rejection leaves a clean buffer behind.
    assert.equal(buffer.stage, "idle");
    assert.equal(buffer.digits, 0);
  });

  it("a random key stream never yields an entry with non-digit fields", () => {
    const buffer = new KeypadEntryBuffer();
    const keys = "0123456789*#ABCD";
    let seed = 7;
    const count = (globalThis as { __XS__?: boolean }).__XS__ ? 3000 : 30000;
    let entries = 0;
    for (let i = 0; i < count; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const result = buffer.press(keys[(seed >> 16) % keys.length]);
      if (result.kind !== "entry") continue;
      entries++;
      for (const value of Object.values(result.entry)) {
        if (value === result.entry.kind) continue;
        assert.match(value as string, /^[0-9]{1,12}$/);
      }
    }
    assert.ok(entries > 0);
  });
});
