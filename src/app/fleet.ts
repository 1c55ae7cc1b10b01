// Assembles the gate's fleet link from the firmware's parts (firmware.ts
// calls openFleet when the hub is configured and the board has TCP): the MQTT
// client over the board's socket, GateSync and GateErasures keyed with the
// gate's own signing key, and FleetLink's ports over the store, the core and
// the audit trail. Also the two small records only the link keeps:
//
//   fleet/pending/<id> each withdrawal notice made here and not yet answered by the hub
//   fleet/notified    u32: consent ledger seq up to which every withdrawal made here has its
//                     notice answered by the hub (written with the pending notices)
//   fleet/audit-sent  u32 access, u32 security: stream indexes the broker acknowledged
//   fleet/share/<resident>  a face enrolled here whose share the hub has not answered yet
//                     (fleet-templates.ts): made again from the vault when the link starts
//
// A withdrawal's notice is derived from its consent record (id = hash of the
// gate's key and the record): when the link starts, each withdrawal made here
// past fleet/notified without its notice pending (a power cut came between
// the record and the notice's save) gets it made again, the same notice.
import type { AuditLogName, AuditTrail } from "../core/audit/audit-trail";
import { formatResidentId, parseResidentId, type ResidentId } from "../core/access/types";
import { OptgateError, isOptgateError } from "../core/errors";
import { MqttClient } from "../core/mqtt/client";
import { GateErasures } from "../core/sync/erasure";
import { GateSync } from "../core/sync/gate-sync";
import { inventorySteps } from "../core/sync/inventory";
import { MAX_PACKET_BYTES } from "../core/sync/messages";
import type { LogStore, StoreOp } from "../core/store/log-store";
import { toHex, utf8 } from "../core/crypto";
import type { ConsentLedger } from "../core/face/consent-ledger";
import type { ConsentRecord } from "../core/face/consent-record";
import { legacyNoticeIdOf, noticeIdOf } from "../core/sync/notice-id";
import { readHubAnswer, type HubAnswer } from "../core/sync/hub-answer";
import { isDottedIpv4 } from "../core/net-address";
import { topic } from "../core/sync/topics";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../core/version";
import type { AuditStore } from "./audit-store";
import type { Board } from "./board";
import type { GateCore } from "./core";
import { FleetLink } from "./fleet-link";
import { FleetTemplates } from "./fleet-templates";
import { GateTemplates } from "../core/sync/template-share";
import type { HubSettings } from "./hub-settings";
import { TcpMqttLink } from "./mqtt-tcp-link";
import type { AuditDue, SyncState } from "./sync-persistence";
import type { PinReports } from "./pin-reports";

const PENDING = "fleet/pending/";
const NOTIFIED = "fleet/notified";
const AUDIT_SENT = "fleet/audit-sent";
const SHARE_PENDING = "fleet/share/";
/** One grant moves a trusted clock by at most this, whatever the allowance (core/time/hub-clock.ts); more is a technician's call (clock set). */
export const HUB_TIME_MAX_STEP_MS = 24 * 3600_000;

export interface FleetParts {
  board: Pick<Board, "gateId" | "random" | "tcp" | "clock" | "setClock">;
  store: LogStore;
  core: GateCore;
  auditStore: AuditStore;
  sync: SyncState;
  settings: HubSettings;
  /** The hub's time under the clock's own rules (ClockSource.hubSet: bounded against its running unless the clock lost the time); why not, or undefined. */
  setClock(time: number, bounded: boolean): string | undefined;
  /** Broker password for this gate (Mosquitto's password file), if the broker asks for one. */
  password?: string;
  /** The socket class the link opens (fleet-transport.ts: TCP or TLS); the board's TCP without it. */
  io?: Board["tcp"];
  /** PINs set here under the compound key, for the hub (pin-reports.ts). */
  pins?: PinReports;
  /** Runs `fn` at the next firmware tick (the TCP link reports outside the client's own calls). */
  defer(fn: () => void): void;
  log(line: string): void;
}

export function openFleet(p: FleetParts): FleetLink {
  const { board, core, store, settings } = p;
  const io = p.io ?? board.tcp;
  if (!io) throw new OptgateError("E_FLEET_NO_NETWORK", "This board has no network socket: the gate runs unconnected.");
  const gateId = board.gateId, compoundId = settings.compoundId;
  const sign = (bytes: Uint8Array) => p.auditStore.sign(bytes);
  const link = new TcpMqttLink({
    io, ...(isDottedIpv4(settings.host) ? { address: settings.host } : { host: settings.host }), port: settings.port,
    bufferBytes: MAX_PACKET_BYTES, defer: p.defer,
  });
  const client = new MqttClient({
    link, clientId: `optgate-gate-${compoundId}-${gateId}`, maxPacket: MAX_PACKET_BYTES, random: board.random,
    username: `gate-${compoundId}-${gateId}`, ...(p.password ? { password: utf8(p.password) } : {}),
    will: { topic: topic(compoundId, gateId, "online"), payload: new Uint8Array([0x30]), qos: 1, retain: true },
    room: () => link.room,
  });
  link.attach(client);
  const sync = new GateSync({ gateId, hubKeys: settings.hubKeys, sign, applied: p.sync.applied });
  const erasures = new GateErasures({ gateId, hubKeys: settings.hubKeys, sign, receipts: p.sync.receipts });
  const publicKey = p.auditStore.publicKey;
  const pending = readPending(store, p.log);
  const notices = new NoticeLedger(store, core.ledger, p.log);
  // Templates within the consent's scope need this gate's seal key (every gate with a key root or a sealed audit key has one).
  let share: (message: Uint8Array, label: string) => void = () => {};
  const templates = p.auditStore.hasSealKeys ? new FleetTemplates({
    core, random: board.random, now: () => board.clock.now(), log: p.log, send: (m, label) => share(m, label),
    templates: new GateTemplates({ gateId, hubKeys: settings.hubKeys, sign, sealKeys: () => p.auditStore.sealKeys! }),
  }) : undefined;
  const fleet = new FleetLink({
    compoundId, gateId, client, sync, erasures, random: board.random,
    pending,
    auditProgress: readAuditProgress(store),
    firmware: `${FIRMWARE_NAME}/${FIRMWARE_VERSION}`,
    room: () => link.room,
    ...(templates ? { templates } : {}),
    answer: (payload) => hubAnswer(p.pins, payload, gateId, settings.hubKeys),
    ports: {
      target: p.sync.target,
      pendingErasures: () => p.sync.pendingErasures(),
      erased: (ids) => p.sync.erased(ids),
      eraseTemplate: (id) => eraseTemplate(core, id, board.clock.now()),
      inventory: () => inventorySteps(core.registry),
      auditRecords: (log, from, max, maxBytes) => p.auditStore.recordsFrom(log, from, max, maxBytes),
      signedHead: (log, now) => p.auditStore.signedHead(log, now),
      appendAudit: (entry) => { core.audit.append(entry); },
      saveReceipts: (receipts) => p.sync.saveReceipts(receipts),
      savePending: (list) => kept(p, "withdrawal notices", () => savePending(store, list, notices.notifiedWith(list))),
      saveAuditProgress: (progress) => kept(p, "audit upload progress", () => store.put(AUDIT_SENT, auditProgressBytes(progress))),
      trustedNow: () => {
        const now = board.clock.now();
        return core.access.clockTrusted(now) ? now : undefined;
      },
      wallNow: () => board.clock.now(),
      setClock: (time) => hubTime(p, time),
      holdFace: (reason) => { core.faceHold = reason; },
    },
  });
  if (templates) {
    const done = (label: string) => kept(p, "template share progress", () => { if (store.has(SHARE_PENDING + label)) store.delete(SHARE_PENDING + label); });
    share = (m, label) => fleet.shareTemplate(parseResidentId(label), m, (outcome) => {
      if (outcome !== "taken") p.log(`fleet: the hub did not take ${label}'s template share (${outcome})`);
      done(label);
    });
    const shareNow = (label: string) => {
      try {
        if (templates.enrolledHere(label) === "nothing") done(label);
      } catch (error) {
        if (!isOptgateError(error)) throw error;
        p.log(`fleet: ${label}'s template not shared (${error.message})`);
      }
    };
    // Kept on flash until the hub answers the share: a power cut before it makes it again at the next start.
    core.onEnrolled = (label) => {
      kept(p, "template share to make", () => store.put(SHARE_PENDING + label, new Uint8Array([1])));
      shareNow(label);
    };
    for (const key of store.keys(SHARE_PENDING)) shareNow(key.slice(SHARE_PENDING.length));
  }
  const notify = (record: ConsentRecord, held: boolean) => {
    const id = noticeIdOf(publicKey, record);
    notices.track(id, record.seq);
    fleet.withdrawnHere(parseResidentId(record.residentId), held, id, core.access.clockTrusted(record.at) ? record.at : undefined);
  };
  // Withdrawals whose notice a power cut lost (after the record, before the notice's save): made again.
  const have = new Set(pending.map(pendingKey));
  for (const record of notices.unnotified()) {
    // Saved by this firmware, or (v1 id) by the one before it: either way the notice is still on its way.
    const saved = [noticeIdOf(publicKey, record), legacyNoticeIdOf(publicKey, record)].find((id) => have.has(PENDING + toHex(id)));
    if (saved) {
      notices.track(saved, record.seq);
      continue;
    }
    p.log(`fleet: withdrawal of ${record.residentId} (consent record ${record.seq}) had no notice for the hub: made again`);
    // The cut may have come before the template's removal too.
    notify(record, core.gallery.remove(record.residentId));
  }
  // PINs set here under the compound key: those a previous link or boot left unsent, then each new one.
  const pins = p.pins;
  if (pins) {
    for (const { residentId, report } of pins.pending()) fleet.sendPinReport(residentId, report);
    pins.onReport = (id, report) => fleet.sendPinReport(id, report);
  }
  // A withdrawal made here (keypad or console) is fanned out by the hub; one that came from the hub is not sent back.
  core.withdrawal.onWithdrawn = (receipt) => {
    if (receipt.record.channel === "hub") return;
    try {
      notify(receipt.record, receipt.templateDestroyed);
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      p.log(`fleet: withdrawal notice not kept (${error.message}); made again when the link next starts`);
    }
  };
  return fleet;
}

/** The hub's answer, verified (a PIN report's then acted on by the reports: kept, or not), or why it was refused. */
function hubAnswer(pins: PinReports | undefined, payload: Uint8Array, gateId: number, hubKeys: Uint8Array[]): { answer: HubAnswer; kept: boolean } | string {
  const answer = readHubAnswer(payload, gateId, hubKeys);
  if (typeof answer === "string") return answer;
  return { answer, kept: answer.kind !== "pin" || !pins || pins.answered(answer) };
}

/**
 * Which withdrawals made here have their notice answered by the hub:
 * every one up to fleet/notified. It moves up when notices are acknowledged
 * (to below the oldest still pending, or to the ledger's end when none is).
 */
class NoticeLedger {
  readonly #ledger: ConsentLedger;
  /** Consent seq of each pending notice made from a record (by its store key). */
  readonly #seqOf = new Map<string, number>();
  #notified: number;

  constructor(store: LogStore, ledger: ConsentLedger, log: (line: string) => void) {
    this.#ledger = ledger;
    const read = readNotified(store);
    if (read !== undefined) {
      this.#notified = read;
      return;
    }
    // The first link start (or the record lost): withdrawals made before it are not sent now.
    this.#notified = lastSeq(ledger);
    kept({ log }, "withdrawal notice progress", () => store.put(NOTIFIED, u32Bytes(this.#notified)));
  }

  /** Withdrawals made here past fleet/notified, oldest first. */
  unnotified(): ConsentRecord[] {
    return this.#ledger.records().filter((r) => r.seq > this.#notified && r.event === "withdrawn" && r.channel !== "hub");
  }

  track(noticeId: Uint8Array, seq: number): void {
    this.#seqOf.set(PENDING + toHex(noticeId), seq);
  }

  /** fleet/notified to store with the pending list `list`. */
  notifiedWith(list: Uint8Array[]): number {
    let oldest = Infinity;
    for (const notice of list) oldest = Math.min(oldest, this.#seqOf.get(pendingKey(notice)) ?? Infinity);
    this.#notified = Math.max(this.#notified, oldest === Infinity ? lastSeq(this.#ledger) : oldest - 1);
    return this.#notified;
  }
}

function lastSeq(ledger: ConsentLedger): number {
  const records = ledger.records();
  return records.length ? records[records.length - 1].seq : 0;
}

/**
 * Erases the templates sets took away before a reboot (a power cut between the
 * set and its erasure): the firmware calls it at boot whether or not the hub
 * link starts, so a gate whose hub settings are gone keeps none of them.
 */
export function eraseTakenAway(core: GateCore, sync: SyncState, now: number): number {
  const ids = sync.pendingErasures();
  let held = 0;
  for (const id of ids) if (eraseTemplate(core, id, now).held) held++;
  if (ids.length > 0) sync.erased(ids);
  return held;
}

/**
 * At boot: the newest set the gate stored took no sync-applied record if the power went between
 * its store group and the record. The record is made now, saying so; the hub, never told, sends
 * the set again and the gate answers it applied (no second record). Says whether it made one.
 */
export function auditSetCutShort(audit: AuditTrail, due: AuditDue, now: number): boolean {
  const security = audit.security;
  const head = security.head().seq;
  // Shorter than when the set was stored: the chain's own damage, reported as such.
  if (head < due.seq) return false;
  const detail = `v${due.version}${due.full ? " full" : ""} ${due.changes} change(s)`;
  const after = security.entries().filter((e) => e.seq > due.seq);
  // Records after it that RAM no longer holds: which they were cannot be told, so none is added.
  if (after.length < head - due.seq) return false;
  if (after.some((e) => e.kind === "sync-applied" && e.detail !== undefined && (e.detail === detail || e.detail.startsWith(`${detail},`)))) return false;
  audit.append({ time: now, actorKind: "system", actor: 0, kind: "sync-applied", decision: "info", reason: "info", detail: `${detail}, power cut` }); // MAX_DETAIL is 40: the rest is in docs/sync.md
  return true;
}

/**
 * The hub's erase order (a withdrawal elsewhere) or a set that took the
 * resident away: consent ends here too when it was active, and the template
 * goes either way. Says whether there was a template.
 */
function eraseTemplate(core: GateCore, id: ResidentId, now: number): { held: boolean } {
  const label = formatResidentId(id);
  const { held } = core.withdrawal.byHubOrder({ residentId: label, at: now });
  if (core.registry.get(id)?.faceEnrolled) {
    try { core.registry.setFaceEnrolled(id, false); } catch (error) { if (!isOptgateError(error)) throw error; }
  }
  return { held };
}

/** The clock rules for the hub's signed time; returns why not when refused. */
function hubTime(p: FleetParts, time: number): string | undefined {
  const { core, board } = p;
  if (!board.setClock) return "this board's clock cannot be set";
  const now = board.clock.now();
  if (time < core.audit.watermark) return "hub time is before the newest audit record";
  // Set outright only a clock that lost the time (below the floor: no RTC count to hold it to). A clock
  // that kept it but reads behind the newest record (the RTC's count after a hub correction and a
  // power cut: grants never write the RTC) stays bounded, or a reboot would undo the bound.
  const bounded = now >= core.access.policy.clockFloorMs;
  if (bounded && Math.abs(time - now) > HUB_TIME_MAX_STEP_MS) return "over a day from a trusted clock: clock set";
  core.clockChanging();
  return p.setClock(time, bounded);
}

/** A store refusal here loses only a resend's saving (the broker or the hub deduplicates): logged, not thrown. */
function kept(p: Pick<FleetParts, "log">, what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    if (!isOptgateError(error)) throw error;
    p.log(`fleet: ${what} not saved (${error.message})`);
  }
}

/** A withdrawal notice waiting for the broker, under its own key: the notice id (bytes 13-28: OGE1, type, gate, resident, id). */
function pendingKey(notice: Uint8Array): string {
  return `${PENDING}${toHex(notice.subarray(13, 29))}`;
}

/** Keeps exactly `notices` on flash: new ones put, acknowledged ones deleted (one record each, so damage costs one); with them, how far the notices are done. */
function savePending(store: LogStore, notices: Uint8Array[], notified: number): void {
  const keep = new Set(notices.map(pendingKey));
  const ops: StoreOp[] = [];
  if (readNotified(store) !== notified) ops.push({ put: NOTIFIED, value: u32Bytes(notified) });
  for (const key of store.keys(PENDING)) if (!keep.has(key)) ops.push({ delete: key });
  for (const notice of notices) if (!store.has(pendingKey(notice))) ops.push({ put: pendingKey(notice), value: notice });
  if (ops.length) store.commit(ops);
}

function readPending(store: LogStore, log: (line: string) => void): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const key of store.keys(PENDING)) {
    try {
      const notice = store.get(key);
      if (notice) out.push(notice);
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      log(`fleet: a withdrawal notice to send was unreadable (${error.code}); the other gates keep the template until consent is withdrawn at the hub`);
    }
  }
  return out;
}

function readNotified(store: LogStore): number | undefined {
  try {
    const bytes = store.get(NOTIFIED);
    return bytes && bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0) : undefined;
  } catch (error) {
    if (!isOptgateError(error)) throw error;
    return undefined;
  }
}

function u32Bytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

function auditProgressBytes(progress: Record<AuditLogName, number>): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, progress.access);
  view.setUint32(4, progress.security);
  return out;
}

function readAuditProgress(store: LogStore): Partial<Record<AuditLogName, number>> {
  try {
    const bytes = store.get(AUDIT_SENT);
    if (!bytes || bytes.length !== 8) return {};
    const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
    return { access: view.getUint32(0), security: view.getUint32(4) };
  } catch (error) {
    if (!isOptgateError(error)) throw error;
    return {};
  }
}
