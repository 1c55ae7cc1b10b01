import assert from "node:assert/strict";
import { OptgateError, isOptgateError } from "../../src/core/errors";

describe("OptgateError", () => {
  it("carries a stable code and a sentence", () => {
    const error = new OptgateError("E_EXAMPLE", "Something a technician can act on.");
    assert.equal(error.code, "E_EXAMPLE");
    assert.equal(error.message, "E_EXAMPLE: Something a technician can act on.");
    assert.ok(error instanceof Error);
  });

  it("is recognised by code", () => {
    const error = new OptgateError("E_EXAMPLE", "x");
    assert.ok(isOptgateError(error));
    assert.ok(isOptgateError(error, "E_EXAMPLE"));
    assert.ok(!isOptgateError(error, "E_OTHER"));
    assert.ok(!isOptgateError(new Error("plain")));
  });
});

describe("OptgateError under a frozen Error.prototype (as on Moddable)", () => {
  it("names itself without writing to the instance", () => {
    const error = new OptgateError("E_EXAMPLE", "x");
    assert.equal(error.name, "OptgateError");
    assert.equal(Object.prototype.hasOwnProperty.call(error, "name"), false);
  });
});
