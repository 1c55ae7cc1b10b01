// The online flag's payload (src/core/sync/online.ts). Portable.
import assert from "node:assert/strict";
import { MAX_FIRMWARE_ID, encodeOnline, parseOnline } from "../../../src/core/sync/online";

const text = (b: Uint8Array) => String.fromCharCode(...b);
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("sync/online flag", () => {
  it("says online and the firmware, and reads it back", () => {
    assert.equal(text(encodeOnline("optgate/0.1.0")), "1 optgate/0.1.0");
    assert.deepEqual(parseOnline(encodeOnline("optgate/0.1.0")), { online: true, firmware: "optgate/0.1.0" });
    assert.deepEqual(parseOnline(bytes("1")), { online: true });
    assert.deepEqual(parseOnline(bytes("0")), { online: false });
    assert.deepEqual(parseOnline(new Uint8Array(0)), { online: false });
  });

  it("leaves out a firmware id it cannot show, and reads anything malformed as offline", () => {
    for (const bad of ["", "a b", "x".repeat(MAX_FIRMWARE_ID + 1), "caf\u00e9", "tab\t"]) assert.equal(text(encodeOnline(bad)), "1", JSON.stringify(bad));
    assert.equal(text(encodeOnline("x".repeat(MAX_FIRMWARE_ID))), `1 ${"x".repeat(MAX_FIRMWARE_ID)}`);
    assert.deepEqual(parseOnline(encodeOnline("x".repeat(MAX_FIRMWARE_ID))), { online: true, firmware: "x".repeat(MAX_FIRMWARE_ID) });
    // What a hostile publisher may put on the topic: only the exact form reads as online.
    for (const bad of ["1xoptgate/0.1.0", "1\toptgate/0.1.0", "1_<script>", "0 optgate/0.1.0"]) assert.deepEqual(parseOnline(bytes(bad)), { online: false }, JSON.stringify(bad));
    assert.deepEqual(parseOnline(bytes("1 <script>alert(1)</script>")), { online: true, firmware: "<script>alert(1)</script>" }, "printable: shown escaped by the office page (gates-audit.node.test.ts)");
    for (const bad of ["1x", "1 ", "1  a", "1 a b", `1 ${"x".repeat(MAX_FIRMWARE_ID + 1)}`, "1 \u0001", "2", "01"]) {
      assert.deepEqual(parseOnline(bytes(bad)), { online: false }, JSON.stringify(bad));
    }
  });
});
