// Reading the log back: every record of every completed group, oldest first,
// as recovery (with its bookkeeping: damage, losses, orphans) and readStream
// need it. One sector buffer at a time: RAM stays bounded. Split from
// log-store.ts; the rules of what counts as committed are here.
import { MAX_GROUP, RECORD_HEADER, RECORD_MAGIC, RecordType, SECTOR_HEADER, decodeDamagedHeader, decodeRecord, isBlank, keyAt, u32 } from "./format";
import { type Entry, TRIM } from "./store-entry";

export interface WalkSectors {
  sectorSize: number;
  /** Live sectors, oldest first (a copy: a Retire met on the way kills its victim). */
  order: readonly number[];
  isLive(sector: number): boolean;
  sectorSeq(sector: number): number;
  read(sector: number): Uint8Array;
}

/** Recovery's bookkeeping while it walks. */
export interface WalkScan {
  /** Complete records of groups that never committed. */
  orphans(entries: Entry[]): void;
  /** Torn or corrupt bytes skipped in a sector. */
  damage(sector: number, bytes: number): void;
  /** Committed records missing from the middle of the log; `named` those whose key the damaged header still tells. */
  lost(count: number, named: { key: string }[]): void;
  /** A record that verifies (committed or not yet known). */
  valid(entry: Entry, sector: number): void;
  /** Where a sector's written part ends. */
  scanned(sector: number, end: number): void;
  /** First sequence number of the group a power cut left open at the end of the log. */
  unfinished(seq: number): void;
}

/** The entry of the record at `off` in a sector buffer. */
function entryAt(buf: Uint8Array, off: number, sector: number, ss: number, rec: NonNullable<ReturnType<typeof decodeRecord>>): Entry {
  const key = keyAt(buf, off, rec.keyLength);
  const at = off + RECORD_HEADER + rec.keyLength;
  const aux = rec.type >= RecordType.Stream || key.startsWith(TRIM) ? u32(buf, at) : 0;
  return { type: rec.type, key, addr: sector * ss + off, size: rec.size, seq: rec.seq, aux, groupIndex: rec.groupIndex, groupSize: rec.groupSize };
}

/** Every verifying record of one sector's buffer (no group logic: used where only committed ones remain). */
export function eachRecord(buf: Uint8Array, sector: number, ss: number, visit: (e: Entry, buf: Uint8Array, off: number, payloadLength: number) => void): void {
  for (let off = SECTOR_HEADER; off + RECORD_HEADER <= ss;) {
    const rec = decodeRecord(buf, off);
    if (!rec) {
      off += 4;
      continue;
    }
    visit(entryAt(buf, off, sector, ss, rec), buf, off, rec.payloadLength);
    off += rec.size;
  }
}

/**
 * Walks the log oldest first and hands over each record of each completed
 * group. With `scan`, it also reports per-sector extents, damage, losses and
 * the records of groups that never committed.
 */
export function walkLog(sectors: WalkSectors, onCommitted: (entry: Entry) => void, scan?: WalkScan): void {
  const ss = sectors.sectorSize;
  // `held`: every record since the last settled group, whose fate the next
  // group start, group end or Abort decides (see below).
  let held: Entry[] = [];
  const orphan = (entries: Entry[]) => {
    if (scan && entries.length) scan.orphans(entries);
  };
  const commit = () => {
    const group = held;
    held = [];
    for (const e of group) onCommitted(e);
  };
  const abort = (from: number) => {
    const keep = held.filter((e) => e.seq < from);
    orphan(held.filter((e) => e.seq >= from));
    held = [];
    for (const e of keep) onCommitted(e);
  };
  // Sequence numbers run on without a gap through a sector and into the
  // sector opened after it (a torn record's number is reused by the Abort or
  // the next record), so a gap ahead of a valid record is a lost committed
  // record. Sectors taken out of the middle (compaction) break the run.
  let lastSeq = -1, lastSectorSeq = -1;
  // Damaged records since the last valid one whose header check still names
  // their key: a gap the next valid record shows is charged to them first.
  let named: { key: string; seq: number }[] = [];
  for (const s of sectors.order) {
    if (!sectors.isLive(s)) continue;
    if (sectors.sectorSeq(s) !== lastSectorSeq + 1) {
      lastSeq = -1;
      named = [];
    }
    lastSectorSeq = sectors.sectorSeq(s);
    const buf = sectors.read(s);
    let off = SECTOR_HEADER;
    while (off + RECORD_HEADER <= ss) {
      if (buf[off] === 0xff && isBlank(buf, off, ss)) break;
      const rec = decodeRecord(buf, off);
      if (!rec) {
        // Where the record after a damaged one starts, while their header checks hold (scan only).
        let follows = -1;
        const name = (at: number) => {
          const header = decodeDamagedHeader(buf, at);
          follows = header ? at + header.size : -1;
          if (header && !named.some((n) => n.seq === header.seq)) named.push({ key: header.key, seq: header.seq });
        };
        if (scan) name(off);
        // Torn or corrupt: skip to the next record that verifies, if any (naming damaged ones on the way).
        let next = off + 4;
        while (next + RECORD_HEADER <= ss && !(buf[next] === RECORD_MAGIC && decodeRecord(buf, next))) {
          if (next === follows) name(next);
          next += 4;
        }
        scan?.damage(s, Math.min(next, ss) - off);
        off = next;
        continue;
      }
      const entry = entryAt(buf, off, s, ss, rec);
      if (scan) {
        const gap = lastSeq < 0 ? 0 : (rec.seq - lastSeq - 1) >>> 0;
        // A damaged record numbered below this valid one is a lost committed record (a torn
        // one's number is reused by the record written after it, so the same number is no
        // loss); at the start of a run no gap shows it, its header still does.
        const reach = lastSeq < 0 ? MAX_GROUP * 64 : gap;
        const charged = named.filter((n) => {
          const below = (rec.seq - n.seq) >>> 0;
          return below > 0 && below <= reach;
        });
        // A number going backwards (never written so) counts as one loss.
        const lost = lastSeq < 0 ? charged.length : gap > MAX_GROUP * 64 ? 1 : gap;
        if (lost) scan.lost(lost, charged);
        named = [];
        lastSeq = rec.seq;
        scan.valid(entry, s);
      }
      off += rec.size;
      // Groups with gaps are normal: compaction removes parts of committed
      // groups. The one exception is the group a power cut left unfinished;
      // recovery names it in an Abort record that is the very next record
      // after it in the log. So what is held waits for the next record: an
      // Abort decides against it, a group start or a finished group for it.
      // Whatever is still held at the end of the log is the unfinished group
      // itself.
      if (rec.type === RecordType.Abort) {
        abort(entry.aux);
        continue;
      }
      if (rec.groupIndex === 0) commit();
      held.push(entry);
      if (rec.groupIndex === rec.groupSize - 1) commit();
    }
    scan?.scanned(s, Math.min(off, ss));
  }
  if (scan && held.length) scan.unfinished(held[0].seq);
  orphan(held);
}

/**
 * Per stream, how many indexes in [start, length) no surviving record holds
 * (orphans do not count), over the live sectors in `order`. Recovery only,
 * before any repair: every index is then held at most once.
 */
export function streamHoles(order: readonly number[], read: (sector: number) => Uint8Array, ss: number,
  streams: { orphans: Set<number>; lengths: Map<string, number>; start(stream: string): number }): Map<string, number> {
  const present = new Map<string, number>();
  for (const s of order) {
    eachRecord(read(s), s, ss, (e) => {
      if (e.type !== RecordType.Stream || streams.orphans.has(e.addr) || e.aux >= (streams.lengths.get(e.key) ?? 0) || e.aux < streams.start(e.key)) return;
      present.set(e.key, (present.get(e.key) ?? 0) + 1);
    });
  }
  const holes = new Map<string, number>();
  for (const [stream, length] of streams.lengths) {
    const missing = length - streams.start(stream) - (present.get(stream) ?? 0);
    if (missing > 0) holes.set(stream, missing);
  }
  return holes;
}
