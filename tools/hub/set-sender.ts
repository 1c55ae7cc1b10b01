// Sending each gate the versions it lacks (docs/sync.md "Sending"): one pump
// at a time per gate, so sets go out in version order; at most SYNC_AHEAD
// unacknowledged versions on their way; the newest version sealed (closed to
// further edits) just before it is read. What this process has sent lives
// only here: a restart sends it again, and the gate refuses what it holds as
// replays.
//
// The linger (`lingerMs`, on in the hub service): a version is sealed no
// sooner than `lingerMs` after this process last sent the gate a set (on the
// monotonic clock). Under a
// stream of edits each gate then gets a set every `lingerMs` carrying every
// edit saved meanwhile, instead of a set, a signature, an ack and its
// statements per edit and gate (the fleet bench on PostgreSQL, where acks come
// back between two edits: 1.7 changes per set, 316 edits a minute). A quiet
// gate's first set still leaves at once.
import { encodeChangeSet, type Refusal } from "../../src/core/sync/messages";
import { topic } from "../../src/core/sync/topics";
import { bytes, num, type Db, type Sql } from "./db";
import { chunkChanges, unpackChanges } from "./desired";
import type { Publish } from "./hub";

/**
 * Versions past a gate's acknowledged one that may be on their way to it. A
 * gate slower than the edits (the XS gate at 1,000 edits a minute) then gets
 * fewer, larger sets: the edits join the unsealed version at the hub while it
 * catches up, instead of one small set each queueing at the broker and at the
 * gate (the fleet bench: 130 sets, the gate 50 s behind, its link timed out).
 */
export const SYNC_AHEAD = 4;

export interface GateState {
  id: number;
  compoundId: number;
  desiredVersion: number;
  appliedVersion: number;
  refusedReason?: string;
  refusedVersion?: number;
  needsFull: boolean;
}

export interface GateRow { id: unknown; compound_id: unknown; groups: unknown; desired_version: unknown; sealed_version: unknown; applied_version: unknown; public_key: unknown; refused_reason: string | null; refused_version: unknown; needs_full: boolean }

export function gateState(row: GateRow): GateState {
  const g: GateState = {
    id: num(row.id), compoundId: num(row.compound_id), desiredVersion: num(row.desired_version), appliedVersion: num(row.applied_version),
    needsFull: row.needs_full === true,
  };
  if (row.refused_reason) g.refusedReason = row.refused_reason;
  if (row.refused_version !== null && row.refused_version !== undefined) g.refusedVersion = num(row.refused_version);
  return g;
}

export interface SetSenderOptions {
  db: Db;
  sign: (message: Uint8Array) => Uint8Array;
  keyId: Uint8Array;
  publish: Publish;
  now: () => number;
  owns: (gateId: number) => boolean;
  resendMs: number;
  /** Seal a gate's newest version no sooner than this after the last set sent to it (0: at once). */
  lingerMs: number;
  /** A full resync's groups, schedules and holidays (they come first) and the codes the gate holds sealed (they come last). */
  fullHead: (db: Sql, compoundId: number, groups: number) => Promise<Uint8Array[]>;
  fullTail: (gateId: number) => Promise<Uint8Array[]>;
  onError?: (error: Error) => void;
}

export class SetSender {
  /** When this process last sent each gate a set. */
  readonly #sentAt = new Map<number, number>();
  /** Highest version this process has sent each gate. */
  readonly #sentUpTo = new Map<number, number>();
  /** One pump at a time per gate; at most one more waits, and later callers share it. */
  readonly #pumps = new Map<number, { tail: Promise<void>; waiting?: Promise<void> }>();
  /** A pump due when a gate's linger ends. */
  readonly #lingering = new Map<number, ReturnType<typeof setTimeout>>();
  /**
   * When this process last sent each gate a set, on the monotonic clock: the linger is timed on
   * it, not on the hub's clock, which an injected test clock holds still and NTP steps back.
   */
  readonly #sentMono = new Map<number, number>();
  /** Gates with a full resync on its way: sent again only after resendMs, or once the gate says where it is. */
  readonly #fullOnItsWay = new Set<number>();
  #closed = false;

  constructor(private readonly o: SetSenderOptions) {}

  /** Sends the gate whatever it lacks: the next incremental versions, or a full resync. */
  pump(gateId: number): Promise<void> {
    // While the gate's linger runs, the pump it ends with reads every edit saved until then.
    if (this.#closed || !this.o.owns(gateId) || this.#lingering.has(gateId)) return Promise.resolve();
    // A run not yet started reads the database after every caller's commit: it serves them all.
    const entry = this.#pumps.get(gateId);
    if (entry?.waiting) return entry.waiting;
    const next: { tail: Promise<void>; waiting?: Promise<void> } = { tail: Promise.resolve() };
    const run = (entry?.tail ?? Promise.resolve()).then(() => {
      next.waiting = undefined;
      return this.#pump(gateId);
    });
    next.waiting = run;
    next.tail = run.catch(() => {});
    this.#pumps.set(gateId, next);
    return run;
  }

  /**
   * Pumps every gate this process acts for that is behind (edits made by other hub processes,
   * sets lost on the way); a connected gate whose set went unacknowledged for resendMs gets it again.
   */
  async pumpBehind(): Promise<void> {
    const behind = await this.o.db.query<{ id: unknown; applied_version: unknown; online: boolean }>("select id, applied_version, online from gate where desired_version > applied_version or needs_full");
    const now = this.o.now();
    for (const row of behind) {
      const gateId = num(row.id);
      if (!this.o.owns(gateId)) continue;
      // Resend only to a connected gate; one that comes back announces its version and gets what it lacks.
      if (row.online && now - (this.#sentAt.get(gateId) ?? 0) >= this.o.resendMs) this.resumeFrom(gateId, num(row.applied_version));
      await this.pump(gateId);
    }
  }

  /** The gate said where it is (a status, or a refusal that is not a replay), or resendMs passed: the next sets go from there. */
  resumeFrom(gateId: number, applied: number): void {
    this.#sentUpTo.set(gateId, applied);
    this.#fullOnItsWay.delete(gateId);
  }

  /** A full resync asked for now (Hub.resync): no linger or earlier resync holds it back. */
  resyncNow(gateId: number): Promise<void> {
    clearTimeout(this.#lingering.get(gateId));
    this.#lingering.delete(gateId);
    this.#fullOnItsWay.delete(gateId);
    return this.pump(gateId);
  }

  /** Stops the linger timers and arms no more (the pumps they were due to run are the next process's). */
  close(): void {
    this.#closed = true;
    for (const timer of this.#lingering.values()) clearTimeout(timer);
    this.#lingering.clear();
  }

  async #pump(gateId: number): Promise<void> {
    const [row] = await this.o.db.query<GateRow>("select * from gate where id = $1", [gateId]);
    if (!row) return;
    const g = gateState(row);
    if (g.needsFull) {
      // After a refused apply, wait until the desired state moved past the refused version. One on
      // its way is not sent again at every tick or ack (a large resync to a slow gate, a storm).
      if (this.#fullOnItsWay.has(gateId)) return;
      if (g.refusedReason !== "apply-failed" || g.desiredVersion > (g.refusedVersion ?? 0)) await this.#sendFull(g);
      return;
    }
    const from = Math.max(g.appliedVersion, this.#sentUpTo.get(gateId) ?? 0) + 1;
    const last = g.appliedVersion + SYNC_AHEAD;
    // Its ack of an earlier set opens the window again (the hub pumps on acks); until then the edits coalesce.
    if (from > g.desiredVersion || from > last) return;
    let to = Math.min(g.desiredVersion, last);
    if (num(row.sealed_version) < g.desiredVersion && g.desiredVersion <= last) {
      const wait = this.o.lingerMs > 0 ? (this.#sentMono.get(gateId) ?? -Infinity) + this.o.lingerMs - performance.now() : 0;
      if (wait > 0 && !this.#closed) {
        // Lingering: the newest stays open for the edits to come; the versions before it are closed.
        this.#pumpIn(gateId, wait);
        to = g.desiredVersion - 1;
        if (from > to) return;
      } else {
        // Sealed before it is read: no edit joins a version once it may be on its way (versions.ts).
        // Edits saved meanwhile are in it too: the seal takes the newest version. Past the window the
        // newest stays open, and an unsealed version is never sent (to < desired above).
        const [sealed] = await this.o.db.query<{ desired_version: unknown }>("update gate set sealed_version = desired_version where id = $1 returning desired_version", [gateId]);
        g.desiredVersion = num(sealed.desired_version);
        to = Math.min(g.desiredVersion, last);
      }
    }
    const sets = new Map((await this.o.db.query<{ version: unknown; changes: unknown }>(
      "select version, changes from change_set where gate_id = $1 and version between $2 and $3", [gateId, from, to]))
      .map((r) => [num(r.version), bytes(r.changes)]));
    for (let version = from; version <= to; version++) {
      const set = sets.get(version);
      if (!set) { await this.#sendFull(g); return; }
      await this.#send(g, { version, base: version - 1, full: false, part: 0, parts: 1, changes: unpackChanges(set) });
    }
  }

  /** One pump when the gate's linger ends (a later edit's pump finds it already due). */
  #pumpIn(gateId: number, ms: number): void {
    if (this.#closed || this.#lingering.has(gateId)) return;
    const timer = setTimeout(() => {
      this.#lingering.delete(gateId);
      this.pump(gateId).catch((error: Error) => this.o.onError?.(error));
    }, Math.ceil(Math.min(ms, this.o.lingerMs)));
    // A hub closing does not wait for it: the tick of whichever process runs next sends the version.
    (timer as { unref?: () => void }).unref?.();
    this.#lingering.set(gateId, timer);
  }

  async #sendFull(g: GateState): Promise<void> {
    // A version of its own, past every one that may be on its way (an incremental set of the same
    // number, applied, cleared needs_full: the resync was then refused as a replay): the newest
    // if still open (it takes those edits), else the next. The gate holds a version at or past
    // ours (a restored hub database): past that too. Sealed before the records are read: no edit
    // joins the version the resync carries.
    const [{ groups, desired_version: sealed }] = await this.o.db.query<{ groups: unknown; desired_version: unknown }>(
      `update gate set desired_version = greatest(desired_version + (case when sealed_version >= desired_version then 1 else 0 end), $2),
         sealed_version = greatest(desired_version + (case when sealed_version >= desired_version then 1 else 0 end), $2)
       where id = $1 returning groups, desired_version`,
      [g.id, g.appliedVersion + 1]);
    this.#fullOnItsWay.add(g.id);
    const version = num(sealed);
    // The groups, schedules and holidays first: a full resync replaces the gate's (docs/sync.md).
    const records = [
      ...await this.o.fullHead(this.o.db, g.compoundId, num(groups)),
      ...(await this.o.db.query<{ record: unknown }>("select record from desired_record where gate_id = $1 order by resident_id", [g.id])).map((r) => bytes(r.record)),
    ];
    // The codes the gate holds sealed come after their residents (a replaced registry would lose them otherwise).
    records.push(...await this.o.fullTail(g.id));
    const runs = records.length ? chunkChanges(records) : [[]];
    const issuedAt = this.o.now();
    for (let part = 0; part < runs.length; part++) {
      await this.#send(g, { version, base: 0, full: true, part, parts: runs.length, changes: runs[part] }, issuedAt);
    }
  }

  async #send(g: GateState, set: { version: number; base: number; full: boolean; part: number; parts: number; changes: Uint8Array[] }, issuedAt = this.o.now()): Promise<void> {
    const bytes = encodeChangeSet({ gateId: g.id, issuedAt, keyId: this.o.keyId, ...set }, this.o.sign);
    await this.o.publish(topic(g.compoundId, g.id, "sync"), bytes, { retain: false });
    this.#sentUpTo.set(g.id, set.version);
    this.#sentAt.set(g.id, this.o.now());
    this.#sentMono.set(g.id, performance.now());
  }
}

/** Refusals after which only a full resync can bring the gate back. */
export const NEEDS_FULL: readonly Refusal[] = ["needs-resync", "apply-failed", "bad-part"];
