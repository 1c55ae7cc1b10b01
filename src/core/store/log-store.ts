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
import { eachRecord, streamHoles, walkLog } from "./log-walk";
import { SealedCopies } from "./sealed-copies";
import { planOps, type Pending } from "./store-ops";
import type { Random } from "../ports";
import type { Flash } from "./flash";
import { DEAD, FREE, LIVE, RESERVE, SectorTable, readSectorHeaders } from "./sector-table";
import {
  KEY_BYTES, KEY_SECTORS, MAX_RECORD, RECORD_HEADER, RecordType, SECTOR_HEADER, SectorState, decodeRecord, encodeRecord, isBlank, keyAt, putU32, recordSize,
} from "./format";

export type { RecoveryReport, StoreOp, StoreOptions, StoreStats } from "./store-types";

export class LogStore {
  readonly report: RecoveryReport;
  readonly #flash: Flash;
  readonly #random: Random;
  readonly #keyWrap: Uint8Array | undefined;
  readonly #ss: number;
  readonly #n: number;
  #key: Uint8Array = new Uint8Array(KEY_BYTES);
  /** Per-sector state, the head, wear (sector-table.ts). */
  readonly #sectors: SectorTable;
  #seq = 0;
  readonly #index = new Map<string, number>();
  readonly #sealed: SealedCopies;
  readonly #streams = new Map<string, number>();
  readonly #trims = new Map<string, number>();
  /** Complete records of uncommitted groups found at boot: never copied, purged when space allows. */
  readonly #orphans = new Set<number>();
  /** Tombstones the running compaction lets go (so a Retire needs no index scan), else undefined. */
  #letGo: string[] | undefined;
  /** First sequence number of the group a power cut left unfinished at the end of the log, or -1. */
  #unfinished = -1;
  #broken = false;
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
    this.#sectors = new SectorTable(flash, this.#n);
    this.#sealed = new SealedCopies(this.#ss);
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
      if (this.#sectors.state[s] === FREE) free++;
      live += this.#sectors.live[s];
    }
    return {
      logSectors: this.#n - KEY_SECTORS, freeSectors: free, liveBytes: live, liveLimit: this.#sectors.liveLimit(),
      programmedBytes: this.#sectors.programmed, erases: this.#sectors.erases, requestedBytes: this.#requested,
      compactions: this.#compactions, purges: this.#purges,
      eraseCounts: this.#sectors.eraseCount.slice(KEY_SECTORS),
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
    if (!freeing && this.#sectors.liveTotal() + delta > this.#sectors.liveLimit()) {
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
    // (A future copy beside a valid one is then repaired like any copy that is not valid.)
    if (!current && copies.some((k) => k.state === "future")) throw futureError();
    const headers = readSectorHeaders(flash, this.#n, current);
    const maxErase = this.#sectors.adopt(headers);

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
      this.report.formatted = this.#sectors.order.length === 0;
      this.report.keyLost = this.#sectors.order.length > 0;
    }
    for (let c = 0; c < KEY_SECTORS; c++) {
      if (copies[c].state === "valid") continue;
      if (valid) this.report.keyRepaired = true;
      if (copies[c].state !== "blank" || !isBlank(flash.read(c * ss, ss))) flash.erase(c);
      flash.write(c * ss, keyAreaFor(this.#key, this.#keyWrap));
    }
    for (let s = KEY_SECTORS; s < this.#n; s++) {
      if (this.#sectors.state[s] !== DEAD) continue;
      // Dead here means: retired by a compaction whose erase was cut, or a header we cannot trust.
      const h = headers[s - KEY_SECTORS];
      if (h.state === SectorState.Live) this.report.retiredSectors++;
      else {
        if (!this.report.formatted) this.report.garbageSectors++;
        this.#sectors.eraseCount[s] = maxErase;
      }
      this.#eraseSector(s, h.state !== SectorState.Unformatted);
    }
    // The newest sector stays the head if it ends cleanly.
    const last = this.#sectors.order[this.#sectors.order.length - 1];
    if (last !== undefined && !this.#sectors.dirty[last]) {
      this.#sectors.head = last;
      this.#sectors.headOffset = this.#sectors.used[last];
    }
    // Seal the unfinished group's fate before anything else is appended after it.
    if (this.#unfinished >= 0) this.#writeAbort(this.#unfinished);
    // Purge torn data and dead sealed copies, so nothing unacknowledged or withdrawn lingers.
    if (this.#broken) return;
    const scrub = new Set<number>();
    for (const s of this.#sectors.order) if (this.#sectors.dirty[s]) scrub.add(s);
    for (const key of this.#sealed.keys()) for (const s of this.#deadSealedSectors(key)) scrub.add(s);
    this.#recountStreams();
    for (const s of scrub) {
      if (this.#sectors.state[s] !== LIVE) continue;
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
    const holes = streamHoles(this.#sectors.order, (s) => this.#flash.read(s * this.#ss, this.#ss), this.#ss, {
      orphans: this.#orphans, lengths: this.#streams, start: (stream) => this.streamStart(stream),
    });
    for (const [stream, missing] of holes) this.report.streamHoles[stream] = missing;
  }

  /** Walks the log oldest first (log-walk.ts); with `scanning`, recovery's bookkeeping too. */
  #walk(onCommitted: (entry: Entry) => void, scanning = false): void {
    const ss = this.#ss;
    walkLog({
      sectorSize: ss,
      // A copy: a Retire met on the way removes its (older) victim from #order.
      order: this.#sectors.order.slice(),
      isLive: (s) => this.#sectors.state[s] === LIVE,
      sectorSeq: (s) => this.#sectors.sectorSeq[s],
      read: (s) => this.#flash.read(s * ss, ss),
    }, onCommitted, scanning ? {
      orphans: (entries) => {
        this.report.droppedRecords += entries.length;
        for (const e of entries) {
          this.#sectors.dirty[Math.floor(e.addr / ss)] = 1;
          this.#orphans.add(e.addr);
        }
      },
      damage: (sector, bytes) => this.#damage(sector, bytes),
      lost: (count, named) => this.#lost(count, named),
      valid: (entry, sector) => {
        this.#seq = Math.max(this.#seq, entry.seq + 1);
        if (entry.type === RecordType.Sealed) this.#sealed.note(entry.key, entry.addr);
        if (entry.type === RecordType.Stream) this.#sectors.minStreamIndex[sector] = Math.min(this.#sectors.minStreamIndex[sector], entry.aux);
      },
      scanned: (sector, end) => { this.#sectors.used[sector] = this.#sectors.dirty[sector] ? ss : end; },
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
    const last = this.#sectors.order[this.#sectors.order.length - 1];
    if (this.#sectors.head >= 0 && this.#sectors.fits(abort, RESERVE)) {
      this.#writeGroup(abort);
      return;
    }
    if (last !== undefined && last !== this.#sectors.head) {
      const ss = this.#ss;
      const buf = this.#flash.read(last * ss, ss);
      let end = ss;
      while (end > SECTOR_HEADER && buf[end - 1] === 0xff) end--;
      // A record's value may itself end in blank bytes: never write over a record that verifies.
      eachRecord(buf, last, ss, (e, _buf, off) => { end = Math.max(end, off + e.size); });
      const at = (end + 3) & ~3;
      const bytes = encodeRecord(RecordType.Abort, "", value, this.#seq, 0, 1);
      if (at + bytes.length <= ss) {
        this.#sectors.program(last * ss + at, bytes);
        this.#seq = (this.#seq + 1) >>> 0;
        return;
      }
    }
    if (this.#sectors.fits(abort, 0)) {
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
    this.#sectors.dirty[sector] = 1;
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
        if (old !== undefined) this.#sectors.live[Math.floor(addrOf(old) / this.#ss)] -= sizeOf(old);
        this.#index.set(e.key, pack(e.addr, e.size, e.type));
        this.#sectors.live[sector] += e.size;
        if (e.key.startsWith(TRIM)) this.#trims.set(e.key.slice(TRIM.length), e.aux);
        break;
      }
      case RecordType.Stream:
        this.#streams.set(e.key, Math.max(this.#streams.get(e.key) ?? 0, e.aux + 1));
        if (e.aux >= (this.#trims.get(e.key) ?? 0)) this.#sectors.live[sector] += e.size;
        break;
      case RecordType.Retire:
        this.#retired(e.aux);
        break;
    }
  }

  /** A committed Retire: the victim's remaining index entries are tombstones that compaction let go. */
  #retired(victimSeq: number): void {
    const v = this.#sectors.order.find((s) => this.#sectors.sectorSeq[s] === victimSeq && this.#sectors.state[s] === LIVE);
    if (v === undefined) return;
    if (this.#letGo) {
      for (const key of this.#letGo) this.#index.delete(key);
    } else {
      for (const [key, e] of this.#index) if (Math.floor(addrOf(e) / this.#ss) === v) this.#index.delete(key);
    }
    this.#sectors.live[v] = 0;
    this.#sectors.state[v] = DEAD;
    this.#sectors.order.splice(this.#sectors.order.indexOf(v), 1);
    if (this.#sectors.head === v) this.#sectors.head = -1;
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

  #deadSealedSectors(key: string): number[] {
    const e = this.#index.get(key);
    const liveAddr = e !== undefined && typeOf(e) === RecordType.Sealed ? addrOf(e) : -1;
    return this.#sealed.deadSectors(key, liveAddr, (s) => this.#sectors.state[s] === LIVE);
  }

  #purgeDeadSealed(key: string): void {
    for (const s of this.#deadSealedSectors(key)) {
      if (this.#sectors.state[s] !== LIVE) continue;
      this.#compact(s);
      this.#purges++;
    }
  }

  /** Stream records below a trim point stop counting as live; recount the sectors that may hold some. */
  #recountStreams(): void {
    let lowestTrim = Infinity;
    for (const t of this.#trims.values()) if (t > 0) lowestTrim = Math.min(lowestTrim, t);
    if (lowestTrim === Infinity) return;
    for (const s of this.#sectors.order) {
      if (this.#sectors.minStreamIndex[s] >= lowestTrim) continue;
      let live = 0, min = Infinity;
      this.#eachRecord(s, (e) => {
        if (this.#isLive(e, false)) live += e.size;
        if (e.type === RecordType.Stream) min = Math.min(min, e.aux);
      });
      this.#sectors.live[s] = live;
      this.#sectors.minStreamIndex[s] = min;
    }
  }

  /** Every verifying record of one sector (no group logic: used where only committed ones remain). */
  #eachRecord(s: number, visit: (e: Entry, buf: Uint8Array, off: number, payloadLength: number) => void): void {
    eachRecord(this.#flash.read(s * this.#ss, this.#ss), s, this.#ss, visit);
  }

  // Space, compaction, wear --------------------------------------------------

  /** Compacts the oldest sectors until the group fits without touching the reserve. */
  #makeRoom(records: Pending[]): void {
    for (let rounds = 0; !this.#sectors.fits(records, RESERVE); rounds++) {
      if (rounds > 2 * this.#n || this.#sectors.order.length === 0) {
        throw storeError("E_STORE_FULL", "the flash store is full; compaction found nothing to reclaim.");
      }
      // Keep one free sector through it: a cut mid-compaction must leave recovery room to work.
      this.#compact(this.#sectors.order[0], 1);
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
    for (const s of this.#sectors.order) {
      if (s === v) break;
      if (this.#orphans.size && this.#holdsOrphan(s)) this.#compact(s);
    }
    const tail = this.#sectors.order[0] === v;
    if (this.#sectors.head === v) this.#sectors.head = -1;
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
      return;
    }
    const retire = new Uint8Array(4);
    putU32(retire, 0, this.#sectors.sectorSeq[v]);
    copies.push({ type: RecordType.Retire, key: "", value: retire, aux: this.#sectors.sectorSeq[v] });
    if (!this.#sectors.fits(copies, keepFree)) throw storeError("E_STORE_FULL", "the flash store has no free sector left for compaction.");
    const entries = this.#writeGroup(copies);
    this.#letGo = letGo;
    try {
      for (const e of entries) this.#apply(e);
    } finally {
      this.#letGo = undefined;
    }
    this.#eraseSector(v);
  }

  /**
   * Every erase goes through here, so RAM notes about records in the sector
   * (orphan addresses, sealed copies) go with it: a stale note would make a
   * record written at that address later look dead, or its sector look like
   * it still holds a withdrawn copy.
   */
  #eraseSector(v: number, marked = true): void {
    this.#sectors.eraseSector(v, marked);
    for (const addr of this.#orphans) if (Math.floor(addr / this.#ss) === v) this.#orphans.delete(addr);
    this.#sealed.forgetSector(v);
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
      if (this.#sectors.head < 0 || this.#sectors.headOffset + bytes.length > ss) this.#sectors.openSector();
      const addr = this.#sectors.head * ss + this.#sectors.headOffset;
      this.#sectors.program(addr, bytes);
      this.#sectors.headOffset += bytes.length;
      this.#sectors.used[this.#sectors.head] = this.#sectors.headOffset;
      if (r.type === RecordType.Sealed) this.#sealed.note(r.key, addr);
      if (r.type === RecordType.Stream) this.#sectors.minStreamIndex[this.#sectors.head] = Math.min(this.#sectors.minStreamIndex[this.#sectors.head], r.aux);
      entries.push({ type: r.type, key: r.key, addr, size: bytes.length, seq: this.#seq, aux: r.aux, groupIndex: i, groupSize: records.length });
      this.#seq = (this.#seq + 1) >>> 0;
    }
    return entries;
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

