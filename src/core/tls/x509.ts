// The fields of an X.509 certificate the gate's TLS checks look at (the CA
// given at the console, the broker's certificate at each handshake), read
// with the bounded DER reader. Signatures are not checked here: the TLS
// engine does that (Moddable's ssl/cert on the board).
import { BIT_STRING, BOOLEAN, DerReader, derError, derTime, INTEGER, OCTET_STRING, OID, oidText, SEQUENCE } from "./der";

export interface Certificate {
  version: number;
  signatureOid: string;
  /** The issuer and subject Names, DER (compared byte for byte). */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: number;
  notAfter: number;
  keyOid: string;
  /** Extension values (the OCTET STRING's content) by dotted OID. */
  extensions: Record<string, Uint8Array>;
}

export function parseCertificate(der: Uint8Array): Certificate {
  const outer = new DerReader(der);
  const cert = new DerReader(outer.next(SEQUENCE).value);
  outer.end();
  const tbs = new DerReader(cert.next(SEQUENCE).value);
  const signatureOid = oidText(new DerReader(cert.next(SEQUENCE).value).next(OID).value);
  cert.next(BIT_STRING);
  cert.end();
  let version = 1;
  if (tbs.peekTag() === 0xa0) {
    const v = new DerReader(tbs.next(0xa0).value).next(INTEGER).value;
    if (v.length !== 1 || v[0] > 2) throw derError("a bad version");
    version = v[0] + 1;
  }
  tbs.next(INTEGER); // serial
  const inner = oidText(new DerReader(tbs.next(SEQUENCE).value).next(OID).value);
  if (inner !== signatureOid) throw derError("two different signature algorithms");
  const issuer = tbs.next(SEQUENCE).whole;
  const validity = new DerReader(tbs.next(SEQUENCE).value);
  const notBefore = derTime(validity.next());
  const notAfter = derTime(validity.next());
  validity.end();
  const subject = tbs.next(SEQUENCE).whole;
  const spki = new DerReader(tbs.next(SEQUENCE).value);
  const keyOid = oidText(new DerReader(spki.next(SEQUENCE).value).next(OID).value);
  const extensions: Record<string, Uint8Array> = {};
  while (!tbs.done) {
    const field = tbs.next();
    if (field.tag !== 0xa3) continue; // issuer/subject unique ids
    const list = new DerReader(new DerReader(field.value).next(SEQUENCE).value);
    while (!list.done) {
      const ext = new DerReader(list.next(SEQUENCE).value);
      const id = oidText(ext.next(OID).value);
      if (ext.peekTag() === BOOLEAN) ext.next(BOOLEAN);
      if (Object.prototype.hasOwnProperty.call(extensions, id)) throw derError(`extension ${id} twice`);
      extensions[id] = ext.next(OCTET_STRING).value;
      ext.end();
    }
  }
  return { version, signatureOid, issuer, subject, notBefore, notAfter, keyOid, extensions };
}
