// Downloads the gate's audit log page by page and re-verifies its hash chain
// on the host, with the same verification the firmware uses, so a gate (or a
// cable) that alters records cannot also vouch for them.
import { verifyChain, type VerifyResult } from "../../src/core/audit/audit-log";
import { decodeRecord, type AuditRecord } from "../../src/core/audit/audit-record";
import type { LogExportView } from "../../src/core/console/backend";
import { fromHex, toHex } from "../../src/core/crypto";

export interface DownloadedLog {
  records: Uint8Array[];
  anchor: { seq: number; hash: Uint8Array };
  head: { seq: number; hash: Uint8Array };
  result: VerifyResult;
}

export async function downloadLog(data: <T>(line: string) => Promise<T>, pageSize = 100): Promise<DownloadedLog> {
  const records: Uint8Array[] = [];
  let page = await data<LogExportView>(`log export --from 0 --limit ${pageSize}`);
  const anchor = { seq: page.anchor.seq, hash: fromHex(page.anchor.hash) };
  for (;;) {
    records.push(...page.records.map((hex) => fromHex(hex)));
    if (page.next === null) break;
    page = await data<LogExportView>(`log export --from ${page.next} --limit ${pageSize}`);
  }
  const head = { seq: page.head.seq, hash: fromHex(page.head.hash) };
  const result = verifyChain({ ...anchor, watermark: -Infinity }, records, head);
  return { records, anchor, head, result };
}

/** One JSON object per line: the decoded fields plus the stored bytes, for archiving. */
export function logLines(records: Uint8Array[]): string[] {
  return records.map((bytes) => {
    let record: AuditRecord | undefined;
    try {
      record = decodeRecord(bytes);
    } catch {
      record = undefined;
    }
    const fields = record ? { seq: record.seq, time: new Date(record.time).toISOString(), actorKind: record.actorKind, actor: record.actor, kind: record.kind, decision: record.decision, reason: record.reason, subject: record.subject } : { malformed: true };
    return JSON.stringify({ ...fields, bytes: toHex(bytes) });
  });
}

export function describeResult(log: DownloadedLog): string {
  if (log.result.ok) return `${log.records.length} records, chain intact from after seq ${log.anchor.seq} to seq ${log.head.seq}.`;
  return `CHAIN BROKEN at seq ${log.result.seq} (${log.result.problem}); keep this download and the gate's store for inspection.`;
}
