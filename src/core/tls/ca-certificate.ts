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
import { BOOLEAN, DerReader, SEQUENCE } from "./der";
import { parseCertificate, type Certificate } from "./x509";

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
  const cert = parseCertificate(der);
  if (cert.version !== 3) throw refuse(`The certificate is X.509 v${cert.version}; a CA certificate is v3 (with basicConstraints CA:TRUE).`);
  const key = cert.keyOid === RSA_KEY ? "rsa" : cert.keyOid === EC_KEY ? "ec" : undefined;
  if (!key) throw refuse(`The CA's key is ${cert.keyOid}; the gate's TLS checks RSA and ECDSA signatures only.`);
  if (!SIGNATURES[cert.signatureOid]) throw refuse(`The CA certificate is signed with ${cert.signatureOid}; use RSA or ECDSA with SHA-256 or stronger.`);
  if (!isCa(cert)) throw refuse("This certificate is not a CA (no basicConstraints CA:TRUE): give the CA that signed the broker's certificate, not the broker's own.");
  if (cert.notAfter <= cert.notBefore) throw refuse("The CA certificate's validity ends before it starts.");
  return { fingerprint: toHex(sha256(der)), notBefore: cert.notBefore, notAfter: cert.notAfter, key };
}

function isCa(cert: Certificate): boolean {
  const value = cert.extensions[BASIC_CONSTRAINTS];
  if (!value) return false;
  const bc = new DerReader(new DerReader(value).next(SEQUENCE).value);
  return bc.peekTag() === BOOLEAN && bc.next(BOOLEAN).value[0] === 0xff;
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
