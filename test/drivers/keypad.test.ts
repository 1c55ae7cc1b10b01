import assert from "node:assert/strict";
import { createHostHardware, type HostHardware } from "../../boards/host/io/index";
import { isOptgateError } from "../../src/core/errors";
import { Keypad, type KeypadOptions } from "../../src/drivers/keypad";
import { KeypadMatrix, LAYOUT_3X4, LAYOUT_4X4 } from "../models/keypad-matrix";
import { Rng } from "../models/rng";

interface Rig {
  hw: HostHardware;
  matrix: KeypadMatrix;
  keypad: Keypad;
  keys: string[];
  errors: string[];
  run(ms: number): void;
}

function rig(layout: string[], options: Partial<KeypadOptions> = {}, pins = { rows: [10, 11, 12, 13], columns: [20, 21, 22, 23] }, hw = createHostHardware()): Rig {
  const rows = pins.rows.slice(0, layout.length), columns = pins.columns.slice(0, layout[0].length);
  const matrix = new KeypadMatrix({ gpio: hw.gpio, clock: hw.clock, rows, columns, layout, bounceMs: 8 });
  const keys: string[] = [], errors: string[] = [];
  const keypad = new Keypad({
    rows: rows.map((pin) => ({ io: hw.io.Digital, pin })),
    columns: columns.map((pin) => ({ io: hw.io.Digital, pin })),
    onKey: (key) => keys.push(key),
    onError: (e) => errors.push(e.code),
    ...options,
  });
  const run = (ms: number) => {
    for (let t = 0; t < ms; t += 5) {
      hw.clock.advance(5);
      keypad.tick(hw.clock.now);
    }
  };
  return { hw, matrix, keypad, keys, errors, run };
}

function type(r: Rig, keys: string): void {
  for (const key of keys) {
    r.matrix.press(key);
    r.run(80);
    r.matrix.release(key);
    r.run(80);
  }
}

describe("Keypad", () => {
  it("reads every key of a 3x4 and a 4x4 keypad through bouncing contacts", () => {
    for (const layout of [LAYOUT_3X4, LAYOUT_4X4]) {
      const r = rig(layout);
      const all = layout.join("");
      type(r, all);
      assert.equal(r.keys.join(""), all);
      assert.deepEqual(r.errors, []);
    }
  });

  it("debounces: a glitch shorter than the debounce time is no key", () => {
    const r = rig(LAYOUT_3X4, { debounceMs: 30 });
    r.matrix.bounceMs = 0;
    r.matrix.press("5");
    r.run(15);
    r.matrix.release("5");
    r.run(200);
    assert.deepEqual(r.keys, []);
  });

  it("suppresses repeats while a key is held", () => {
    const r = rig(LAYOUT_3X4);
    r.matrix.press("7");
    r.run(3000);
    r.matrix.release("7");
    r.run(100);
    assert.deepEqual(r.keys, ["7"]);
  });

  it("two keys at once: one error, no key, until all are released", () => {
    const r = rig(LAYOUT_4X4);
    r.matrix.press("1");
    r.matrix.press("9");
    r.run(200);
    r.matrix.release("9"); // "1" still held: must not turn into a key press
    r.run(200);
    r.matrix.release("1");
    r.run(100);
    assert.deepEqual(r.keys, []);
    assert.deepEqual(r.errors, ["E_KEYPAD_MULTIPLE"]);
    type(r, "42");
    assert.deepEqual(r.keys, ["4", "2"]);
  });

  it("a second key while one is held is ignored", () => {
    const r = rig(LAYOUT_3X4);
    r.matrix.press("2");
    r.run(100);
    r.matrix.press("3");
    r.run(100);
    r.matrix.release("2");
    r.run(100);
    r.matrix.release("3");
    r.run(100);
    assert.deepEqual(r.keys, ["2"]);
    assert.deepEqual(r.errors, ["E_KEYPAD_MULTIPLE"]);
  });

  it("a stuck key is reported once and masked; the rest of the keypad keeps working", () => {
    const r = rig(LAYOUT_3X4, { stuckMs: 2000 });
    r.matrix.press("0");
    r.run(2500);
    assert.deepEqual(r.errors, ["E_KEYPAD_STUCK"]);
    assert.deepEqual(r.keys, ["0"]);
    type(r, "123");
    assert.deepEqual(r.keys, ["0", "1", "2", "3"]);
    assert.deepEqual(r.errors, ["E_KEYPAD_STUCK"]);
    r.matrix.release("0");
    r.run(100);
    type(r, "0");
    assert.deepEqual(r.keys, ["0", "1", "2", "3", "0"]);
  });

  it("keeps state per instance: two keypads do not share debounce state", () => {
    const hw = createHostHardware();
    const a = rig(LAYOUT_3X4, {}, { rows: [1, 2, 3, 4], columns: [5, 6, 7, 8] }, hw);
    const b = rig(LAYOUT_3X4, {}, { rows: [11, 12, 13, 14], columns: [15, 16, 17, 18] }, hw);
    a.matrix.press("1");
    for (let t = 0; t < 100; t += 5) {
      hw.clock.advance(5);
      a.keypad.tick(hw.clock.now);
      b.keypad.tick(hw.clock.now);
    }
    assert.deepEqual(a.keys, ["1"]);
    assert.deepEqual(b.keys, []);
  });

  it("rejects a layout that does not match the matrix, and releases its pins on close", () => {
    const hw = createHostHardware();
    const pins = (list: number[]) => list.map((pin) => ({ io: hw.io.Digital, pin }));
    assert.throws(() => new Keypad({ rows: pins([1, 2, 3]), columns: pins([4, 5, 6]), onKey: () => {} }), (e) => isOptgateError(e, "E_KEYPAD_LAYOUT"));
    const k = new Keypad({ rows: pins([1, 2, 3, 4]), columns: pins([5, 6, 7]), onKey: () => {} });
    k.close();
    k.close();
    new Keypad({ rows: pins([1, 2, 3, 4]), columns: pins([5, 6, 7]), onKey: () => {} }).close();
  });

  it("fuzz: random presses, chords and bounce never give a key that was not pressed alone", () => {
    const rounds = (globalThis as { __XS__?: boolean }).__XS__ ? 150 : 1500;
    const rng = new Rng(0x4b4559);
    const r = rig(LAYOUT_4X4);
    const all = LAYOUT_4X4.join("");
    let expected = "";
    for (let i = 0; i < rounds; i++) {
      const chord = rng.int(5) === 0;
      const a = all[rng.int(16)];
      const b = all[rng.int(16)];
      r.matrix.press(a);
      if (chord && b !== a) r.matrix.press(b);
      r.run(40 + rng.int(100));
      for (const key of r.matrix.held) r.matrix.release(key);
      r.run(40 + rng.int(60));
      if (!chord || b === a) expected += a;
    }
    assert.equal(r.keys.join(""), expected);
  });
});
