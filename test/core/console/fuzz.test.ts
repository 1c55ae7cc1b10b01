// Fuzzing the console: no input may crash it, and before login nothing may
// change. The Node-only twin (fuzz.node.test.ts) runs 100,000 lines.
import assert from "node:assert/strict";
import { fuzzConsole } from "./fuzz-run";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;

describe("console fuzz (portable)", () => {
  it(`${XS ? 300 : 3000} random lines before login: no crash, no mutation`, () => {
    const result = fuzzConsole(XS ? 300 : 3000, 1, false);
    assert.equal(result.mutations, 0);
    assert.ok(result.lines > 0);
  });

  it(`${XS ? 200 : 2000} random lines logged in: no crash, every change audited`, () => {
    const result = fuzzConsole(XS ? 200 : 2000, 2, true);
    assert.ok(result.lines > 0);
  });
});
