// The console's view of the audit trail: log show, verify, export (with the
// gate's signed head) and acknowledge. Split from console-backend.ts.
import { formatResidentId, parseResidentId } from "../core/access/types";
import { decodeRecord } from "../core/audit/audit-record";
import type { AuditLogName, AuditTrail } from "../core/audit/audit-trail";
import type { BreakView, LogEntryView, LogExportView, LogVerifyView } from "../core/console/backend";
import { toHex } from "../core/crypto";
import { OptgateError } from "../core/errors";
import type { AuditStore } from "./audit-store";

export class ConsoleLog {
  readonly #trail: AuditTrail;
  readonly #store: AuditStore | undefined;
  readonly #name: (kind: string, n: number) => string;

  constructor(trail: AuditTrail, store: AuditStore | undefined, actorName: (kind: string, n: number) => string) {
    this.#trail = trail;
    this.#store = store;
    this.#name = actorName;
  }

  show(last: number, actor: string | undefined, only?: AuditLogName): LogEntryView[] {
    // Newest first, stopping once `last` entries match: the rings may hold thousands.
    const out: LogEntryView[] = [];
    const entries = this.#trail.entries();
    for (let i = entries.length - 1; i >= 0 && out.length < last; i--) {
      const e = entries[i];
      if (only && e.log !== only) continue;
      const who = this.#name(e.actorKind, e.actor);
      if (actor !== undefined && who !== actor && !(e.actorKind === "resident" && sameResident(actor, e.actor))) continue;
      out.push({
        log: e.log, seq: e.seq, time: e.time, actor: who, event: e.kind, decision: e.decision, reason: e.reason,
        subject: e.subject ? formatResidentId(e.subject) : null, detail: e.detail,
      });
    }
    return out.reverse();
  }

  verify(): LogVerifyView {
    const v = this.#trail.verify();
    const heads = this.#trail.heads();
    const logs = { access: { entries: v.access.count, head: heads.access.seq }, security: { entries: v.security.count, head: heads.security.seq } };
    // On a gate the store remembers every break (found at boot); in RAM only what verify finds now.
    const breaks: BreakView[] = this.#store
      ? this.#store.breaks()
      : [...v.access.breaks.map((b) => ({ log: "access" as const, ...b, acknowledged: false })), ...v.security.breaks.map((b) => ({ log: "security" as const, ...b, acknowledged: false }))];
    // A break introduced since boot (the RAM ring does not verify) is open too.
    for (const name of ["access", "security"] as const) {
      for (const b of v[name].breaks) {
        if (!breaks.some((k) => k.log === name && k.seq === b.seq)) breaks.push({ log: name, seq: b.seq, problem: b.problem, acknowledged: false });
      }
    }
    return { ok: !breaks.some((b) => !b.acknowledged), entries: v.count, logs, breaks };
  }

  /**
   * Breaks not yet acknowledged, for `status`: on a gate the store's list
   * (every break is found at boot, and appends cannot make new ones), so
   * status does not re-MAC both chains each time; without a store, a verify.
   */
  openBreaks(): BreakView[] {
    const breaks = this.#store ? this.#store.standing() : this.verify().breaks;
    return breaks.filter((b) => !b.acknowledged);
  }

  acknowledge(technician: number, log: AuditLogName, seq: number, now: number): BreakView {
    if (!this.#store) throw new OptgateError("E_UNSUPPORTED", "This gate keeps no audit store: breaks are not remembered.");
    return this.#store.acknowledge(log, seq, technician, now);
  }

  export(name: AuditLogName, from: number, limit: number, now: number): LogExportView {
    // From flash when there is a store: the security chain keeps more there than the ring holds.
    const log = this.#trail.log(name);
    const records = this.#store ? this.#store.readRecords(name) : log.records();
    const anchor = this.#store ? this.#store.anchorOf(name) : log.anchor();
    const head = log.head();
    const first = anchor.seq + 1;
    const start = Math.max(0, from - first);
    const page = records.slice(start, start + limit);
    const end = start + page.length;
    const view: LogExportView = {
      log: name,
      anchor: { seq: anchor.seq, hash: toHex(anchor.hash) },
      head: { seq: head.seq, hash: toHex(head.hash) },
      records: page.map((r) => toHex(r)),
      next: end < records.length ? seqOf(records[end], first + end) : null,
    };
    if (view.next === null && this.#store) {
      const s = this.#store.signedHead(name, now);
      view.signed = { gateId: s.gateId, digest: toHex(s.digest), time: s.time, signature: toHex(s.signature), publicKey: toHex(this.#store.publicKey) };
      if (name === "security") this.#store.markExported(head.seq);
    }
    return view;
  }
}

function seqOf(bytes: Uint8Array, fallback: number): number {
  try {
    return decodeRecord(bytes).seq;
  } catch {
    return fallback;
  }
}

function sameResident(text: string, n: number): boolean {
  try {
    return parseResidentId(text) === n;
  } catch {
    return false;
  }
}
