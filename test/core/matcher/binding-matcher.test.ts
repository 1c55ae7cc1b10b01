import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import type { MatcherBinding } from "../../../src/core/matcher/binding";
import { BindingMatcher } from "../../../src/core/matcher/binding-matcher";
import * as status from "../../../src/core/matcher/kernel-status";

/** A binding that records calls and answers with a chosen status. */
function fakeBinding(answer: number, initAnswer = status.KERNEL_OK) {
  const calls: string[] = [];
  const binding: MatcherBinding = {
    init: () => { calls.push("init"); return initAnswer; },
    load: () => { calls.push("load"); return answer; },
    clear: () => { calls.push("clear"); return answer; },
    verify: (_slot, _probe, out) => { calls.push("verify"); out.set([0, 77, -1, status.ABSENT_SCORE]); return answer; },
    scan: (_probe, _count, out) => { calls.push("scan"); out.set([2, 90, 1, 80]); return answer; },
    wipe: () => { calls.push("wipe"); },
  };
  return { binding, calls };
}

const code = (c: string) => (e: unknown) => isOptgateError(e, c);

describe("BindingMatcher", () => {
  it("passes results through from the binding", () => {
    const { binding } = fakeBinding(status.KERNEL_OK);
    const m = new BindingMatcher(16, 4, binding);
    assert.equal(m.verify(0, new Int8Array(16)), 77);
    const r = m.scan(new Int8Array(16), 4);
    assert.deepEqual([r.bestIndex, r.bestScore, r.secondIndex, r.secondScore], [2, 90, 1, 80]);
  });

  it("never calls the kernel with input the checks refuse", () => {
    const { binding, calls } = fakeBinding(status.KERNEL_OK);
    const m = new BindingMatcher(16, 4, binding);
    assert.throws(() => m.load(4, new Int8Array(16)), code("E_MATCHER_SLOT"));
    assert.throws(() => m.verify(0, new Int8Array(32)), code("E_MATCHER_DIMENSION"));
    assert.throws(() => m.scan(new Int8Array(16), 5), code("E_MATCHER_CAPACITY"));
    assert.throws(() => m.scan(new Int8Array(16), 0), code("E_MATCHER_EMPTY_GALLERY"));
    assert.throws(() => m.clear(-1), code("E_MATCHER_SLOT"));
    assert.deepEqual(calls, ["init"]);
  });

  it("turns kernel statuses into OptgateErrors, a trap included", () => {
    const cases: [number, string][] = [
      [status.KERNEL_E_TRAP, "E_MATCHER_TRAP"],
      [status.KERNEL_E_PROBE, "E_MATCHER_PROBE"],
      [status.KERNEL_E_NOT_READY, "E_MATCHER_NOT_READY"],
      [status.KERNEL_E_SLOT, "E_MATCHER_SLOT"],
      [status.KERNEL_E_COUNT, "E_MATCHER_CAPACITY"],
      [-99, "E_MATCHER_KERNEL"],
    ];
    for (const [answer, expected] of cases) {
      const m = new BindingMatcher(16, 4, fakeBinding(answer).binding);
      assert.throws(() => m.scan(new Int8Array(16), 4), code(expected));
      assert.throws(() => m.verify(0, new Int8Array(16)), code(expected));
    }
    assert.throws(() => new BindingMatcher(16, 4, fakeBinding(0, status.KERNEL_E_MEMORY).binding), code("E_MATCHER_MEMORY"));
  });
});
