import assert from "node:assert/strict";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
import { matcherContract } from "../../wasm/matcher-contract";

matcherContract("TsMatcher", (dimension, capacity) => new TsMatcher(dimension, capacity));

describe("TsMatcher", () => {
  it("keeps its own copy of a loaded template", () => {
    const m = new TsMatcher(16, 1);
    const template = new Int8Array(16).fill(3);
    m.load(0, template);
    template.fill(-3);
    assert.equal(m.verify(0, new Int8Array(16).fill(1)), 48);
  });
});
