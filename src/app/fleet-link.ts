// The gate's link to the fleet hub (docs/sync.md): the MQTT session
// (src/core/mqtt) carrying the sync core's messages (src/core/sync) between
// the hub and this gate's store, registry, face gallery and audit trail.
//
//   const link = new FleetLink({ compoundId, gateId, client, sync, erasures, ports, random });
//   link.start(); ... link.tick(monotonicMs) on every firmware tick
//
// Offline first: nothing the gate decides waits for this link. What comes in
// is handled completely (applied and persisted, or refused and audited)
// before the broker gets its PUBACK, so a power cut in between makes the
// broker deliver it again and the sync core's version rules make the repeat
// harmless. What goes out waits in a bounded outbox drained as the client's
// QoS 1 window allows; the audit chains are read from the store in batches
// only when the outbox is empty, so an offline week costs no RAM.
//
// Withdrawal of consent must reach every gate: after (re)connecting, face
// entry is held until the hub has answered this gate's time request. The hub
// handles a gate's messages in order and sends every unreceipted erase order
// when it sees the status ack that goes out first, so its answer to the time
// request comes after them: by then every erasure the hub knows of is done here.
import type { AuditEntry } from "../core/audit/audit-record";
import { AUDIT_LOG_NAMES, type AuditLogName } from "../core/audit/audit-trail";
import { constantTimeEqual, toHex } from "../core/crypto";
import type { SignedHead } from "../core/audit/head-signature";
import { OptgateError } from "../core/errors";
import type { InboundMessage, MqttClient } from "../core/mqtt/client";
import type { Random } from "../core/ports";
import type { GateErasures, ErasePort } from "../core/sync/erasure";
import { ORDER_ID_BYTES, decodeErasure } from "../core/sync/erasure";
import { answerDigest, type HubAnswer } from "../core/sync/hub-answer";
import type { GateSync, SyncTarget } from "../core/sync/gate-sync";
import {
  MAX_AUDIT_RECORDS, MAX_INVENTORY_ENTRIES, NONCE_BYTES, encodeAuditBatch, encodeHead, encodeInventory, type InventoryEntry,
} from "../core/sync/messages";
import { encodeOnline } from "../core/sync/online";
import { TO_GATE, parseTopic, topic, type Leaf } from "../core/sync/topics";
import { AwaitingAnswer } from "./awaiting-answer";
import { FleetOutbox, type OutLeaf } from "./fleet-outbox";
import { RefusalAudit } from "./refusal-audit";

/** Residents digested per tick while an inventory is being made (each digest is one SHA-256). */
export const INVENTORY_PER_TICK = 16;
/** Audit bytes per batch: well under the client's 16 KiB packet with the topic and headers. */
const BATCH_BYTES = 12 * 1024;
/** How often the gate asks the hub for the time while connected. */
export const TIME_EVERY_MS = 3600_000;
/** A time request unanswered this long is asked again (the hub may have been down). */
export const TIME_RETRY_MS = 30_000;
/** Signed heads are published at most this often while records flow (and always on connecting). */
export const HEAD_EVERY_MS = 60_000;
/** A chain's window is sent again for a hub lacking some of its records at most this often. */
export const REWIND_EVERY_MS = 3600_000;
/**
 * A message whose handling failed (a port threw: the store refusing a write)
 * is handled again after this long. The client holds it unacknowledged and
 * drops the broker's redelivery as a duplicate, so only the link can retry it.
 */
export const RETRY_FAILED_MS = 10_000;

export interface FleetPorts {
  /** GateSync's apply step: each verified set stored all or nothing with its version (sync-persistence.ts). */
  target: SyncTarget;
  /** Residents whose template a set took away and that are not erased yet (kept on flash across reboots). */
  pendingErasures(): number[];
  /** Their templates are erased: off the pending list. */
  erased(ids: number[]): void;
  /** Erases one resident's face template here (store and RAM), saying whether there was one. */
  eraseTemplate(residentId: number): { held: boolean };
  /**
   * The registry's inventory as steps (core/sync/inventory.ts inventorySteps): each next() a
   * bounded piece of work (a resident's digest costs a SHA-256), so the link takes a few per
   * tick; the last returns the entries in id order.
   */
  inventory(): Iterator<unknown, InventoryEntry[]>;
  /** Records of a chain from store stream index `from` (clamped to what is kept), at most `max` of them and `maxBytes` in all; `next` is the index after the last one returned. */
  auditRecords(log: AuditLogName, from: number, max: number, maxBytes: number): { records: Uint8Array[]; next: number };
  signedHead(log: AuditLogName, now: number): SignedHead;
  appendAudit(entry: AuditEntry): void;
  /** Persists the erasure receipts (GateErasures.receipts(), not secret). */
  saveReceipts(receipts: Uint8Array[]): void;
  /** Persists what has to reach the hub even across a reboot (withdrawal notices the hub has not answered). */
  savePending(notices: Uint8Array[]): void;
  /** Persists how far each audit chain has been acknowledged by the broker (a resend is harmless: the hub deduplicates). */
  saveAuditProgress(progress: Record<AuditLogName, number>): void;
  /** The wall clock when it is trusted, else undefined (freshness checks are then skipped). */
  trustedNow(): number | undefined;
  /** The wall clock as it reads (for acks and heads), trusted or not. */
  wallNow(): number;
  /** Sets the wall clock from the hub's signed time; returns why not when the gate's rules refuse it. */
  setClock(time: number): string | undefined;
  /** Holds face entry with a reason (camera stays off, "use card or PIN"), or releases it (undefined). */
  holdFace(reason: string | undefined): void;
}

export interface FleetLinkOptions {
  compoundId: number;
  gateId: number;
  client: MqttClient;
  sync: GateSync;
  erasures: GateErasures;
  ports: FleetPorts;
  random: Random;
  /** Withdrawal notices a previous boot could not deliver. */
  pending?: Uint8Array[];
  /** Stream indexes the broker acknowledged before this boot. */
  auditProgress?: Partial<Record<AuditLogName, number>>;
  /** "name/version" of the firmware, told to the hub with the online flag. */
  firmware?: string;
  /** Bytes the link can take now (its buffer's free room); a write past it drops the link (mqtt-tcp-link.ts). */
  room?: () => number;
  /** Templates within the consent's scope (fleet-templates.ts): the hub's seal keys and deliveries on the template topic. */
  templates?: { handle(payload: Uint8Array, now: number | undefined): { audit?: AuditEntry; refused: boolean; answer?: Uint8Array } };
  /**
   * The hub's answers to notices, PIN reports, template shares and heads: verified, and a PIN report's acted
   * on (pin-reports.ts; `kept` false when the store refused that: the report goes again), or why refused.
   */
  answer?: (payload: Uint8Array) => { answer: HubAnswer; kept: boolean } | string;
}

export type FleetState = "stopped" | "offline" | "connecting" | "catching-up" | "online";

export const FACE_HOLD_REASON = "reconnected to the hub: face waits for its pending erasures (card and PIN work)";

export class FleetLink {
  readonly #o: FleetLinkOptions;
  readonly #outbox: FleetOutbox;
  /** Withdrawal notices made here that the hub has not answered (kept on flash). */
  #pending: Uint8Array[];
  /** Those notices, the PIN reports, template shares and signed heads, resent until answered. */
  readonly #awaiting = new AwaitingAnswer();
  readonly #sent: Record<AuditLogName, number>;
  readonly #acked: Record<AuditLogName, number>;
  #state: FleetState = "stopped";
  /** The inventory being computed: what is left of the registry, and the digests so far. */
  #inventoryJob: Iterator<unknown, InventoryEntry[]> | undefined;
  #now = 0;
  #timeAskedAt = -1;
  #timeAnsweredAt = -1;
  #headAt = -Infinity;
  /** When each chain's window was last sent again for an "incomplete" answer (monotonic). */
  readonly #rewoundAt: Record<AuditLogName, number> = { access: -Infinity, security: -Infinity };
  /** Each chain's upload since its last rewind: a batch of an earlier one acknowledged late is not progress. */
  readonly #generation: Record<AuditLogName, number> = { access: 0, security: 0 };
  #newRecords = false;
  #lastHub = -1;
  #lastError = "";
  /** Messages whose handling failed, waiting to be tried again (at most the client's inbound window). */
  #failed: { message: InboundMessage; at: number }[] = [];
  /** The hub answered this connection's time request (all it had queued for this gate came before). */
  #hubAnswered = false;
  /** Residents whose hub erase order failed here (a port refused): face stays held until one for them succeeds. */
  readonly #unerased = new Set<number>();
  readonly #refusals: RefusalAudit;
  readonly counts = { applied: 0, refused: 0, erased: 0, auditSent: 0, timeSet: 0, dropped: 0, faults: 0 };

  constructor(o: FleetLinkOptions) {
    this.#o = o;
    this.#outbox = new FleetOutbox({
      client: o.client, topic: (leaf) => this.#topic(leaf), ...(o.room ? { room: o.room } : {}),
      dropped: (why) => {
        this.counts.dropped++;
        if (why) this.#lastError = why;
      },
    });
    this.#refusals = new RefusalAudit({ append: (entry) => o.ports.appendAudit(entry), trustedNow: () => o.ports.trustedNow() });
    this.#pending = (o.pending ?? []).map((n) => n.slice());
    this.#acked = { access: o.auditProgress?.access ?? 0, security: o.auditProgress?.security ?? 0 };
    this.#sent = { ...this.#acked };
    const c = o.client;
    // These run from the socket's callbacks, outside the firmware's guarded tick: nothing may escape to the network layer.
    c.events.onUp = () => this.#contained(() => this.#up());
    c.events.onDown = (code) => this.#contained(() => this.#down(code));
    c.events.onMessage = (m) => this.#contained(() => this.#message(m));
    c.events.onPublished = (id) => this.#contained(() => this.#published(id));
    c.events.onOversized = () => { this.counts.dropped++; };
    for (const leaf of TO_GATE) c.subscribe(this.#topic(leaf));
    for (const notice of this.#pending) this.#awaitNotice(notice);
  }

  get state(): FleetState { return this.#state; }

  start(): void {
    if (this.#state !== "stopped") return;
    this.#state = "offline";
    this.#o.client.start();
  }

  stop(): void {
    this.#refusals.tick(this.#now, true);
    this.#o.client.stop();
    this.#state = "stopped";
    this.#o.ports.holdFace(undefined);
  }

  /** One line for `hub show` and the status screen. */
  status(): string {
    const c = this.counts;
    const seen = this.#lastHub < 0 ? "never heard from the hub" : `hub last heard ${Math.round((this.#now - this.#lastHub) / 1000)} s ago`;
    const pending = this.#pending.length ? `, ${this.#pending.length} withdrawal notice(s) to deliver (until the hub answers)` : "";
    const error = this.#lastError ? `, last problem: ${this.#lastError}` : "";
    return `${this.#state}, applied v${this.#o.sync.applied}, ${seen}; ${c.applied} set(s) applied, ${c.refused} refused, ${c.erased} erasure(s), ${c.auditSent} audit record(s) sent${pending}${error}`;
  }

  /**
   * Consent withdrawn at this gate (keypad or console), template already
   * erased by the core: the signed notice makes the hub erase it at every
   * other gate. Kept on flash until the hub answers it. The notice id comes
   * from the consent record (fleet.ts noticeIdOf), so a notice made again
   * from the record after a power cut is the same notice to the hub.
   */
  withdrawnHere(residentId: number, held: boolean, noticeId: Uint8Array, at = this.#o.ports.trustedNow()): void {
    if (noticeId.length !== ORDER_ID_BYTES) throw new OptgateError("E_SYNC_BAD_VALUE", `A withdrawal notice id is ${ORDER_ID_BYTES} bytes.`);
    const port: ErasePort = { eraseTemplate: () => ({ held }) };
    const { notice } = this.#o.erasures.withdrawHere(residentId, noticeId, at, port);
    this.#o.ports.saveReceipts(this.#o.erasures.receipts());
    this.#pending.push(notice);
    this.#o.ports.savePending(this.#pending);
    this.#awaitNotice(notice);
    this.#queueAwaited();
  }

  /** Erases the templates sets took away, after each set (at boot, fleet.ts eraseTakenAway does it, hub link or not). */
  eraseTakenAway(): void {
    const p = this.#o.ports;
    const ids = p.pendingErasures();
    if (ids.length === 0) return;
    for (const id of ids) if (p.eraseTemplate(id).held) this.counts.erased++;
    p.erased(ids);
  }

  tick(now: number): void {
    this.#now = now;
    this.#refusals.tick(now);
    const c = this.#o.client;
    c.tick(now);
    if (this.#state === "stopped") return;
    if (this.#failed.length && now - this.#failed[0].at >= RETRY_FAILED_MS) this.#retryFailed();
    if (c.state !== "up") return;
    this.#queueAwaited();
    this.#stepInventory();
    const asked = this.#timeAskedAt >= 0;
    if ((this.#state === "catching-up" && asked && now - this.#timeAskedAt >= TIME_RETRY_MS)
      || (this.#state === "online" && now - Math.max(this.#timeAnsweredAt, this.#timeAskedAt) >= TIME_EVERY_MS)) this.#askTime();
    this.#drain();
    // Heads only once this tick's pump read both chains to their end and the broker has every batch:
    // a head signing records still to be read (the client's window full) was answered "incomplete".
    const readToEnd = this.#outbox.length === 0 && this.#pumpAudit();
    if (this.#newRecords && now - this.#headAt >= HEAD_EVERY_MS && readToEnd && this.#uploaded()) this.#heads();
    this.#drain();
  }

  // Session events -----------------------------------------------------------

  #up(): void {
    this.#state = "catching-up";
    this.#hubAnswered = false;
    this.#o.ports.holdFace(FACE_HOLD_REASON);
    this.#awaiting.connected();
    // Status-like messages made afresh go first, so a long backlog of notices never crowds them out.
    this.#outbox.reconnected(() => {
      this.#send("online", encodeOnline(this.#o.firmware ?? ""), true);
      this.#send("ack", this.#o.sync.statusAck(this.#o.ports.trustedNow()), true);
      this.#inventory();
      this.#askTime();
    });
    this.#queueAwaited(true);
    this.#headAt = -Infinity;
    this.#newRecords = true;
    this.#drain();
  }

  #down(code: string): void {
    if (this.#state === "stopped") return;
    this.#state = "offline";
    this.#lastError = code;
    this.#timeAskedAt = -1;
    // Offline first: face goes on from the gate's own store; the hold is only for the moment of coming back.
    this.#o.ports.holdFace(undefined);
  }

  #published(packetId: number): void {
    this.#outbox.published(packetId);
    this.#drain();
  }

  #message(m: InboundMessage): void {
    this.#lastHub = this.#now;
    if (this.#handled(m)) {
      this.#o.client.accept(m);
      this.#drain();
    } else {
      this.#failed.push({ message: m, at: this.#now });
    }
  }

  /** Handles one message from the hub; false when a port failed (the store refusing a write): not accepted, tried again. */
  #handled(m: InboundMessage): boolean {
    const leaf = this.#leafOf(m.topic);
    try {
      if (leaf === "sync") this.#changeSet(m.payload);
      else if (leaf === "erase") this.#eraseOrder(m.payload);
      else if (leaf === "time") this.#timeGrant(m.payload);
      else if (leaf === "template" && this.#o.templates) this.#template(m.payload);
      else if (leaf === "answer" && this.#o.answer) this.#answer(m.payload);
      else this.counts.dropped++;
      return true;
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      return false;
    }
  }

  #retryFailed(): void {
    const due = this.#failed;
    this.#failed = [];
    for (const { message } of due) {
      if (this.#handled(message)) this.#o.client.accept(message);
      else this.#failed.push({ message, at: this.#now });
    }
    this.#drain();
  }

  // Hub -> gate --------------------------------------------------------------

  #changeSet(payload: Uint8Array): void {
    const p = this.#o.ports;
    const out = this.#o.sync.handleChangeSet(payload, p.trustedNow(), p.target);
    // Templates of residents the set took away go before anything else (the set and the list are on flash).
    this.eraseTakenAway();
    if (out.audit) {
      if (out.refused) this.#auditRefusal(out.audit);
      else p.appendAudit(out.audit);
    }
    if (out.refused) this.counts.refused++;
    if (out.ack) this.#send("ack", out.ack, true);
    if (out.applied !== undefined) {
      this.counts.applied++;
      this.#inventory();
    }
  }

  #eraseOrder(payload: Uint8Array): void {
    const p = this.#o.ports;
    const out = this.#o.erasures.handleOrder(payload, p.trustedNow(), {
      eraseTemplate: (id) => {
        try {
          const erased = p.eraseTemplate(id);
          this.#unerased.delete(id);
          return erased;
        } catch (error) {
          this.#unerased.add(id);
          throw error;
        }
      },
    });
    if (out.erased) {
      this.counts.erased++;
      p.saveReceipts(this.#o.erasures.receipts());
      this.#caughtUp();
    }
    if (out.erased) p.appendAudit(out.audit);
    else this.#auditRefusal(out.audit);
    // A replayed order gets its first receipt again: one copy waiting is enough, so replays cannot grow the outbox.
    if (out.receipt && !this.#outbox.holds(out.receipt)) this.#send("erased", out.receipt, false);
  }

  #template(payload: Uint8Array): void {
    const out = this.#o.templates!.handle(payload, this.#o.ports.trustedNow());
    if (out.audit) {
      if (out.refused) this.#auditRefusal(out.audit);
      else this.#o.ports.appendAudit(out.audit);
    }
    if (out.answer) this.#send("installed", out.answer, false);
  }

  /** The hub's answer to a notice, a PIN report, a share or a head: it ends the resending of the very message it names. */
  #answer(payload: Uint8Array): void {
    const out = this.#o.answer!(payload);
    if (typeof out === "string") {
      this.counts.refused++;
      this.#auditRefusal({ time: this.#o.ports.wallNow(), actorKind: "system", actor: 0, kind: "sync-refused", decision: "deny", reason: "bad-input", detail: `hub answer ${out}` });
      return;
    }
    const { answer } = out;
    if (!out.kept) return;
    if (answer.kind === "notice") {
      const notice = this.#pending.find((n) => constantTimeEqual(answerDigest(n), answer.digest));
      if (notice) this.#noticeAnswered(notice);
      return;
    }
    // A report made again (a "replayed" answer) or a share made again has taken the old one's place: that one waits on.
    const key = `${answer.kind}:${answer.residentId}`, waiting = this.#awaiting.payloadOf(key);
    if (waiting && constantTimeEqual(answerDigest(waiting), answer.digest)) this.#answered(key, answer.outcome);
  }

  /**
   * A template enrolled here, sealed to the other gates of its consent's scope (fleet-templates.ts):
   * sent until the hub answers (`answered` is told how); a newer share of the resident takes its place.
   */
  shareTemplate(residentId: number, share: Uint8Array, answered: (outcome: string) => void): void {
    this.#await(`share:${residentId}`, "share", share, answered);
  }

  #timeGrant(payload: Uint8Array): void {
    const p = this.#o.ports;
    const out = this.#o.sync.handleTimeGrant(payload, this.#now, p.trustedNow());
    if (!out.ok) {
      this.#auditRefusal(out.audit);
      return;
    }
    this.#timeAnsweredAt = this.#now;
    this.#timeAskedAt = -1;
    const refused = p.setClock(out.time);
    if (refused === undefined) {
      this.counts.timeSet++;
      p.appendAudit(out.audit);
    } else {
      this.#auditRefusal({ ...out.audit, time: p.wallNow(), kind: "sync-refused", decision: "deny", reason: "bad-input", detail: `time: ${refused}`.slice(0, 40) });
    }
    this.#hubAnswered = true;
    this.#caughtUp();
  }

  /**
   * The hub answered after everything it had queued for this gate: pending
   * erasures are done, unless one failed here (its order comes again, from
   * the broker after a reconnection or from the hub's resend): face waits for it.
   */
  #caughtUp(): void {
    if (this.#state !== "catching-up" || !this.#hubAnswered || this.#unerased.size > 0) return;
    this.#state = "online";
    this.#o.ports.holdFace(undefined);
  }

  #auditRefusal(entry: AuditEntry): void {
    this.#refusals.refused(entry, this.#now);
  }

  // Gate -> hub --------------------------------------------------------------

  #askTime(): void {
    const nonce = new Uint8Array(NONCE_BYTES);
    this.#o.random.fill(nonce);
    this.#timeAskedAt = this.#now;
    this.#send("time-req", this.#o.sync.requestTime(nonce, this.#now, this.#o.ports.trustedNow()), false);
  }

  /** Starts (or starts again: the registry changed) the inventory; tick() computes it a few residents at a time. */
  #inventory(): void {
    this.#inventoryJob = this.#o.ports.inventory();
  }

  /**
   * At most INVENTORY_PER_TICK steps (digests) per tick: at 20,000 residents the
   * whole inventory costs over a billion XS computrons, and the gate must go
   * on reading cards meanwhile. Sent once complete.
   */
  #stepInventory(): void {
    const job = this.#inventoryJob;
    if (!job) return;
    for (let n = 0; n < INVENTORY_PER_TICK; n++) {
      const next = job.next();
      if (next.done) {
        this.#inventoryJob = undefined;
        this.#sendInventory(next.value);
        return;
      }
    }
  }

  #sendInventory(entries: InventoryEntry[]): void {
    const parts = Math.max(1, Math.ceil(entries.length / MAX_INVENTORY_ENTRIES));
    for (let part = 0; part < parts; part++) {
      const slice = entries.slice(part * MAX_INVENTORY_ENTRIES, (part + 1) * MAX_INVENTORY_ENTRIES);
      this.#send("inventory", encodeInventory({ gateId: this.#o.gateId, applied: this.#o.sync.applied, part, parts, entries: slice }), false);
    }
  }

  /** A PIN report (pin-reports.ts, which keeps it on flash): sent until the hub answers it; a newer one for the resident takes its place. */
  sendPinReport(residentId: number, report: Uint8Array): void {
    this.#await(`pin:${residentId}`, "pin", report);
  }

  #await(key: string, leaf: "pin" | "share" | "head", payload: Uint8Array, onAnswer?: (outcome: string) => void): void {
    if (this.#awaiting.has(key)) this.#answered(key);
    this.#awaiting.add(key, leaf, payload, onAnswer);
    this.#queueAwaited();
  }

  #awaitNotice(notice: Uint8Array): void {
    this.#awaiting.add(noticeKey(notice), "withdrawn", notice);
  }

  #noticeAnswered(notice: Uint8Array): void {
    this.#pending = this.#pending.filter((n) => n !== notice);
    this.#o.ports.savePending(this.#pending);
    this.#answered(noticeKey(notice));
  }

  /** Answered (or replaced: no outcome): not resent, and a copy still waiting in the outbox is not sent either. */
  #answered(key: string, outcome?: string): void {
    this.#outbox.withdraw(key);
    this.#awaiting.answered(key, outcome);
  }

  /**
   * Messages awaiting an answer that are due (new, at a connection, or unanswered past their wait) into the outbox:
   * notices ahead of the bulk, except at a connection (`behind`), where the status messages go first.
   */
  #queueAwaited(behind = false): void {
    if (this.#o.client.state !== "up") return;
    for (const { key, leaf, payload } of this.#awaiting.due(this.#now)) {
      const done = () => this.#awaiting.sent(key, payload, this.#now);
      if (behind) this.#outbox.sendLast({ leaf, payload, retain: false, done, awaiting: key });
      else this.#send(leaf, payload, false, done, key);
    }
  }

  /**
   * One batch per chain whose records the broker has not acknowledged, when the outbox is free.
   * Says whether both chains were read to their end (nothing left to send).
   */
  #pumpAudit(): boolean {
    let readToEnd = true;
    for (const log of AUDIT_LOG_NAMES) {
      if (this.#o.client.outboundFree < 2) return false;
      const { records, next } = this.#o.ports.auditRecords(log, this.#sent[log], MAX_AUDIT_RECORDS, BATCH_BYTES);
      if (records.length === 0) {
        // A chain restarted (a new store) or trimmed below what was sent: follow the store.
        if (next < this.#sent[log]) this.#sent[log] = this.#acked[log] = next;
        continue;
      }
      readToEnd = false;
      this.#sent[log] = next;
      this.#newRecords = true;
      // A batch read before a rewind ("incomplete") and acknowledged after it does not move the progress.
      const generation = this.#generation[log];
      this.#send("audit", encodeAuditBatch({ gateId: this.#o.gateId, log, records }), false, () => {
        this.counts.auditSent += records.length;
        if (generation !== this.#generation[log]) return;
        this.#acked[log] = Math.max(this.#acked[log], next);
        this.#o.ports.saveAuditProgress({ ...this.#acked });
      });
    }
    return readToEnd;
  }

  /** Every record read from the chains is acknowledged by the broker: a head then covers only records sent. */
  #uploaded(): boolean {
    return AUDIT_LOG_NAMES.every((log) => this.#acked[log] >= this.#sent[log]);
  }

  /**
   * Signed heads of both chains, each sent until the hub answers it (a newer one takes its place).
   * "incomplete" means the hub lacks records of the head's window though the broker acknowledged
   * them all (a hub process killed with a batch in its hands): the window goes again from the
   * chain's start, at most once an hour (records the gate cannot read would otherwise be asked for
   * every minute).
   */
  #heads(): void {
    this.#headAt = this.#now;
    this.#newRecords = false;
    const now = this.#o.ports.wallNow();
    AUDIT_LOG_NAMES.forEach((log, index) => {
      this.#await(`head:${index}`, "head", encodeHead(this.#o.ports.signedHead(log, now)), (outcome) => {
        if (outcome !== "incomplete" || this.#now - this.#rewoundAt[log] < REWIND_EVERY_MS) return;
        this.#rewoundAt[log] = this.#now;
        this.#generation[log]++;
        this.#sent[log] = this.#acked[log] = 0;
        this.#newRecords = true;
        this.#o.ports.saveAuditProgress({ ...this.#acked });
      });
    });
  }

  #send(leaf: OutLeaf, payload: Uint8Array, retain: boolean, done?: () => void, awaiting?: string): void {
    this.#outbox.send({ leaf, payload, retain, ...(done ? { done } : {}), ...(awaiting ? { awaiting } : {}) });
  }

  #drain(): void {
    this.#outbox.drain();
  }

  /** Runs a session event's work; a fault is kept for status(), never thrown into the socket's callback. */
  #contained(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.counts.faults++;
    }
  }

  #topic(leaf: Leaf): string {
    return topic(this.#o.compoundId, this.#o.gateId, leaf);
  }

  #leafOf(text: string): Leaf | undefined {
    const parsed = parseTopic(text);
    return parsed && parsed.compound === this.#o.compoundId && parsed.gate === this.#o.gateId ? parsed.leaf : undefined;
  }
}

/** A pending notice's key among the messages awaiting an answer: its notice id. */
const noticeKey = (notice: Uint8Array) => `notice:${toHex(decodeErasure(notice).message.orderId)}`;
