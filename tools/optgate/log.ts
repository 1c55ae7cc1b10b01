// Downloads the gate's audit chains page by page and checks them on the host
// against a witness file the host keeps, never against what the gate says now:
//
//   - the gate's signing key is pinned at the first download (trust on first
//     use); a later export signed by another key is refused;
//   - each export's signed head must verify and bind exactly the records sent
//     (the digest), so a cable or a proxy cannot edit them;
//   - every record the witness saw before must come back unchanged (REWRITTEN
//     otherwise), and a head below the kept one is a cut (CUT BACK).
//
// The chain's own links are HMACs under a key only the gate holds; the gate
// verifies those (log verify). The host proves what the gate cannot hide:
// that what it signed earlier is still there, unchanged.
import { createPublicKey, verify } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { decodeRecord, type AuditRecord } from "../../src/core/audit/audit-record";
import type { AuditLogName } from "../../src/core/audit/audit-trail";
import { recordsDigest, statementBytes } from "../../src/core/audit/head-signature";
import type { LogExportView } from "../../src/core/console/backend";
import { fromHex, sha256, toHex } from "../../src/core/crypto";

export interface DownloadedLog {
  log: AuditLogName;
  records: Uint8Array[];
  anchor: { seq: number; hash: Uint8Array };
  head: { seq: number; hash: Uint8Array };
  signed?: NonNullable<LogExportView["signed"]>;
}

export async function downloadLog(data: <T>(line: string) => Promise<T>, log: AuditLogName, pageSize = 100): Promise<DownloadedLog> {
  const records: Uint8Array[] = [];
  let page = await data<LogExportView>(`log export --log ${log} --from 0 --limit ${pageSize}`);
  const anchor = { seq: page.anchor.seq, hash: fromHex(page.anchor.hash) };
  for (;;) {
    records.push(...page.records.map((hex) => fromHex(hex)));
    if (page.next === null) break;
    page = await data<LogExportView>(`log export --log ${log} --from ${page.next} --limit ${pageSize}`);
  }
  return { log, records, anchor, head: { seq: page.head.seq, hash: fromHex(page.head.hash) }, signed: page.signed };
}

/** What a host keeps per gate: the pinned key, and per chain the newest signed head and a hash of every record seen. */
export interface Witness {
  publicKey?: string;
  logs: Partial<Record<AuditLogName, { head: { seq: number; hash: string }; seen: Record<string, string> }>>;
}

export function readWitness(file: string): Witness {
  if (!existsSync(file)) return { logs: {} };
  return JSON.parse(readFileSync(file, "utf8")) as Witness;
}

export function writeWitness(file: string, witness: Witness): void {
  writeFileSync(file, JSON.stringify(witness, null, 1) + "\n");
}

export interface WitnessResult {
  ok: boolean;
  problems: string[];
}

/** Checks one download against the witness and, when it holds, records it there. */
export function witness(download: DownloadedLog, kept: Witness): WitnessResult {
  const problems: string[] = [];
  const s = download.signed;
  if (!s) return { ok: false, problems: ["the export carries no signed head"] };
  if (kept.publicKey !== undefined && kept.publicKey !== s.publicKey) problems.push(`SIGNED BY ANOTHER KEY: the gate's key ${s.publicKey.slice(0, 16)}… is not the pinned ${kept.publicKey.slice(0, 16)}…`);
  const statement = statementBytes({
    gateId: s.gateId, log: download.log, anchor: download.anchor, head: download.head, digest: fromHex(s.digest), time: s.time,
  });
  if (!verifyEd25519(fromHex(s.publicKey), statement, fromHex(s.signature))) problems.push("BAD SIGNATURE: the signed head does not verify");
  if (toHex(recordsDigest(download.records)) !== s.digest) problems.push("the records are not the ones the gate signed (digest differs)");
  const before = kept.logs[download.log];
  if (before) {
    if (download.head.seq < before.head.seq) problems.push(`CUT BACK: the gate's ${download.log} head is ${download.head.seq}, a head kept earlier was ${before.head.seq}`);
    else if (download.head.seq === before.head.seq && toHex(download.head.hash) !== before.head.hash) problems.push(`REWRITTEN: head ${before.head.seq} now has another hash`);
    for (const bytes of download.records) {
      const seq = seqOf(bytes);
      const seen = seq === undefined ? undefined : before.seen[String(seq)];
      if (seen !== undefined && seen !== toHex(sha256(bytes))) problems.push(`REWRITTEN: record ${seq} differs from the one witnessed`);
    }
    const nextAfterKept = download.records.find((b) => seqOf(b) === before.head.seq + 1);
    if (nextAfterKept && toHex(decodeRecord(nextAfterKept).prevHash) !== before.head.hash) problems.push(`REWRITTEN: record ${before.head.seq + 1} no longer follows the kept head`);
  }
  if (problems.length) return { ok: false, problems };
  kept.publicKey = s.publicKey;
  const seen = { ...(before?.seen ?? {}) };
  for (const bytes of download.records) {
    const seq = seqOf(bytes);
    if (seq !== undefined) seen[String(seq)] = toHex(sha256(bytes));
  }
  kept.logs[download.log] = { head: { seq: download.head.seq, hash: toHex(download.head.hash) }, seen };
  return { ok: true, problems };
}

function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

function seqOf(bytes: Uint8Array): number | undefined {
  try {
    return decodeRecord(bytes).seq;
  } catch {
    return undefined;
  }
}

/** One JSON object per line: the decoded fields plus the stored bytes, for archiving. */
export function logLines(download: DownloadedLog): string[] {
  return download.records.map((bytes) => {
    let record: AuditRecord | undefined;
    try {
      record = decodeRecord(bytes);
    } catch {
      record = undefined;
    }
    const fields = record
      ? { log: download.log, seq: record.seq, time: new Date(record.time).toISOString(), actorKind: record.actorKind, actor: record.actor, kind: record.kind, decision: record.decision, reason: record.reason, subject: record.subject, detail: record.detail }
      : { log: download.log, malformed: true };
    return JSON.stringify({ ...fields, bytes: toHex(bytes) });
  });
}

export function describeWitness(download: DownloadedLog, result: WitnessResult): string {
  if (result.ok) return `${download.log}: ${download.records.length} records after seq ${download.anchor.seq} to head ${download.head.seq}, signed by the pinned key, consistent with every head kept before.`;
  return `${download.log}: ${result.problems.join("; ")}. Keep this download and the gate's store for inspection.`;
}
