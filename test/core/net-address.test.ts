// The gate's one "address or name" rule (src/core/net-address.ts). Portable.
import assert from "node:assert/strict";
import { isDottedIpv4 } from "../../src/core/net-address";

describe("isDottedIpv4", () => {
  it("takes four numbers 0..255", () => {
    for (const host of ["0.0.0.0", "192.168.1.20", "255.255.255.255", "10.0.0.1"]) assert.equal(isDottedIpv4(host), true, host);
  });

  it("refuses names, out-of-range octets, leading zeros and wrong counts", () => {
    for (const host of ["hub.example.org", "256.1.1.1", "1.1.1.300", "01.2.3.4", "1.2.3", "1.2.3.4.5", "1..2.3", "", "1.2.3.4 ", "a.1.1.1", "1.2.3.-4"]) {
      assert.equal(isDottedIpv4(host), false, JSON.stringify(host));
    }
  });
});
