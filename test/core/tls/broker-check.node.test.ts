// The gate's rules for the broker's certificate (src/core/tls/broker-check.ts)
// against certificates openssl makes now, signatures checked by node:crypto
// (Moddable's ssl/cert does it on the board; test/moddable/tls-lin.node.test.ts
// runs the same rules inside the real TLS handshake). The adversary's
// certificates: another CA with the same name, the right name signed by the
// wrong CA, a wrong or missing name, a wildcard too wide, dates outside the
// validity while the clock is trusted.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { brokerCertificateRefusal, MAX_BROKER_CERT_BYTES } from "../../../src/core/tls/broker-check";
import { TestPki, type Issued } from "../../support/test-pki";

const signedBy = (issuer: Uint8Array, cert: Uint8Array) => new X509Certificate(Buffer.from(cert)).verify(new X509Certificate(Buffer.from(issuer)).publicKey);

describe("the broker's certificate against the CA set with hub ca", function () {
  this.timeout(120_000);
  const pki = new TestPki();
  let ca: Issued, twin: Issued, hub: Issued, forged: Issued, ip: Issued, wild: Issued, cnOnly: Issued;
  before(() => {
    ca = pki.ca("site-ca", "/CN=optgate site CA");
    twin = pki.ca("twin-ca", "/CN=optgate site CA"); // the same subject, another key
    hub = pki.leaf("hub", "site-ca", ["DNS:hub.example.org", "DNS:mqtt.example.org"], { days: 30 });
    forged = pki.leaf("forged", "twin-ca", ["DNS:hub.example.org"]);
    ip = pki.leaf("ip", "site-ca", ["IP:192.168.1.20"]);
    wild = pki.leaf("wild", "site-ca", ["DNS:*.example.org"]);
    cnOnly = pki.leaf("cn-only", "site-ca", [], { cn: "hub.example.org" });
  });
  after(() => pki.dispose());

  const check = (leaf: Issued, host: string, now?: number, caDer = ca.der) => brokerCertificateRefusal([leaf.der, caDer], { host, ca: caDer, now }, signedBy);

  it("accepts the broker's certificate for each name it holds, any case, with or without a trusted clock", () => {
    assert.equal(check(hub, "hub.example.org"), undefined);
    assert.equal(check(hub, "MQTT.Example.org", Date.now()), undefined);
    assert.equal(check(ip, "192.168.1.20", Date.now()), undefined);
    assert.equal(brokerCertificateRefusal([hub.der], { host: "hub.example.org", ca: ca.der }, signedBy), undefined, "the CA need not be sent");
  });

  it("refuses the right name signed by another CA, even one with the same name, and even when the real CA is sent after it", () => {
    assert.equal(check(forged, "hub.example.org"), "the broker's certificate is not signed by the CA set with hub ca");
    assert.equal(check(hub, "hub.example.org", undefined, twin.der), "the broker's certificate is not signed by the CA set with hub ca", "gate configured with the twin");
    const other = pki.ca("other-ca");
    assert.equal(check(hub, "hub.example.org", undefined, other.der), "the broker's certificate is not issued by the CA set with hub ca");
    assert.equal(check(ca, "hub.example.org"), "the broker's certificate does not name hub.example.org", "the CA itself as the broker's certificate");
  });

  it("refuses a certificate that does not name the host: another name, the address for a name, a common name only, a wildcard over two labels", () => {
    assert.equal(check(hub, "evil.example.org"), "the broker's certificate does not name evil.example.org");
    assert.equal(check(hub, "hub.example.org.evil.net"), "the broker's certificate does not name hub.example.org.evil.net");
    assert.equal(check(ip, "192.168.1.21"), "the broker's certificate does not name 192.168.1.21");
    assert.equal(check(hub, "192.168.1.20"), "the broker's certificate does not name 192.168.1.20");
    assert.equal(check(cnOnly, "hub.example.org"), "the broker's certificate does not name hub.example.org", "no common-name fallback");
    assert.equal(check(wild, "hub.example.org"), undefined);
    assert.equal(check(wild, "a.hub.example.org"), "the broker's certificate does not name a.hub.example.org");
    assert.equal(check(wild, "example.org"), "the broker's certificate does not name example.org");
  });

  it("with a trusted clock, refuses a certificate not yet valid or expired, and an expired CA; without one, dates are not checked", () => {
    const leaf = new X509Certificate(Buffer.from(hub.der));
    const from = Date.parse(leaf.validFrom), to = Date.parse(leaf.validTo);
    assert.match(check(hub, "hub.example.org", from - 60_000) ?? "", /^the broker's certificate is not valid before \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(check(hub, "hub.example.org", to + 1000) ?? "", /^the broker's certificate expired on /);
    assert.equal(check(hub, "hub.example.org", to - 1000), undefined);
    const longLeaf = pki.leaf("long", "site-ca", ["DNS:hub.example.org"], { days: 7300 });
    const caTo = Date.parse(new X509Certificate(Buffer.from(ca.der)).validTo);
    assert.match(check(longLeaf, "hub.example.org", caTo + 1000) ?? "", /^the CA set with hub ca expired on /);
    assert.equal(check(hub, "hub.example.org", undefined), undefined, "untrusted clock: the signature and the name decide");
  });

  it("refuses nothing sent, an oversized or undecodable certificate, and a signature check that throws, without throwing", () => {
    assert.equal(brokerCertificateRefusal([], { host: "hub.example.org", ca: ca.der }, signedBy), "the broker sent no certificate");
    assert.match(brokerCertificateRefusal([new Uint8Array(MAX_BROKER_CERT_BYTES + 1)], { host: "h", ca: ca.der }, signedBy) ?? "", /4097 bytes/);
    for (let n = 0; n < hub.der.length; n += 7) {
      assert.notEqual(brokerCertificateRefusal([hub.der.subarray(0, n)], { host: "hub.example.org", ca: ca.der }, signedBy), undefined);
    }
    assert.equal(brokerCertificateRefusal([hub.der], { host: "hub.example.org", ca: ca.der }, () => { throw new Error("engine"); }), "the broker's certificate is not signed by the CA set with hub ca");
  });
});
