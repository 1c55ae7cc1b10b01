// Ids read from the office's URLs and forms: plain decimal digits within the
// column's bound, anything else is no id (the route answers its own 404).
import assert from "node:assert/strict";
import { GATE_ID_MAX, parseId, RESIDENT_ID_MAX, USER_ID_MAX } from "../../../../tools/hub/web/params";

describe("office ids (hub web)", () => {
  it("reads decimal digits up to the bound, 0 included", () => {
    assert.equal(parseId("0", RESIDENT_ID_MAX), 0);
    assert.equal(parseId("42", RESIDENT_ID_MAX), 42);
    assert.equal(parseId("00000042", RESIDENT_ID_MAX), 42);
    assert.equal(parseId("16777215", RESIDENT_ID_MAX), 16777215);
    assert.equal(parseId("4294967295", GATE_ID_MAX), 4294967295);
    assert.equal(parseId("2147483647", USER_ID_MAX), 2147483647);
  });

  it("refuses ids past the bound, or longer than the bound is written", () => {
    assert.equal(parseId("16777216", RESIDENT_ID_MAX), undefined);
    assert.equal(parseId("000000042", RESIDENT_ID_MAX), undefined);
    assert.equal(parseId("4294967296", GATE_ID_MAX), undefined);
    assert.equal(parseId("2147483648", USER_ID_MAX), undefined);
    assert.equal(parseId("9".repeat(400), GATE_ID_MAX), undefined);
  });

  it("refuses anything but a string of ASCII digits", () => {
    for (const raw of [42, undefined, null, ["1"], "", " 1", "1 ", "-1", "+1", "1e3", "1.0", "0x10", "١٢"]) {
      assert.equal(parseId(raw, GATE_ID_MAX), undefined, JSON.stringify(raw));
    }
  });
});
