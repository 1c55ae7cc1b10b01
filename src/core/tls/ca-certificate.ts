// The CA certificate a technician gives the gate (hub ca) so it can check the
// broker's TLS certificate (docs/hub.md). Checked where it enters, so a typo
// or the wrong file is refused at the console, not found at the next
// connection: PEM or base64 DER, at most MAX_CA_BYTES, an X.509 v3
// certificate that says it is a CA (basicConstraints cA), signed and keyed
// with algorithms the gate's TLS can verify (RSA or ECDSA). It is a public
// value: its SHA-256 fingerprint is what hub show prints, to compare with
// `openssl x509 -noout -fingerprint -sha256 -in ca.crt`.
import { OptgateError } from "../errors";
import { sha256, toHex } from "../crypto";
import { BIT_STRING, BOOLEAN, DerReader, derError, derTime, INTEGER, OCTET_STRING, OID, oidText, SEQUENCE } from "./der";

/** An RSA-4096 CA is about 1.9 KB of DER; nothing bigger is needed, and the record stays small. */
export const MAX_CA_BYTES = 2048;
/** Base64 characters of MAX_CA_BYTES. */
const MAX_BASE64 = Math.ceil(MAX_CA_BYTES / 3) * 4;

export interface CaInfo {
  /** SHA-256 of the DER, hex, as openssl prints it without the colons. */
  fingerprint: string;
  notBefore: number;
  notAfter: number;
  /** The CA's own key: what it signs the broker's certificate with. */
  key: "rsa" | "ec";
}

const RSA_KEY = "1.2.840.113549.1.1.1";
const EC_KEY = "1.2.840.10045.2.1";
/** Signature algorithms Moddable's certificate check verifies (ssl/cert), minus MD5, SHA-1 and DSA. */
const SIGNATURES: Record<string, true> = {
  "1.2.840.113549.1.1.11": true, "1.2.840.113549.1.1.12": true, "1.2.840.113549.1.1.13": true, // RSA SHA-256/384/512
  "1.2.840.10045.4.3.2": true, "1.2.840.10045.4.3.3": true, "1.2.840.10045.4.3.4": true, // ECDSA SHA-256/384/512
};
const BASIC_CONSTRAINTS = "2.5.29.19";

function refuse(why: string): OptgateError {
  return new OptgateError("E_BAD_CA", why);
}

/**
 * DER from what was pasted: a PEM certificate (the -----BEGIN CERTIFICATE-----
 * lines and whitespace are dropped) or the DER in base64 on its own.
 */
export function caDerFromText(text: string): Uint8Array {
  let body = text.trim();
  const begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
  if (body.startsWith("-----")) {
    const from = body.indexOf(begin), to = body.indexOf(end);
    if (from !== 0 || to < 0 || body.indexOf(begin, 1) >= 0) {
      throw refuse("Give one certificate: the PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- (not a key, not a chain).");
    }
    if (body.slice(to + end.length).trim() !== "") throw refuse("Give one certificate only: there is text after -----END CERTIFICATE-----.");
    body = body.slice(begin.length, to);
  }
  body = body.replace(/\s+/g, "");
  if (body.length === 0) throw refuse("The CA certificate is empty.");
  if (body.length > MAX_BASE64 + 2) throw refuse(`The CA certificate is larger than ${MAX_CA_BYTES} bytes; give the CA that signed the broker's certificate, not a bundle.`);
  const der = base64Decode(body);
  if (!der) throw refuse("The CA certificate is not base64 (PEM): check that it was pasted whole.");
  return der;
}

/** Checks a CA certificate's DER; throws E_BAD_CA with the reason. */
export function inspectCa(der: Uint8Array): CaInfo {
  if (der.length > MAX_CA_BYTES) throw refuse(`The CA certificate is ${der.length} bytes, more than ${MAX_CA_BYTES}.`);
  const outer = new DerReader(der);
  const cert = new DerReader(outer.next(SEQUENCE).value);
  outer.end();
  const tbs = new DerReader(cert.next(SEQUENCE).value);
  const signature = oidText(new DerReader(cert.next(SEQUENCE).value).next(OID).value);
  cert.next(BIT_STRING);
  cert.end();
  if (tbs.peekTag() !== 0xa0) throw refuse("The certificate is X.509 v1; a CA certificate is v3 (with basicConstraints CA:TRUE).");
  const version = new DerReader(tbs.next(0xa0).value).next(INTEGER).value;
  if (version.length !== 1 || version[0] !== 2) throw refuse("The certificate is not X.509 v3.");
  tbs.next(INTEGER); // serial
  const inner = oidText(new DerReader(tbs.next(SEQUENCE).value).next(OID).value);
  if (inner !== signature) throw derError("two different signature algorithms");
  tbs.next(SEQUENCE); // issuer
  const validity = new DerReader(tbs.next(SEQUENCE).value);
  const notBefore = derTime(validity.next());
  const notAfter = derTime(validity.next());
  validity.end();
  tbs.next(SEQUENCE); // subject
  const spki = new DerReader(tbs.next(SEQUENCE).value);
  const keyOid = oidText(new DerReader(spki.next(SEQUENCE).value).next(OID).value);
  const key = keyOid === RSA_KEY ? "rsa" : keyOid === EC_KEY ? "ec" : undefined;
  if (!key) throw refuse(`The CA's key is ${keyOid}; the gate's TLS checks RSA and ECDSA signatures only.`);
  if (!SIGNATURES[signature]) throw refuse(`The CA certificate is signed with ${signature}; use RSA or ECDSA with SHA-256 or stronger.`);
  let ca = false;
  while (!tbs.done) {
    const field = tbs.next();
    if (field.tag !== 0xa3) continue; // issuer/subject unique ids
    const extensions = new DerReader(new DerReader(field.value).next(SEQUENCE).value);
    while (!extensions.done) {
      const ext = new DerReader(extensions.next(SEQUENCE).value);
      const id = oidText(ext.next(OID).value);
      if (ext.peekTag() === BOOLEAN) ext.next(BOOLEAN);
      const value = ext.next(OCTET_STRING).value;
      if (id === BASIC_CONSTRAINTS) {
        const bc = new DerReader(new DerReader(value).next(SEQUENCE).value);
        ca = bc.peekTag() === BOOLEAN && bc.next(BOOLEAN).value[0] === 0xff;
      }
    }
  }
  if (!ca) throw refuse("This certificate is not a CA (no basicConstraints CA:TRUE): give the CA that signed the broker's certificate, not the broker's own.");
  if (notAfter <= notBefore) throw refuse("The CA certificate's validity ends before it starts.");
  return { fingerprint: toHex(sha256(der)), notBefore, notAfter, key };
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Standard base64 with padding; undefined for anything else. */
export function base64Decode(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j];
      n = n * 64 + (c === "=" ? 0 : ALPHABET.indexOf(c));
    }
    for (let k = 2; k >= 0 && o < out.length; k--) out[o++] = (n >> (8 * k)) & 0xff;
  }
  // Bits below the last byte must be zero (one encoding per byte string).
  if (pad && (ALPHABET.indexOf(text[text.length - pad - 1]) & (pad === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  return out;
}
