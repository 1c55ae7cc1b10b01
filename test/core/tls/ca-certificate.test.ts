// What hub ca accepts: one X.509 v3 CA certificate (PEM or base64 DER, at
// most 2 KB) with an RSA or EC key, signed with SHA-256 or stronger. Everything
// else is refused with E_BAD_CA and a reason, never another exception: cut
// short at every length, every byte flipped, the broker's own certificate, a
// v1 or SHA-1 certificate, a key, a chain, a bundle. Portable (Node and XS).
import assert from "node:assert/strict";
import { isOptgateError } from "../../../src/core/errors";
import { base64Decode, caDerFromText, inspectCa, MAX_CA_BYTES } from "../../../src/core/tls/ca-certificate";
import { CA_NOT_AFTER, CA_NOT_BEFORE, CA_PEM, CA_SHA256, EC_PEM, EC_SHA256, LEAF_PEM, SHA1_PEM, V1_PEM } from "../../support/test-ca-certs";

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isOptgateError(error), `not an OptgateError: ${String(error)}`);
    assert.equal(error.code, "E_BAD_CA");
    return error.message;
  }
  assert.fail("accepted");
}

const base64Of = (pem: string) => pem.split("\n").filter((l) => !l.startsWith("-----")).join("");

describe("the CA certificate a technician gives (hub ca)", () => {
  it("reads an RSA CA and an EC CA: the fingerprint and validity openssl prints", () => {
    const rsa = inspectCa(caDerFromText(CA_PEM));
    assert.deepEqual(rsa, { fingerprint: CA_SHA256, notBefore: Date.UTC(2026, 11, 4, 21, 38, 46), notAfter: Date.UTC(2126, 10, 10, 21, 38, 46), key: "rsa" });
    assert.equal(new Date(rsa.notBefore).toISOString().replace(".000", ""), CA_NOT_BEFORE, "UTCTime");
    assert.equal(new Date(rsa.notAfter).toISOString().replace(".000", ""), CA_NOT_AFTER, "GeneralizedTime (after 2049)");
    assert.equal(inspectCa(caDerFromText(EC_PEM)).fingerprint, EC_SHA256);
    assert.equal(inspectCa(caDerFromText(EC_PEM)).key, "ec");
  });

  it("takes the PEM with CRLF line ends and spaces, or the base64 DER alone", () => {
    const der = caDerFromText(CA_PEM);
    assert.deepEqual(caDerFromText(`  ${CA_PEM.split("\n").join("\r\n")}\r\n`), der);
    assert.deepEqual(caDerFromText(base64Of(CA_PEM)), der);
  });

  it("refuses the broker's own certificate, a v1 certificate and a SHA-1 signature, saying why", () => {
    assert.match(refusal(() => inspectCa(caDerFromText(LEAF_PEM))), /not a CA .*not the broker's own/);
    assert.match(refusal(() => inspectCa(caDerFromText(V1_PEM))), /X\.509 v1/);
    assert.match(refusal(() => inspectCa(caDerFromText(SHA1_PEM))), /signed with 1\.2\.840\.113549\.1\.1\.5; use RSA or ECDSA with SHA-256/);
  });

  it("refuses a key, a chain, text around the certificate, and what is not base64", () => {
    assert.match(refusal(() => caDerFromText("-----BEGIN PRIVATE KEY-----\nMIIEvQ==\n-----END PRIVATE KEY-----")), /Give one certificate/);
    assert.match(refusal(() => caDerFromText(`${CA_PEM}\n${EC_PEM}`)), /Give one certificate/);
    assert.match(refusal(() => caDerFromText(`${CA_PEM}\ntrailing`)), /text after/);
    assert.match(refusal(() => caDerFromText("")), /empty/);
    assert.match(refusal(() => caDerFromText(base64Of(CA_PEM).slice(0, -3))), /not base64/);
    assert.match(refusal(() => caDerFromText(`${base64Of(CA_PEM).slice(0, 40)}*${base64Of(CA_PEM).slice(41)}`)), /not base64/);
  });

  it("refuses more than 2 KB before decoding it, and DER longer than 2 KB", () => {
    assert.match(refusal(() => caDerFromText("A".repeat(4 * 700))), /larger than 2048 bytes/);
    const big = new Uint8Array(MAX_CA_BYTES + 1);
    assert.match(refusal(() => inspectCa(big)), /2049 bytes, more than 2048/);
  });

  it("cut short at every length: refused with E_BAD_CA, never another exception", () => {
    const der = caDerFromText(CA_PEM);
    for (let n = 0; n < der.length; n++) refusal(() => inspectCa(der.subarray(0, n)));
    const longer = new Uint8Array(der.length + 1);
    longer.set(der);
    assert.match(refusal(() => inspectCa(longer)), /bytes after the end/);
  });

  it("any byte flipped: refused with E_BAD_CA or read with another fingerprint, never another exception", () => {
    const der = caDerFromText(EC_PEM);
    let refused = 0;
    for (let i = 0; i < der.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = der.slice();
        bad[i] ^= flip;
        try {
          assert.notEqual(inspectCa(bad).fingerprint, EC_SHA256);
        } catch (error) {
          if (!isOptgateError(error) || error.code !== "E_BAD_CA") throw error;
          refused++;
        }
      }
    }
    // Flips in names, key and signature bits still decode (the TLS handshake, not this check, catches those).
    assert.ok(refused > 300, `${refused} refused of ${3 * der.length}`);
  });

  it("base64: padding, and one encoding per byte string", () => {
    assert.deepEqual(base64Decode("TWFu"), new Uint8Array([77, 97, 110]));
    assert.deepEqual(base64Decode("TWE="), new Uint8Array([77, 97]));
    assert.deepEqual(base64Decode("TQ=="), new Uint8Array([77]));
    assert.equal(base64Decode("TR=="), undefined, "low bits set under the padding");
    assert.equal(base64Decode("TWF"), undefined);
    assert.equal(base64Decode("T=Fu"), undefined);
  });
});
