// The hub: the compound's desired state in SQL, numbered versions per gate,
// signed change sets out, acks / audit / inventories in. Transport-agnostic:
// it publishes through a callback and is handed every message from a gate
// (service.ts wires both to MQTT). Every fact lives in the database, so a hub
// process can be killed and another carries on; the only memory is which
// versions this process already sent (a restart just sends them again, and
// the gate refuses what it holds as replays).
import { decodeRecord, type AuditRecord } from "../../src/core/audit/audit-record";
import { recordsDigest } from "../../src/core/audit/head-signature";
import { AUDIT_LOG_NAMES } from "../../src/core/audit/audit-trail";
import {
  decodeMessage, encodeTimeGrant, keyIdOf, verifyHead, verifySigned,
  type Ack, type AuditBatch, type HeadMessage, type Inventory, type Refusal, type TimeRequest,
} from "../../src/core/sync/messages";
import { bytes, num, type Db, type Sql } from "./db";
import { toCanonical, type ResidentInput } from "./desired";
import { appendSets, reconcile } from "./versions";
import { NEEDS_FULL, SetSender, gateState, type GateRow, type GateState } from "./set-sender";
import { HubSchedules } from "./schedules";
import { HubErasures, type ErasureOrigin, type ErasureState } from "./erasure";
import { HubCodes } from "./codes";
import { HubTemplates } from "./templates";
import { HubPins } from "./pins";
import { migrate } from "./migrate";
import { nativeSigner, nativeVerify, usableKey } from "./native-ed25519";
import { parseOnline } from "../../src/core/sync/online";
import { answerDigest, encodeHubAnswer } from "../../src/core/sync/hub-answer";
import { parseTopic, topic } from "../../src/core/sync/topics";

export type Publish = (topic: string, payload: Uint8Array, options: { retain: boolean }) => Promise<void>;

export { SYNC_AHEAD, type GateState } from "./set-sender";

/** Refusals after which the hub does not send again at once (see #onAck). */
const RESENT_LATER: readonly Refusal[] = ["replay", "from-future", "stale"];

export interface HubOptions {
  db: Db;
  /** The hub's Ed25519 signing seed (32 bytes): configuration, never stored in the database. */
  signingSeed: Uint8Array;
  publish: Publish;
  now?: () => number;
  /** Told about messages that were dropped (unknown gate, bad signature, malformed), for logs and tests. */
  onDrop?: (why: string, topic: string) => void;
  /** Whether this process acts for a gate (partition leases, leases.ts); default: every gate. */
  owns?: (gateId: number) => boolean;
  /** A version sent this long ago and still not acknowledged is sent again (a lost message, a partitioned gate). */
  resendMs?: number;
  /** Seal a gate's next version no sooner than this after its last set, so the edits meanwhile travel together (set-sender.ts); default 0. */
  lingerMs?: number;
  /** Told about a send that failed in the background (an edit saved with `awaitSend: false`); the tick retries it. */
  onError?: (error: Error) => void;
  /** Told what the hub accepted about a gate, after it is stored (Home Assistant discovery, home-assistant.ts). */
  observer?: HubObserver;
}

export interface HubObserver {
  gateAdded?(compoundId: number, gateId: number): Promise<void>;
  online?(compoundId: number, gateId: number, online: boolean): Promise<void>;
  /** Audit records stored for the first time (signature checked, duplicates left out), in order. */
  records?(gateId: number, records: AuditRecord[]): Promise<void>;
}

/** How an edit returns: once its sets went to every gate (default), or once it is saved (the sets follow, coalesced). */
export interface EditOptions { awaitSend?: boolean }

export interface GateInput {
  id: number;
  compoundId: number;
  name: string;
  publicKey: Uint8Array;
  /** The gate's X25519 key (Firmware.gateIdentity sealKey): codes issued at the hub are sealed to it. Without it the gate gets none. */
  sealKey?: Uint8Array;
  /** Access groups the gate serves (bit mask; default all). */
  groups?: number;
}

export interface Comparison {
  /** The version the gate held when it reported, or undefined if it never did. */
  reportedVersion?: number;
  missing: number[];
  extra: number[];
  different: number[];
}


export class Hub {
  readonly db: Db;
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
  readonly #signer: ReturnType<typeof nativeSigner>;
  readonly #publish: Publish;
  readonly #now: () => number;
  readonly #onDrop?: (why: string, topic: string) => void;
  readonly #owns: (gateId: number) => boolean;
  readonly #resendMs: number;
  readonly #observer: HubObserver;
  /** Each registered gate's compound and public key, as read (#gateKey). */
  readonly #gates = new Map<number, { compoundId: number; publicKey: Uint8Array }>();
  /** The change sets to each gate (set-sender.ts). */
  readonly #sets: SetSender;
  readonly #onError?: (error: Error) => void;
  readonly #erasures: HubErasures;
  readonly #pins: HubPins;
  /** One-time codes issued at the office (codes.ts). */
  readonly codes: HubCodes;
  /** The compound's access groups, schedules and holidays (schedules.ts). */
  readonly schedules: HubSchedules;
  /** Face templates sealed gate to gate within the consent's scope (templates.ts). */
  readonly templates: HubTemplates;

  private constructor(options: HubOptions) {
    if (!(options.signingSeed instanceof Uint8Array) || options.signingSeed.length !== 32) throw new Error("The hub's signing seed is 32 bytes.");
    this.db = options.db;
    this.#signer = nativeSigner(options.signingSeed);
    this.publicKey = this.#signer.publicKey;
    this.keyId = keyIdOf(this.publicKey);
    this.#publish = options.publish;
    this.#now = options.now ?? Date.now;
    this.#onDrop = options.onDrop;
    this.#owns = options.owns ?? (() => true);
    this.#resendMs = options.resendMs ?? 30_000;
    this.#observer = options.observer ?? {};
    this.#onError = options.onError;
    this.#sets = new SetSender({
      db: this.db, sign: (m) => this.#sign(m), keyId: this.keyId, publish: this.#publish, now: this.#now, owns: this.#owns, resendMs: this.#resendMs,
      lingerMs: options.lingerMs ?? 0, onError: (e) => this.#onError?.(e),
      fullHead: (db, compoundId, groups) => this.schedules.fullChanges(db, compoundId, groups), fullTail: (gateId) => this.codes.resyncChanges(gateId),
    });
    this.#erasures = new HubErasures({
      db: this.db, sign: (m) => this.#sign(m), keyId: this.keyId, publish: this.#publish, now: this.#now, resendMs: this.#resendMs,
      drop: (why, t) => this.#drop(why, t),
    });
    this.templates = new HubTemplates({
      db: this.db, sign: (m) => this.#sign(m), keyId: this.keyId, publish: this.#publish, now: this.#now, resendMs: this.#resendMs,
      drop: (why, t) => this.#drop(why, t),
    });
    this.#pins = new HubPins({
      db: this.db, sign: (m) => this.#sign(m), keyId: this.keyId, publish: this.#publish, now: this.#now,
      reconcile: (tx, c, ids) => this.#reconcile(tx, c, ids), pump: (g) => this.pump(g), drop: (why, t) => this.#drop(why, t),
    });
    this.codes = new HubCodes({ db: this.db, now: this.#now, appendChanges: (tx, gateId, changes) => this.#appendSets(tx, gateId, changes), pump: (g) => this.pump(g) });
    this.schedules = new HubSchedules({ db: this.db, now: this.#now, appendChanges: (tx, gateId, changes) => this.#appendSets(tx, gateId, changes), pump: (g) => this.pump(g) });
  }

  /** Migrates the database and records this hub's public key. */
  static async open(options: HubOptions): Promise<Hub> {
    const hub = new Hub(options);
    await migrate(hub.db);
    await hub.db.query("insert into hub_key (key_id, public_key, first_used_at) values ($1, $2, $3) on conflict (key_id) do nothing", [hub.keyId, hub.publicKey, hub.#now()]);
    return hub;
  }

  #sign = (message: Uint8Array): Uint8Array => this.#signer.sign(message);

  // ---- desired state ----

  async addCompound(id: number, name: string): Promise<void> {
    await this.db.query("insert into compound (id, name) values ($1, $2) on conflict (id) do update set name = excluded.name", [id, name]);
  }

  async addGate(gate: GateInput): Promise<void> {
    if (!(gate.publicKey instanceof Uint8Array) || gate.publicKey.length !== 32) throw new Error("A gate's public key is 32 bytes.");
    if (!usableKey(gate.publicKey)) throw new Error("That gate public key is not a usable Ed25519 key (not a point, or one of small order, under which anyone could sign as the gate).");
    if (gate.sealKey !== undefined && (!(gate.sealKey instanceof Uint8Array) || gate.sealKey.length !== 32)) throw new Error("A gate's seal key is 32 bytes.");
    await this.db.transaction(async (tx) => {
      await tx.query("insert into gate (id, compound_id, name, public_key, groups, seal_key) values ($1, $2, $3, $4, $5, $6)",
        [gate.id, gate.compoundId, gate.name, gate.publicKey, gate.groups ?? 0xffffffff, gate.sealKey ?? null]);
      // Its groups, schedules and holidays come first, as in a full resync.
      const schedules = await this.schedules.fullChanges(tx, gate.compoundId, gate.groups ?? 0xffffffff);
      if (schedules.length) await this.#appendSets(tx, gate.id, schedules);
      const ids = (await tx.query<{ id: unknown }>("select id from resident where compound_id = $1", [gate.compoundId])).map((r) => num(r.id));
      await this.#reconcile(tx, gate.compoundId, ids, [gate.id]);
    });
    await this.pump(gate.id);
    if (gate.sealKey) await this.templates.sealKeysChanged(gate.compoundId);
    await this.#observer.gateAdded?.(gate.compoundId, gate.id);
  }

  /** Records the seal key of a gate registered without one (codes issued from now on reach it). */
  async setSealKey(gateId: number, sealKey: Uint8Array): Promise<void> {
    if (!(sealKey instanceof Uint8Array) || sealKey.length !== 32) throw new Error("A gate's seal key is 32 bytes.");
    const [row] = await this.db.query<{ compound_id: unknown }>("update gate set seal_key = $2 where id = $1 returning compound_id", [gateId, sealKey]);
    if (row) await this.templates.sealKeysChanged(num(row.compound_id));
  }

  /** Adds or replaces residents (fields, PIN verifier, cards); each affected gate gets new versions. */
  async putResidents(compoundId: number, inputs: ResidentInput[], options: EditOptions = {}): Promise<void> {
    const records = inputs.map(toCanonical);
    const seen = new Set<number>();
    for (const r of records) {
      if (seen.has(r.id)) throw new Error(`Resident ${r.id} appears twice in one put.`);
      seen.add(r.id);
    }
    const now = this.#now();
    const gates = await this.db.transaction(async (tx) => {
      const ids = records.map((r) => r.id);
      await tx.query("delete from card where compound_id = $1 and resident_id = any($2::integer[])", [compoundId, ids]);
      for (const r of records) {
        await tx.query(
          // pin_set_at moves whenever the office changes the PIN (set, replaced or cleared): a gate's
          // report of a PIN set there before this change, arriving late, must not undo it (pins.ts).
          `insert into resident (compound_id, id, unit, role, status, groups, valid_from, valid_until, pin_salt, pin_hash, pin_key_id, pin_set_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           on conflict (compound_id, id) do update set unit = excluded.unit, role = excluded.role, status = excluded.status,
             groups = excluded.groups, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
             pin_salt = excluded.pin_salt, pin_hash = excluded.pin_hash, pin_key_id = excluded.pin_key_id,
             pin_set_at = case when (resident.pin_salt, resident.pin_hash, resident.pin_key_id) is not distinct from (excluded.pin_salt, excluded.pin_hash, excluded.pin_key_id)
               then resident.pin_set_at else greatest(coalesce(resident.pin_set_at, 0), excluded.pin_set_at) end`,
          [compoundId, r.id, r.unit, r.role, r.status, r.groups, r.from, r.until, r.pin?.salt ?? null, r.pin?.hash ?? null, r.pin?.keyId || null, now]);
        for (const uid of r.cards) await tx.query("insert into card (compound_id, uid, resident_id) values ($1, $2, $3)", [compoundId, uid, r.id]);
      }
      return this.#reconcile(tx, compoundId, ids);
    });
    await this.#sendAfterEdit(gates, options);
  }

  async removeResidents(compoundId: number, ids: number[], options: EditOptions = {}): Promise<void> {
    const gates = await this.db.transaction(async (tx) => {
      await tx.query("delete from resident where compound_id = $1 and id = any($2::integer[])", [compoundId, ids]);
      return this.#reconcile(tx, compoundId, ids);
    });
    await this.#sendAfterEdit(gates, options);
  }

  /** Pumps the gates an edit changed; without awaitSend the edit returns saved and its sets follow (a failure goes to onError, the tick retries). */
  async #sendAfterEdit(gates: number[], options: EditOptions): Promise<void> {
    if (options.awaitSend !== false) await Promise.all(gates.map((g) => this.pump(g)));
    else for (const g of gates) this.pump(g).catch((error: Error) => this.#onError?.(error));
  }

  /** Brings each gate's desired records for `ids` up to the resident table as new versions (versions.ts); returns the gates that changed. */
  #reconcile(tx: Sql, compoundId: number, ids: number[], onlyGates?: number[]): Promise<number[]> {
    return reconcile(tx, compoundId, ids, this.#now(), onlyGates);
  }

  /** Writes `encoded` as the gate's next versions, or into its newest one while that is not yet sent (versions.ts). */
  #appendSets(tx: Sql, gateId: number, encoded: Uint8Array[]): Promise<void> {
    return appendSets(tx, [{ gateId, changes: encoded }], this.#now());
  }

  // ---- sending ----

  async gate(gateId: number): Promise<GateState | undefined> {
    const [row] = await this.db.query<GateRow>("select * from gate where id = $1", [gateId]);
    return row ? gateState(row) : undefined;
  }

  /**
   * Pumps every gate this process acts for that is behind (edits made by
   * other hub processes, sets lost on the way), and resends due erase orders
   * and template deliveries: run it periodically.
   */
  async pumpAll(): Promise<void> {
    await this.#sets.pumpBehind();
    await this.#erasures.resendDue(this.#owns);
    await this.templates.resendDue(this.#owns);
  }

  /** Sends the gate whatever it lacks: the next incremental versions, or a full resync. */
  pump(gateId: number): Promise<void> {
    return this.#sets.pump(gateId);
  }

  /** Stops the timers of sets lingering for more edits (their gates are pumped by the next tick). */
  close(): void {
    this.#sets.close();
  }

  /** Forces a full resync of one gate (e.g. after replacing its board). */
  async resync(gateId: number): Promise<void> {
    await this.db.query("update gate set needs_full = true, refused_reason = null where id = $1", [gateId]);
    await this.#sets.resyncNow(gateId);
  }

  // ---- erasure ----

  /** Withdrawal of consent: every gate of the compound erases the resident's template and sends a signed receipt. */
  withdrawConsent(compoundId: number, residentId: number, origin: ErasureOrigin = { kind: "office" }): Promise<Uint8Array> {
    if (origin.kind === "gate") throw new Error("A withdrawal at a gate arrives as the gate's signed notice.");
    return this.#erasures.withdraw(compoundId, residentId, origin);
  }

  /** Per gate and order, done (with the receipt's time) or pending. */
  erasureStatus(compoundId: number, residentId?: number): Promise<ErasureState[]> {
    return this.#erasures.status(compoundId, residentId);
  }

  // ---- receiving ----

  /** Handles one message from a gate; anything unknown, malformed or unsigned is dropped (onDrop). */
  async receive(topicText: string, payload: Uint8Array): Promise<void> {
    const t = parseTopic(topicText);
    if (!t) return this.#drop("not a gate topic", topicText);
    // Audit and heads are idempotent: every process takes them, so none is lost with a dead one.
    if (t.leaf !== "audit" && t.leaf !== "head" && !this.#owns(t.gate)) return;
    // A receipt or a withdrawal is looked up before the fleet's bulk work, as erasure.ts does its own.
    const erasure = t.leaf === "erased" || t.leaf === "withdrawn";
    const gate = await this.#gateKey(t.gate, t.compound, erasure ? this.db.urgent : this.db);
    if (!gate) return this.#drop("unknown gate", topicText);
    if (t.leaf === "online") {
      // Retained and idempotent: every process records it. An empty payload clears a retained flag.
      // The firmware a gate last said it runs is kept while it is offline.
      const flag = parseOnline(payload);
      await this.db.query("update gate set online = $2, firmware = coalesce($3, firmware) where id = $1", [t.gate, flag.online, flag.firmware ?? null]);
      await this.#observer.online?.(t.compound, t.gate, flag.online);
      return;
    }
    if (t.leaf === "erased" || t.leaf === "withdrawn") return this.#erasures.receive(t.compound, t.gate, gate.publicKey, t.leaf, payload, topicText);
    if (t.leaf === "share" || t.leaf === "installed") return this.templates.receive(t.compound, t.gate, gate.publicKey, t.leaf, payload, topicText);
    if (t.leaf === "pin") return this.#pins.receive(t.compound, t.gate, gate.publicKey, payload, topicText);
    let received;
    try {
      received = decodeMessage(payload);
    } catch (error) {
      return this.#drop(`malformed: ${(error as Error).message}`, topicText);
    }
    const m = received.message;
    if (m.gateId !== t.gate) return this.#drop(`message for gate ${m.gateId} on gate ${t.gate}'s topic`, topicText);
    const expected = { ack: "ack", audit: "audit", inventory: "inventory", "time-req": "time-req", head: "head" }[t.leaf as string];
    if (m.type !== expected) return this.#drop(`a ${m.type} message on ${t.leaf}`, topicText);
    if (m.type === "ack") {
      if (!verifySigned(received, gate.publicKey, nativeVerify)) return this.#drop("ack signature does not verify", topicText);
      return this.#onAck(t.gate, m);
    }
    if (m.type === "audit") { await this.ingestAudit(m); return; }
    if (m.type === "head") {
      if (!verifyHead(m, gate.publicKey, nativeVerify)) return this.#drop("audit head signature does not verify", topicText);
      const { complete } = await this.witnessHead(m);
      // The gate keeps sending its head until answered, and sends its window again when told records are missing.
      const answer = encodeHubAnswer({
        kind: "head", gateId: t.gate, seq: 0, residentId: AUDIT_LOG_NAMES.indexOf(m.log), outcome: complete ? "taken" : "incomplete", hubSeq: 0,
        digest: answerDigest(payload), issuedAt: this.#now(), keyId: this.keyId,
      }, (b) => this.#sign(b));
      await this.#publish(topic(t.compound, t.gate, "answer"), answer, { retain: false });
      return;
    }
    if (m.type === "inventory") return this.#onInventory(m);
    if (m.type === "time-req") return this.#onTimeRequest(t.compound, m);
  }

  /**
   * A gate's public key, if it is registered in that compound. Kept once read: a gate row's id,
   * compound and key never change (a replaced board is a new gate), and every message from a
   * gate looked its row up (at 50 gates, a statement per ack of every set).
   */
  async #gateKey(gateId: number, compoundId: number, db: Sql): Promise<{ publicKey: Uint8Array } | undefined> {
    let gate = this.#gates.get(gateId);
    if (!gate) {
      const [row] = await db.query<{ compound_id: unknown; public_key: unknown }>("select compound_id, public_key from gate where id = $1", [gateId]);
      if (!row) return undefined;
      gate = { compoundId: num(row.compound_id), publicKey: bytes(row.public_key) };
      this.#gates.set(gateId, gate);
    }
    return gate.compoundId === compoundId ? gate : undefined;
  }

  #drop(why: string, topicText: string): void {
    this.#onDrop?.(why, topicText);
  }

  async #onAck(gateId: number, ack: Ack): Promise<void> {
    const now = this.#now();
    // One statement (logged and recorded together, no transaction round trips): at 50 gates every
    // edit brings 50 acks, and the hub's database time per set is what bounds the edit rate.
    const refused = ack.status === "refused";
    const also = refused ? ", refused_reason = $6, refused_version = $5, needs_full = needs_full or $8"
      // A full resync is numbered past every set sent before it (set-sender.ts), so only its own ack
      // (or a later one) clears needs_full: not the ack of an incremental set that was on its way.
      : ack.status === "applied" ? ", refused_reason = null, refused_version = null, needs_full = needs_full and $4 < sealed_version" : "";
    const [after] = await this.db.query<{ desired_version: unknown; needs_full: boolean }>(
      `with logged as (insert into ack_log (gate_id, received_at, status, applied, about, reason, gate_time) values ($1, $2, $3, $4, $5, $6, $7))
       update gate set applied_version = $4, acked_at = $2${also} where id = $1 returning desired_version, needs_full`,
      [gateId, now, ack.status, ack.applied, ack.about, ack.reason, ack.time, ...(refused ? [NEEDS_FULL.includes(ack.reason)] : [])]);
    // A status or a refusal says where the gate is: resume from there. Not a replay: the gate
    // holds that set already and those after it are on their way (a reconnected gate's session
    // redelivers); sent again at each duplicate refused, every duplicate brought all the rest
    // once more, a storm that held a gate's erase order back 30 s (test/tools/hub/redelivery).
    // Were they lost, pumpAll sends them again after resendMs. Nor a set refused for the gate's
    // clock: sent again at once it met the same clock, and the two traded set and refusal for
    // ever (a storm); it goes again after resendMs, by when the gate has asked the hub's time.
    const later = refused && RESENT_LATER.includes(ack.reason);
    if (ack.status === "status" || (refused && !later)) this.#sets.resumeFrom(gateId, ack.applied);
    // A gate caught up needs no pump: an edit saved after this statement pumps the gate itself,
    // and one saved before it shows in desired_version here.
    // Nor one whose set was refused as a replay or for its clock (above): a pump would send a full
    // resync on its way again.
    if (!later && (ack.status !== "applied" || !after || after.needs_full || num(after.desired_version) > ack.applied)) await this.pump(gateId);
    // A status ack is a gate (re)connecting: whatever it has not receipted goes again.
    // Erase orders first: a template delivered after them is one consent still covers.
    if (ack.status === "status") {
      await this.#erasures.send(gateId);
      await this.templates.reconnected(gateId);
    }
  }

  /**
   * Stores an audit batch, each record once per (gate, log, sequence). A
   * sequence already held with other bytes is a rewritten record: kept as
   * first seen, and an alarm raised.
   */
  async ingestAudit(batch: AuditBatch): Promise<{ inserted: number; duplicates: number; rewritten: number }> {
    const log = AUDIT_LOG_NAMES.indexOf(batch.log), now = this.#now();
    let inserted = 0, rewritten = 0;
    const fresh: AuditRecord[] = [];
    const pump = await this.db.transaction(async (tx) => {
      fresh.length = 0; // a transaction retried runs again from the start
      for (const record of batch.records) {
        const decoded = decodeRecord(record), seq = decoded.seq;
        const rows = await tx.query("insert into audit_record (gate_id, log, seq, record, received_at) values ($1, $2, $3, $4, $5) on conflict do nothing returning seq",
          [batch.gateId, log, seq, record, now]);
        if (rows.length) { inserted++; fresh.push(decoded); continue; }
        const [held] = await tx.query<{ record: unknown }>("select record from audit_record where gate_id = $1 and log = $2 and seq = $3", [batch.gateId, log, seq]);
        if (!sameBytes(bytes(held.record), record)) {
          rewritten++;
          await this.#alarm(tx, batch.gateId, log, "rewritten", seq, `record ${seq} came back different from the one received first`);
        }
      }
      // Each record is new here once (across hub processes too): a code's use is counted once.
      return batch.log === "access" ? this.codes.seen(tx, batch.gateId, fresh) : [];
    });
    await Promise.all(pump.map((g) => this.pump(g)));
    if (fresh.length) await this.#observer.records?.(batch.gateId, fresh);
    return { inserted, duplicates: batch.records.length - inserted - rewritten, rewritten };
  }

  /**
   * Witnesses a signed audit head (signature already verified): a head behind
   * the one witnessed is a cut-back log; a window whose records the hub holds
   * must digest as the head says. The newest good head is kept.
   */
  async witnessHead(h: HeadMessage): Promise<{ recordsVerified: boolean; complete: boolean; alarms: string[] }> {
    const log = AUDIT_LOG_NAMES.indexOf(h.log), now = this.#now();
    return this.db.transaction(async (tx) => {
      const alarms: string[] = [];
      const raise = async (kind: "truncated" | "rewritten", seq: number, detail: string) => {
        alarms.push(kind);
        await this.#alarm(tx, h.gateId, log, kind, seq, detail);
      };
      const [prev] = await tx.query<{ head_seq: unknown; head_hash: unknown }>("select head_seq, head_hash from audit_head where gate_id = $1 and log = $2 for update", [h.gateId, log]);
      if (prev && h.head.seq < num(prev.head_seq)) {
        await raise("truncated", h.head.seq, `head ${h.head.seq} is behind the witnessed head ${num(prev.head_seq)}`);
        return { recordsVerified: false, complete: true, alarms };
      }
      if (prev && h.head.seq === num(prev.head_seq) && !sameBytes(bytes(prev.head_hash), h.head.hash)) {
        await raise("rewritten", h.head.seq, `head ${h.head.seq} has another chain hash than the witnessed one`);
      }
      const held = await tx.query<{ record: unknown }>("select record from audit_record where gate_id = $1 and log = $2 and seq > $3 and seq <= $4 order by seq",
        [h.gateId, log, h.anchor.seq, h.head.seq]);
      const complete = held.length === h.head.seq - h.anchor.seq;
      const recordsVerified = complete && sameBytes(recordsDigest(held.map((r) => bytes(r.record))), h.digest);
      if (complete && !recordsVerified) await raise("rewritten", h.head.seq, `records ${h.anchor.seq + 1}..${h.head.seq} held by the hub do not match the signed digest`);
      await tx.query(
        `insert into audit_head (gate_id, log, anchor_seq, head_seq, head_hash, digest, signature, records_verified, received_at, anchor_hash, signed_time)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (gate_id, log) do update set anchor_seq = excluded.anchor_seq, head_seq = excluded.head_seq, head_hash = excluded.head_hash,
           digest = excluded.digest, signature = excluded.signature, records_verified = excluded.records_verified, received_at = excluded.received_at,
           anchor_hash = excluded.anchor_hash, signed_time = excluded.signed_time`,
        [h.gateId, log, h.anchor.seq, h.head.seq, h.head.hash, h.digest, h.signature, recordsVerified, now, h.anchor.hash, h.time]);
      return { recordsVerified, complete, alarms };
    });
  }

  async #alarm(tx: Sql, gateId: number, log: number, kind: string, seq: number, detail: string): Promise<void> {
    await tx.query("insert into audit_alarm (gate_id, log, kind, seq, detail, raised_at) values ($1, $2, $3, $4, $5, $6)", [gateId, log, kind, seq, detail, this.#now()]);
  }

  /** Alarms raised about a gate's audit log, oldest first. */
  async auditAlarms(gateId: number): Promise<{ log: string; kind: string; seq: number; detail: string }[]> {
    const rows = await this.db.query<{ log: unknown; kind: string; seq: unknown; detail: string }>("select log, kind, seq, detail from audit_alarm where gate_id = $1 order by id", [gateId]);
    return rows.map((r) => ({ log: AUDIT_LOG_NAMES[num(r.log)], kind: r.kind, seq: num(r.seq), detail: r.detail }));
  }

  async #onInventory(inv: Inventory): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (inv.part === 0) await tx.query("delete from inventory where gate_id = $1", [inv.gateId]);
      // One statement per part, not per resident: 50 gates reporting 20,000 residents each were a
      // million statements, and every ack waited behind them (the fleet bench). An id listed twice: the last wins.
      const entries = [...new Map(inv.entries.map((e) => [e.id, e.digest]))];
      if (entries.length) {
        await tx.query(
          `insert into inventory (gate_id, resident_id, digest) select $1, * from unnest($2::integer[], $3::bytea[])
           on conflict (gate_id, resident_id) do update set digest = excluded.digest`,
          [inv.gateId, entries.map(([id]) => id), entries.map(([, digest]) => digest)]);
      }
      await tx.query("update gate set inventory_version = $2, inventory_at = $3 where id = $1", [inv.gateId, inv.applied, this.#now()]);
    });
  }

  async #onTimeRequest(compoundId: number, req: TimeRequest): Promise<void> {
    const grant = encodeTimeGrant({ gateId: req.gateId, nonce: req.nonce, time: this.#now(), keyId: this.keyId }, this.#sign);
    await this.#publish(topic(compoundId, req.gateId, "time"), grant, { retain: false });
  }

  // ---- views ----

  /** What the gate reported holding against what it should hold: residents missing, extra, different. */
  async compare(gateId: number): Promise<Comparison> {
    const [g] = await this.db.query<{ inventory_version: unknown }>("select inventory_version from gate where id = $1", [gateId]);
    const rows = await this.db.query<{ d: unknown; i: unknown; dd: unknown; id_: unknown }>(
      `select d.resident_id as d, i.resident_id as i, d.digest as dd, i.digest as id_
       from (select * from desired_record where gate_id = $1) d
       full outer join (select * from inventory where gate_id = $1) i on i.resident_id = d.resident_id
       order by coalesce(d.resident_id, i.resident_id)`, [gateId]);
    const out: Comparison = { missing: [], extra: [], different: [] };
    if (g?.inventory_version !== null && g?.inventory_version !== undefined) out.reportedVersion = num(g.inventory_version);
    for (const r of rows) {
      if (r.i === null) out.missing.push(num(r.d));
      else if (r.d === null) out.extra.push(num(r.i));
      else if (Buffer.compare(Buffer.from(bytes(r.dd)), Buffer.from(bytes(r.id_))) !== 0) out.different.push(num(r.d));
    }
    return out;
  }

  async auditCount(gateId: number): Promise<number> {
    const [row] = await this.db.query<{ n: unknown }>("select count(*) as n from audit_record where gate_id = $1", [gateId]);
    return num(row.n);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
