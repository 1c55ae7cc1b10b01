// Signed audit heads: what `log export` hands out and a host tool keeps.
//
// The statement a gate signs (Ed25519, key from its key root) binds a chain's
// retained window: which gate and chain, the anchor the oldest record follows,
// the head (seq and chain hash) and a SHA-256 digest of every record between.
// Whoever keeps a signed head can later prove a cut-back (a newer export whose
// head is below it) or a rewrite (a record it saw, now different), and prove
// to a third party that the gate itself said so: only the gate can sign.
import { sha256, utf8 } from "../crypto";
import type { Ed25519Signer } from "../ed25519";
import type { AuditAnchor, AuditHead } from "./audit-log";
import type { AuditLogName } from "./audit-trail";

const TAG = "optgate audit head v1";

export interface SignedHead {
  gateId: number;
  log: AuditLogName;
  anchor: AuditHead;
  head: AuditHead;
  /** SHA-256 over the records (each: length byte, bytes), anchor exclusive to head inclusive. */
  digest: Uint8Array;
  /** Gate clock when signed (ms); informative only. */
  time: number;
  signature: Uint8Array;
}

/** Digest of a run of records as the statement binds them. */
export function recordsDigest(records: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const r of records) length += 1 + r.length;
  const all = new Uint8Array(length);
  let at = 0;
  for (const r of records) {
    all[at++] = r.length;
    all.set(r, at);
    at += r.length;
  }
  return sha256(all);
}

/** The exact bytes signed. */
export function statementBytes(s: Omit<SignedHead, "signature">): Uint8Array {
  const tag = utf8(TAG);
  const out = new Uint8Array(tag.length + 1 + 4 + 1 + 2 * (4 + 32) + 32 + 8);
  const view = new DataView(out.buffer);
  out.set(tag, 0);
  let at = tag.length + 1; // NUL separator
  view.setUint32(at, s.gateId >>> 0);
  at += 4;
  out[at++] = s.log === "access" ? 0 : 1;
  for (const h of [s.anchor, s.head]) {
    view.setUint32(at, h.seq);
    out.set(h.hash, at + 4);
    at += 36;
  }
  out.set(s.digest, at);
  view.setFloat64(at + 32, s.time);
  return out;
}

export function signHead(signer: Ed25519Signer, s: Omit<SignedHead, "signature">): SignedHead {
  return { ...s, signature: signer.sign(statementBytes(s)) };
}

/** The anchor as a head (seq, hash): what a statement carries of it. */
export function anchorHead(anchor: AuditAnchor): AuditHead {
  return { seq: anchor.seq, hash: anchor.hash.slice() };
}
