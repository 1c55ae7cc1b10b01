// The behaviour every Matcher implementation must show, written once and run
// against each path: TsMatcher (Node and XS), WasmMatcher scalar and SIMD
// (Node). The C path is held to the same golden rows by c-harness.node.test.ts.
import assert from "node:assert/strict";
import { sha256, toHex } from "../../src/core/crypto";
import { isOptgateError } from "../../src/core/errors";
import type { Matcher } from "../../src/core/ports";
import { allGoldenCases, type GoldenFile } from "./golden-inputs";
import golden from "./golden.json";

export type MatcherFactory = (dimension: number, capacity: number) => Matcher;

const goldenFile = golden as GoldenFile;

function rejects(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => isOptgateError(error, code), `expected ${code}`);
}

function hex(bytes: Int8Array): string {
  return toHex(sha256(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
}

export function matcherContract(name: string, make: MatcherFactory): void {
  describe(`${name}: golden vectors`, () => {
    for (const c of allGoldenCases()) {
      it(`${c.name}: same indices and integer scores as the golden file`, () => {
        const expected = goldenFile.cases.find((g) => g.name === c.name);
        assert.ok(expected, `golden.json has case ${c.name}`);
        // The inputs are regenerated, so first prove they are the bytes the golden rows were made from.
        assert.equal(hex(c.gallery), expected.gallerySha256);
        assert.equal(hex(c.probes), expected.probesSha256);
        const matcher = make(c.dim, c.count);
        for (let slot = 0; slot < c.count; slot++) matcher.load(slot, c.gallery.subarray(slot * c.dim, (slot + 1) * c.dim));
        const got = c.verifySlots.map((verifySlot, p) => {
          const probe = c.probes.subarray(p * c.dim, (p + 1) * c.dim);
          const score = matcher.verify(verifySlot, probe);
          const r = matcher.scan(probe, c.count);
          return [verifySlot, score, r.bestIndex, r.bestScore, r.secondIndex, r.secondScore];
        });
        assert.deepEqual(got, expected.rows);
      });
    }
  });

  describe(`${name}: behaviour`, () => {
    const dim = 128;
    const unit = (value: number) => new Int8Array(dim).fill(value);

    it("reuses one ScanResult object across scans", () => {
      const m = make(dim, 4);
      m.load(0, unit(1));
      const first = m.scan(unit(1), 1);
      assert.equal(first.bestIndex, 0);
      assert.equal(first.secondIndex, -1, "a gallery of one has no second best");
      assert.equal(m.scan(unit(2), 1), first);
    });

    it("clear() zeroes a slot so it no longer matches", () => {
      const m = make(dim, 2);
      m.load(0, unit(5));
      m.load(1, unit(3));
      assert.equal(m.verify(0, unit(1)), 5 * dim);
      m.clear(0);
      assert.equal(m.verify(0, unit(1)), 0);
      assert.equal(m.scan(unit(1), 2).bestIndex, 1);
    });

    it("ranks only the first `count` slots", () => {
      const m = make(dim, 3);
      m.load(0, unit(1));
      m.load(1, unit(2));
      m.load(2, unit(9));
      const r = m.scan(unit(1), 2);
      assert.deepEqual([r.bestIndex, r.bestScore, r.secondIndex, r.secondScore], [1, 2 * dim, 0, dim]);
    });

    it("refuses a dimension mismatch without changing the gallery", () => {
      const m = make(dim, 2);
      m.load(0, unit(2));
      rejects(() => m.load(0, new Int8Array(dim - 16).fill(9)), "E_MATCHER_DIMENSION");
      rejects(() => m.load(0, new Int8Array(dim + 1)), "E_MATCHER_DIMENSION");
      rejects(() => m.verify(0, new Int8Array(dim * 2)), "E_MATCHER_DIMENSION");
      rejects(() => m.scan(new Int8Array(16), 1), "E_MATCHER_DIMENSION");
      rejects(() => m.load(0, new Uint8Array(dim) as unknown as Int8Array), "E_MATCHER_DIMENSION");
      assert.equal(m.verify(0, unit(1)), 2 * dim, "slot 0 still holds the template loaded before");
    });

    it("refuses N beyond capacity, an empty gallery, and slots outside the gallery", () => {
      const m = make(dim, 2);
      m.load(1, unit(1));
      rejects(() => m.scan(unit(1), 3), "E_MATCHER_CAPACITY");
      rejects(() => m.scan(unit(1), -1), "E_MATCHER_CAPACITY");
      rejects(() => m.scan(unit(1), 1.5), "E_MATCHER_CAPACITY");
      rejects(() => m.scan(unit(1), 0), "E_MATCHER_EMPTY_GALLERY");
      for (const slot of [-1, 2, 1e9, 0.5, Number.NaN]) {
        rejects(() => m.verify(slot, unit(1)), "E_MATCHER_SLOT");
        rejects(() => m.load(slot, unit(1)), "E_MATCHER_SLOT");
        rejects(() => m.clear(slot), "E_MATCHER_SLOT");
      }
      assert.equal(m.verify(1, unit(1)), dim, "nothing changed");
    });

    it("refuses layouts the kernel cannot hold", () => {
      for (const d of [0, 8, 100, 4112, 128.5]) rejects(() => make(d, 1), "E_MATCHER_DIMENSION");
      for (const n of [0, -1, 2.5, 2 ** 21]) rejects(() => make(dim, n), "E_MATCHER_CAPACITY");
    });
  });
}
