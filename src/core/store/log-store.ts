// A power-loss-safe, log-structured key/value store with append-only streams,
// over raw NOR flash (format in ./format.ts, design notes in ./README.md).
//
// Why it survives a power cut at any write or erase:
// - every change is a group of records appended to the log; the group counts
//   only once its last record is complete and verifies (CRC-32), so recovery
//   sees each transaction entirely or not at all;
// - compaction is itself one group: the copied live records plus a Retire
//   record naming the victim sector. Until that group is complete the victim
//   is still the truth; after it, the victim is dead even if its erase was cut;
// - a sector joins the log only by programming header part B after header
//   part A proved its erase finished, so a half-erased sector never looks live.
import { aeadOpen, aeadSeal } from "../crypto";
import { OptgateError } from "../errors";
import { asciiBytes, futureError, INTERNAL, storeError } from "./store-checks";
import { keyAreaFor, readKeyCopies, storeKeyFrom } from "./store-key";
import type { RecoveryReport, StoreOp, StoreOptions, StoreStats } from "./store-types";
import { addrOf, type Entry, pack, sizeOf, TRIM, typeOf } from "./store-entry";
import { eachRecord, walkLog } from "./log-walk";
import { planOps, type Pending } from "./store-ops";
import type { Random } from "../ports";
import type { Flash } from "./flash";
import {
  KEY_BYTES, KEY_SECTORS, MAX_RECORD, RECORD_HEADER, RecordType, SECTOR_HEADER, SectorState, decodeRecord,
  decodeSectorHeader, encodeHeaderA, encodeHeaderB, encodeRecord, isBlank, keyAt, putU32, recordSize,
} from "./format";

export type { RecoveryReport, StoreOp, StoreOptions, StoreStats } from "./store-types";

const FREE = 0, LIVE = 1, DEAD = 2;
/** Free sectors kept back so compaction always has somewhere to copy to. */
const RESERVE = 3;

export class LogStore {
  readonly report: RecoveryReport;
  readonly #flash: Flash;
  readonly #random: Random;
  readonly #keyWrap: Uint8Array | undefined;
  readonly #ss: number;
  readonly #n: number;
  #key: Uint8Array = new Uint8Array(KEY_BYTES);
  readonly #state: Uint8Array;
  readonly #eraseCount: Uint32Array;
  readonly #sectorSeq: Uint32Array;
  readonly #used: Uint32Array;
  readonly #live: Int32Array;
  readonly #dirty: Uint8Array;
  readonly #minStreamIndex: Float64Array;
  /** Live sectors, oldest first; the last one is the head when #head >= 0. */
  #order: number[] = [];
  #head = -1;
  #headOffset = 0;
  #seq = 0;
  #nextSectorSeq = 1;
  readonly #index = new Map<string, number>();
  /** Every sealed record still physically present, live or dead, per key: what a secure delete must erase. */
  readonly #sealedAt = new Map<string, number[]>();
  readonly #streams = new Map<string, number>();
  readonly #trims = new Map<string, number>();
  /** Complete records of uncommitted groups found at boot: never copied, purged when space allows. */
  readonly #orphans = new Set<number>();
  /** Tombstones the running compaction lets go (so a Retire needs no index scan), else undefined. */
  #letGo: string[] | undefined;
  /** First sequence number of the group a power cut left unfinished at the end of the log, or -1. */
  #unfinished = -1;
  #broken = false;
  #programmed = 0;
  #erases = 0;
  #requested = 0;
  #compactions = 0;
  #purges = 0;

  private constructor(flash: Flash, options: StoreOptions) {
    this.#flash = flash;
    this.#random = options.random;
    this.#keyWrap = options.keyWrap;
    this.#ss = flash.sectorSize;
    this.#n = Math.floor(flash.size / flash.sectorSize);
    if (this.#n < KEY_SECTORS + RESERVE + 3 || this.#ss < 2 * MAX_RECORD + SECTOR_HEADER) {
      throw storeError("E_STORE_CONFIG", `the flash partition must have at least ${KEY_SECTORS + RESERVE + 3} sectors of ${2 * MAX_RECORD + SECTOR_HEADER} bytes or more.`);
    }
    this.#state = new Uint8Array(this.#n).fill(DEAD);
    this.#eraseCount = new Uint32Array(this.#n);
    this.#sectorSeq = new Uint32Array(this.#n);
    this.#used = new Uint32Array(this.#n);
    this.#live = new Int32Array(this.#n);
    this.#dirty = new Uint8Array(this.#n);
    this.#minStreamIndex = new Float64Array(this.#n).fill(Infinity);
    this.report = {
      formatted: false, records: 0, droppedRecords: 0, droppedBytes: 0, garbageSectors: 0,
      retiredSectors: 0, scrubbedSectors: 0, keyRepaired: false, keyLost: false, readOnly: false,
      lostRecords: 0, damagedKeys: {}, unknownLost: 0, streamHoles: {},
    };
  }

  /**
   * Opens the store: reads every header first and refuses a newer format
   * before writing anything, rebuilds the index from the log, then finishes
   * what a power cut interrupted (erases, key copy, purge of torn data and of
   * dead sealed copies). A blank or foreign partition is formatted.
   */
  static open(flash: Flash, options: StoreOptions): LogStore {
    const store = new LogStore(flash, options);
    store.#recover();
    return store;
  }

  // Reading ----------------------------------------------------------------

  /** The value stored under `key` (sealed values decrypted), or undefined. */
  get(key: string): Uint8Array | undefined {
    const value = this.#stored(key);
    if (!value) return undefined;
    if (typeOf(this.#index.get(key)!) !== RecordType.Sealed) return value;
    try {
      return aeadOpen(this.#key, value.subarray(0, 12), value.subarray(12), asciiBytes(key));
    } catch {
      throw storeError("E_STORE_SEALED", `the sealed record "${key}" cannot be decrypted (device key lost or data altered); enrol again.`);
    }
  }

  has(key: string): boolean {
    const e = this.#index.get(key);
    return e !== undefined && typeOf(e) !== RecordType.Delete;
  }

  isSealed(key: string): boolean {
    const e = this.#index.get(key);
    return e !== undefined && typeOf(e) === RecordType.Sealed;
  }

  /** Keys present, optionally under a prefix, in no particular order. */
  keys(prefix = ""): string[] {
    const out: string[] = [];
    for (const [key, e] of this.#index) {
      if (typeOf(e) !== RecordType.Delete && key.startsWith(prefix) && !key.startsWith(INTERNAL)) out.push(key);
    }
    return out;
  }

  /** The bytes as they sit on flash (ciphertext for sealed values): for erasure proofs, never for use. */
  storedForm(key: string): Uint8Array | undefined {
    return this.#stored(key);
  }

  /** Next index a stream append will get; earlier ones exist unless trimmed. */
  streamLength(stream: string): number {
    return this.#streams.get(stream) ?? 0;
  }

  /** Index of the first record of `stream` still kept. */
  streamStart(stream: string): number {
    return this.#trims.get(stream) ?? 0;
  }

  /** Visits the stream's records with index >= from, in index order. */
  readStream(stream: string, from: number, visit: (index: number, data: Uint8Array) => void): void {
    const start = Math.max(from, this.streamStart(stream));
    const found: number[] = [];
    this.#walk((entry) => {
      if (entry.type === RecordType.Stream && entry.key === stream && entry.aux >= start) found.push(entry.aux, entry.addr, entry.size);
    });
    const order: number[] = [];
    for (let i = 0; i < found.length; i += 3) order.push(i);
    order.sort((a, b) => found[a] - found[b]);
    for (const i of order) {
      const buf = this.#flash.read(found[i + 1], found[i + 2]);
      const rec = decodeRecord(buf, 0);
      if (!rec) throw storeError("E_STORE_CORRUPT", `a ${stream} record changed on flash after boot; reboot to recover.`);
      visit(found[i], buf.slice(RECORD_HEADER + rec.keyLength + 4, RECORD_HEADER + rec.payloadLength));
    }
  }

  stats(): StoreStats {
    let free = 0, live = 0;
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      if (this.#state[s] === FREE) free++;
      live += this.#live[s];
    }
    return {
      logSectors: this.#n - KEY_SECTORS, freeSectors: free, liveBytes: live, liveLimit: this.#liveLimit(),
      programmedBytes: this.#programmed, erases: this.#erases, requestedBytes: this.#requested,
      compactions: this.#compactions, purges: this.#purges,
      eraseCounts: this.#eraseCount.slice(KEY_SECTORS),
    };
  }

  // Writing ----------------------------------------------------------------

  put(key: string, value: Uint8Array, options: { sealed?: boolean } = {}): void {
    this.commit([{ put: key, value, sealed: options.sealed }]);
  }

  /** Removes `key`; if it was sealed, every sector that ever held it is erased before this returns. */
  delete(key: string): void {
    this.commit([{ delete: key }]);
  }

  append(stream: string, data: Uint8Array): number {
    return this.commit([{ append: stream, data }])[0];
  }

  /** Drops stream records below `before` (e.g. after an export); compaction reclaims them. */
  trimStream(stream: string, before: number): void {
    this.commit([{ trim: stream, before }]);
  }

  /**
   * Applies the operations atomically: after a power cut either all of them
   * are there or none. Returns the stream index of each append, in order.
   * Refusals (bad key, too large, full) leave the store unchanged.
   */
  commit(ops: StoreOp[]): number[] {
    this.#checkUsable();
    const plan = planOps(ops, {
      streamStart: (stream) => this.streamStart(stream),
      streamLength: (stream) => this.streamLength(stream),
      has: (key) => this.has(key),
      seal: (key, value) => this.#seal(key, value),
    });
    if (plan.records.length === 0) return plan.appended;
    this.#commit(plan.records, plan.requested);
    if (plan.trimmed) this.#recountStreams();
    return plan.appended;
  }

  #commit(records: Pending[], requested: number): void {
    let delta = 0;
    const superseded: string[] = [];
    for (const r of records) {
      delta += recordSize(r.key.length + r.value.length);
      const old = r.type === RecordType.Stream ? undefined : this.#index.get(r.key);
      if (old !== undefined) {
        delta -= sizeOf(old);
        if (typeOf(old) === RecordType.Sealed) superseded.push(r.key);
      }
    }
    // Deletes and trims only free space in the end: a full store must still accept them.
    const freeing = records.every((r) => r.type === RecordType.Delete || r.key.startsWith(TRIM));
    if (!freeing && this.#liveTotal() + delta > this.#liveLimit()) {
      throw storeError("E_STORE_FULL", "the flash store is full; nothing was written. Remove residents or export and trim the audit log.");
    }
    this.#guarded(() => {
      this.#makeRoom(records);
      const entries = this.#writeGroup(records);
      for (const e of entries) this.#apply(e);
      this.#requested += requested;
      // Withdrawal erases at once: every sector that held an old sealed copy is compacted now.
      for (const key of superseded) this.#purgeDeadSealed(key);
    });
  }

  // Recovery ---------------------------------------------------------------

  #recover(): void {
    const flash = this.#flash, ss = this.#ss;
    // 1. Read-only survey: a newer format means we touch nothing. The key area
    // is the authority on the version (a newer firmware that migrates a store
    // rewrites it first): with a valid key copy of this version, a key copy or
    // sector header claiming a newer one is damage, not a newer store.
    const copies = readKeyCopies(flash, ss);
    const current = copies.some((k) => k.state === "valid");
    if (!current && copies.some((k) => k.state === "future")) throw futureError();
    for (let c = 0; c < KEY_SECTORS; c++) if (copies[c].state === "future") copies[c] = { state: "garbage" };
    const headers = [];
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      const h = decodeSectorHeader(flash.read(s * ss, SECTOR_HEADER));
      if (h.state === SectorState.Future && !current) throw futureError();
      headers.push(h.state === SectorState.Future ? { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 } : h);
    }
    let maxErase = 0;
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      const h = headers[s - KEY_SECTORS];
      this.#eraseCount[s] = h.eraseCount;
      maxErase = Math.max(maxErase, h.eraseCount);
      if (h.state === SectorState.Free) this.#state[s] = FREE;
      else if (h.state === SectorState.Live) {
        this.#state[s] = LIVE;
        this.#sectorSeq[s] = h.sectorSeq;
        this.#nextSectorSeq = Math.max(this.#nextSectorSeq, h.sectorSeq + 1);
        this.#order.push(s);
      }
    }
    this.#order.sort((a, b) => this.#sectorSeq[a] - this.#sectorSeq[b]);

    // 2. Rebuild the index from committed groups, oldest sector first.
    this.#walk((entry) => {
      this.report.records++;
      this.#apply(entry);
    }, true);
    // Damage anywhere may have taken stream records with it: count what each stream misses.
    if (this.report.droppedBytes || this.report.lostRecords || headers.some((h) => h.state === SectorState.Garbage)) {
      this.#findStreamHoles();
    }

    // 3. Repairs: from here on we write.
    const valid = storeKeyFrom(copies, this.#keyWrap);
    if (valid) this.#key = valid;
    else {
      this.#random.fill(this.#key);
      this.report.formatted = this.#order.length === 0;
      this.report.keyLost = this.#order.length > 0;
    }
    for (let c = 0; c < KEY_SECTORS; c++) {
      if (copies[c].state === "valid") continue;
      if (valid) this.report.keyRepaired = true;
      if (copies[c].state !== "blank" || !isBlank(flash.read(c * ss, ss))) flash.erase(c);
      flash.write(c * ss, keyAreaFor(this.#key, this.#keyWrap));
    }
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      if (this.#state[s] !== DEAD) continue;
      // Dead here means: retired by a compaction whose erase was cut, or a header we cannot trust.
      const h = headers[s - KEY_SECTORS];
      if (h.state === SectorState.Live) this.report.retiredSectors++;
      else {
        if (!this.report.formatted) this.report.garbageSectors++;
        this.#eraseCount[s] = maxErase;
      }
      this.#eraseSector(s, h.state !== SectorState.Unformatted);
    }
    // The newest sector stays the head if it ends cleanly.
    const last = this.#order[this.#order.length - 1];
    if (last !== undefined && !this.#dirty[last]) {
      this.#head = last;
      this.#headOffset = this.#used[last];
    }
    // Seal the unfinished group's fate before anything else is appended after it.
    if (this.#unfinished >= 0) this.#writeAbort(this.#unfinished);
    // Purge torn data and dead sealed copies, so nothing unacknowledged or withdrawn lingers.
    if (this.#broken) return;
    const scrub = new Set<number>();
    for (const s of this.#order) if (this.#dirty[s]) scrub.add(s);
    for (const key of this.#sealedAt.keys()) for (const s of this.#deadSealedSectors(key)) scrub.add(s);
    this.#recountStreams();
    for (const s of scrub) {
      if (this.#state[s] !== LIVE) continue;
      try {
        this.#compact(s);
        this.report.scrubbedSectors++;
      } catch (error) {
        if (!(error instanceof OptgateError)) throw error;
        // Full: the torn bytes stay until space allows; they are never read as records.
      }
    }
  }

  /**
   * Counts, per stream, the indexes in [start, length) no surviving record
   * holds. Recovery only (before any repair): by then a committed compaction
   * has retired its victim and an aborted one's copies are orphans, so every
   * index is held at most once.
   */
  #findStreamHoles(): void {
    const present = new Map<string, number>();
    for (const s of this.#order) {
      this.#eachRecord(s, (e) => {
        if (e.type !== RecordType.Stream || this.#orphans.has(e.addr) || e.aux >= this.streamLength(e.key) || e.aux < this.streamStart(e.key)) return;
        present.set(e.key, (present.get(e.key) ?? 0) + 1);
      });
    }
    for (const [stream, length] of this.#streams) {
      const missing = length - this.streamStart(stream) - (present.get(stream) ?? 0);
      if (missing > 0) this.report.streamHoles[stream] = missing;
    }
  }

  /** Walks the log oldest first (log-walk.ts); with `scanning`, recovery's bookkeeping too. */
  #walk(onCommitted: (entry: Entry) => void, scanning = false): void {
    const ss = this.#ss;
    walkLog({
      sectorSize: ss,
      // A copy: a Retire met on the way removes its (older) victim from #order.
      order: this.#order.slice(),
      isLive: (s) => this.#state[s] === LIVE,
      sectorSeq: (s) => this.#sectorSeq[s],
      read: (s) => this.#flash.read(s * ss, ss),
    }, onCommitted, scanning ? {
      orphans: (entries) => {
        this.report.droppedRecords += entries.length;
        for (const e of entries) {
          this.#dirty[Math.floor(e.addr / ss)] = 1;
          this.#orphans.add(e.addr);
        }
      },
      damage: (sector, bytes) => this.#damage(sector, bytes),
      lost: (count, named) => this.#lost(count, named),
      valid: (entry, sector) => {
        this.#seq = Math.max(this.#seq, entry.seq + 1);
        if (entry.type === RecordType.Sealed) this.#noteSealed(entry.key, entry.addr);
        if (entry.type === RecordType.Stream) this.#minStreamIndex[sector] = Math.min(this.#minStreamIndex[sector], entry.aux);
      },
      scanned: (sector, end) => { this.#used[sector] = this.#dirty[sector] ? ss : end; },
      unfinished: (seq) => { this.#unfinished = seq; },
    } : undefined);
  }

  /**
   * The Abort goes right behind the torn bytes in the same sector when there
   * is blank room (no free sector needed: a cut during compaction may have used
   * them all), else into a new sector. With neither, the store stays read-only
   * until it is serviced: writing anything after the unfinished group would
   * make it look committed.
   */
  #writeAbort(from: number): void {
    const value = new Uint8Array(4);
    putU32(value, 0, from);
    const abort: Pending[] = [{ type: RecordType.Abort, key: "", value, aux: from }];
    const last = this.#order[this.#order.length - 1];
    if (this.#head >= 0 && this.#fits(abort, RESERVE)) {
      this.#writeGroup(abort);
      return;
    }
    if (last !== undefined && last !== this.#head) {
      const ss = this.#ss;
      const buf = this.#flash.read(last * ss, ss);
      let end = ss;
      while (end > SECTOR_HEADER && buf[end - 1] === 0xff) end--;
      const at = (end + 3) & ~3;
      const bytes = encodeRecord(RecordType.Abort, "", value, this.#seq, 0, 1);
      if (at + bytes.length <= ss) {
        this.#program(last * ss + at, bytes);
        this.#seq = (this.#seq + 1) >>> 0;
        return;
      }
    }
    if (this.#fits(abort, 0)) {
      this.#writeGroup(abort);
      return;
    }
    this.report.readOnly = true;
    this.#broken = true;
  }

  /** `count` committed records lost; those in `named` are charged to their keys, the rest are of unknown key. */
  #lost(count: number, named: { key: string }[]): void {
    this.report.lostRecords += count;
    const known = Math.min(count, named.length);
    for (let i = 0; i < known; i++) this.report.damagedKeys[named[i].key] = (this.report.damagedKeys[named[i].key] ?? 0) + 1;
    this.report.unknownLost += count - known;
  }

  #damage(sector: number, bytes: number): void {
    this.#dirty[sector] = 1;
    this.report.droppedBytes += bytes;
  }

  // Index ------------------------------------------------------------------

  #apply(e: Entry): void {
    const sector = Math.floor(e.addr / this.#ss);
    switch (e.type) {
      case RecordType.Put:
      case RecordType.Sealed:
      case RecordType.Delete: {
        const old = this.#index.get(e.key);
        if (old !== undefined) this.#live[Math.floor(addrOf(old) / this.#ss)] -= sizeOf(old);
        this.#index.set(e.key, pack(e.addr, e.size, e.type));
        this.#live[sector] += e.size;
        if (e.key.startsWith(TRIM)) this.#trims.set(e.key.slice(TRIM.length), e.aux);
        break;
      }
      case RecordType.Stream:
        this.#streams.set(e.key, Math.max(this.#streams.get(e.key) ?? 0, e.aux + 1));
        if (e.aux >= (this.#trims.get(e.key) ?? 0)) this.#live[sector] += e.size;
        break;
      case RecordType.Retire:
        this.#retired(e.aux);
        break;
    }
  }

  /** A committed Retire: the victim's remaining index entries are tombstones that compaction let go. */
  #retired(victimSeq: number): void {
    const v = this.#order.find((s) => this.#sectorSeq[s] === victimSeq && this.#state[s] === LIVE);
    if (v === undefined) return;
    if (this.#letGo) {
      for (const key of this.#letGo) this.#index.delete(key);
    } else {
      for (const [key, e] of this.#index) if (Math.floor(addrOf(e) / this.#ss) === v) this.#index.delete(key);
    }
    this.#live[v] = 0;
    this.#state[v] = DEAD;
    this.#order.splice(this.#order.indexOf(v), 1);
    if (this.#head === v) this.#head = -1;
  }

  #isLive(e: Entry, tail: boolean): boolean {
    switch (e.type) {
      case RecordType.Put:
      case RecordType.Sealed:
        return this.#index.get(e.key) === pack(e.addr, e.size, e.type);
      case RecordType.Delete:
        // Below the oldest sector nothing older exists, so a tombstone there has done its job.
        return !tail && this.#index.get(e.key) === pack(e.addr, e.size, e.type);
      case RecordType.Stream:
        return e.aux >= (this.#trims.get(e.key) ?? 0) && !this.#orphans.has(e.addr);
      default:
        return false;
    }
  }

  #noteSealed(key: string, addr: number): void {
    const list = this.#sealedAt.get(key);
    if (list) list.push(addr);
    else this.#sealedAt.set(key, [addr]);
  }

  #deadSealedSectors(key: string): number[] {
    const e = this.#index.get(key);
    const liveAddr = e !== undefined && typeOf(e) === RecordType.Sealed ? addrOf(e) : -1;
    const out: number[] = [];
    for (const addr of this.#sealedAt.get(key) ?? []) {
      const s = Math.floor(addr / this.#ss);
      if (addr !== liveAddr && this.#state[s] === LIVE && !out.includes(s)) out.push(s);
    }
    return out;
  }

  #purgeDeadSealed(key: string): void {
    for (const s of this.#deadSealedSectors(key)) {
      if (this.#state[s] !== LIVE) continue;
      this.#compact(s);
      this.#purges++;
    }
  }

  /** Stream records below a trim point stop counting as live; recount the sectors that may hold some. */
  #recountStreams(): void {
    let lowestTrim = Infinity;
    for (const t of this.#trims.values()) if (t > 0) lowestTrim = Math.min(lowestTrim, t);
    if (lowestTrim === Infinity) return;
    for (const s of this.#order) {
      if (this.#minStreamIndex[s] >= lowestTrim) continue;
      let live = 0, min = Infinity;
      this.#eachRecord(s, (e) => {
        if (this.#isLive(e, false)) live += e.size;
        if (e.type === RecordType.Stream) min = Math.min(min, e.aux);
      });
      this.#live[s] = live;
      this.#minStreamIndex[s] = min;
    }
  }

  /** Every verifying record of one sector (no group logic: used where only committed ones remain). */
  #eachRecord(s: number, visit: (e: Entry, buf: Uint8Array, off: number, payloadLength: number) => void): void {
    eachRecord(this.#flash.read(s * this.#ss, this.#ss), s, this.#ss, visit);
  }

  // Space, compaction, wear --------------------------------------------------

  #liveTotal(): number {
    let live = 0;
    for (let s = KEY_SECTORS; s < this.#n; s++) live += this.#live[s];
    return live;
  }

  #liveLimit(): number {
    // Each closed sector holds at least (capacity - largest record); keep the reserve and the head out.
    return (this.#n - KEY_SECTORS - RESERVE - 1) * (this.#ss - SECTOR_HEADER - MAX_RECORD);
  }

  #fits(records: Pending[], reserve: number): boolean {
    let free = -reserve;
    for (let s = KEY_SECTORS; s < this.#n; s++) if (this.#state[s] === FREE) free++;
    let off = this.#head >= 0 ? this.#headOffset : this.#ss;
    for (const r of records) {
      const size = recordSize(r.key.length + r.value.length);
      if (off + size > this.#ss) {
        if (free-- <= 0) return false;
        off = SECTOR_HEADER;
      }
      off += size;
    }
    return true;
  }

  /** Compacts the oldest sectors until the group fits without touching the reserve. */
  #makeRoom(records: Pending[]): void {
    for (let rounds = 0; !this.#fits(records, RESERVE); rounds++) {
      if (rounds > 2 * this.#n || this.#order.length === 0) {
        throw storeError("E_STORE_FULL", "the flash store is full; compaction found nothing to reclaim.");
      }
      // Keep one free sector through it: a cut mid-compaction must leave recovery room to work.
      this.#compact(this.#order[0], 1);
      this.#compactions++;
    }
  }

  /**
   * Copies the live records of sector `v` to the head and retires `v` in one
   * group, then erases it. The victim's bytes are gone when this returns.
   */
  #compact(v: number, keepFree = 0): void {
    // Pieces of an unfinished group in older sectors must go before the Abort
    // that names them can (it may sit in `v`): oldest first.
    for (const s of this.#order) {
      if (s === v) break;
      if (this.#orphans.size && this.#holdsOrphan(s)) this.#compact(s);
    }
    const tail = this.#order[0] === v;
    if (this.#head === v) this.#head = -1;
    const copies: Pending[] = [];
    const letGo: string[] = [];
    this.#eachRecord(v, (e, buf, off, payloadLength) => {
      if (this.#isLive(e, tail)) {
        copies.push({ type: e.type, key: e.key, value: buf.slice(off + RECORD_HEADER + e.key.length, off + RECORD_HEADER + payloadLength), aux: e.aux });
      } else if (e.type === RecordType.Delete && this.#index.get(e.key) === pack(e.addr, e.size, e.type)) {
        letGo.push(e.key);
      }
    });
    if (copies.length === 0) {
      // Nothing to keep (torn bytes, orphans, dead records): erase without a
      // Retire group, so no free sector is needed. Safe: older orphans are gone
      // (above), and the cleared header keeps a cut erase from coming back.
      for (const key of letGo) this.#index.delete(key);
      this.#eraseSector(v);
      this.#forgetSector(v);
      return;
    }
    const retire = new Uint8Array(4);
    putU32(retire, 0, this.#sectorSeq[v]);
    copies.push({ type: RecordType.Retire, key: "", value: retire, aux: this.#sectorSeq[v] });
    if (!this.#fits(copies, keepFree)) throw storeError("E_STORE_FULL", "the flash store has no free sector left for compaction.");
    const entries = this.#writeGroup(copies);
    this.#letGo = letGo;
    try {
      for (const e of entries) this.#apply(e);
    } finally {
      this.#letGo = undefined;
    }
    this.#eraseSector(v);
    this.#forgetSector(v);
  }

  /** Drops RAM notes about records that were in an erased sector. */
  #forgetSector(v: number): void {
    for (const addr of this.#orphans) if (Math.floor(addr / this.#ss) === v) this.#orphans.delete(addr);
    for (const [key, list] of this.#sealedAt) {
      const kept = list.filter((addr) => Math.floor(addr / this.#ss) !== v);
      if (kept.length) this.#sealedAt.set(key, kept);
      else this.#sealedAt.delete(key);
    }
  }

  #holdsOrphan(s: number): boolean {
    for (const addr of this.#orphans) if (Math.floor(addr / this.#ss) === s) return true;
    return false;
  }

  #writeGroup(records: Pending[]): Entry[] {
    const entries: Entry[] = [];
    const ss = this.#ss;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const bytes = encodeRecord(r.type, r.key, r.value, this.#seq, i, records.length);
      if (this.#head < 0 || this.#headOffset + bytes.length > ss) this.#openSector();
      const addr = this.#head * ss + this.#headOffset;
      this.#program(addr, bytes);
      this.#headOffset += bytes.length;
      this.#used[this.#head] = this.#headOffset;
      if (r.type === RecordType.Sealed) this.#noteSealed(r.key, addr);
      if (r.type === RecordType.Stream) this.#minStreamIndex[this.#head] = Math.min(this.#minStreamIndex[this.#head], r.aux);
      entries.push({ type: r.type, key: r.key, addr, size: bytes.length, seq: this.#seq, aux: r.aux, groupIndex: i, groupSize: records.length });
      this.#seq = (this.#seq + 1) >>> 0;
    }
    return entries;
  }

  /** Wear levelling: the next head is the least-erased free sector. */
  #openSector(): void {
    let best = -1;
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      if (this.#state[s] === FREE && (best < 0 || this.#eraseCount[s] < this.#eraseCount[best])) best = s;
    }
    if (best < 0) throw storeError("E_STORE_FULL", "the flash store has no free sector.");
    const seq = this.#nextSectorSeq++;
    this.#program(best * this.#ss + 16, encodeHeaderB(encodeHeaderA(this.#eraseCount[best]), seq));
    this.#state[best] = LIVE;
    this.#sectorSeq[best] = seq;
    this.#used[best] = SECTOR_HEADER;
    this.#live[best] = 0;
    this.#dirty[best] = 0;
    this.#minStreamIndex[best] = Infinity;
    this.#order.push(best);
    this.#head = best;
    this.#headOffset = SECTOR_HEADER;
  }

  /**
   * `marked`: first clear the header magic, so an erase cut part-way can never
   * leave a sector that looks live with some of its old records (a partial
   * erase only raises bits; it cannot rebuild the magic and its CRC).
   */
  #eraseSector(s: number, marked = true): void {
    const i = this.#order.indexOf(s);
    if (i >= 0) this.#order.splice(i, 1);
    if (this.#head === s) this.#head = -1;
    this.#state[s] = DEAD;
    if (marked) this.#program(s * this.#ss, new Uint8Array(4));
    this.#flash.erase(s);
    this.#erases++;
    this.#eraseCount[s]++;
    this.#program(s * this.#ss, encodeHeaderA(this.#eraseCount[s]));
    this.#state[s] = FREE;
    this.#live[s] = 0;
    this.#dirty[s] = 0;
    this.#used[s] = SECTOR_HEADER;
    this.#minStreamIndex[s] = Infinity;
  }

  #program(addr: number, bytes: Uint8Array): void {
    this.#flash.write(addr, bytes);
    this.#programmed += bytes.length;
  }

  // Helpers ----------------------------------------------------------------

  #stored(key: string): Uint8Array | undefined {
    const e = this.#index.get(key);
    if (e === undefined || typeOf(e) === RecordType.Delete) return undefined;
    const buf = this.#flash.read(addrOf(e), sizeOf(e));
    const rec = decodeRecord(buf, 0);
    if (!rec || keyAt(buf, 0, rec.keyLength) !== key) {
      throw storeError("E_STORE_CORRUPT", `the record "${key}" changed on flash after boot; reboot to recover.`);
    }
    return buf.slice(RECORD_HEADER + rec.keyLength, RECORD_HEADER + rec.payloadLength);
  }

  #seal(key: string, value: Uint8Array): Uint8Array {
    const nonce = new Uint8Array(12);
    this.#random.fill(nonce);
    const sealed = aeadSeal(this.#key, nonce, value, asciiBytes(key));
    const out = new Uint8Array(12 + sealed.length);
    out.set(nonce, 0);
    out.set(sealed, 12);
    return out;
  }

  #checkUsable(): void {
    if (this.#broken) throw storeError("E_STORE_IO", "the flash store stopped after a flash failure; it keeps nothing new until the gate restarts.");
  }

  /** A flash failure part-way leaves RAM and flash out of step: stop writing until the next boot's recovery. */
  #guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      if (!(error instanceof OptgateError) || error.code !== "E_STORE_FULL") this.#broken = true;
      throw error;
    }
  }
}

