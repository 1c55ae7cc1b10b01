// The store's public types: operations, the recovery report, statistics, options.
import type { Random } from "../ports";

export type StoreOp =
  | { put: string; value: Uint8Array; sealed?: boolean }
  | { delete: string }
  | { append: string; data: Uint8Array }
  /** Forget stream records below `before` (after an export); compaction reclaims them. */
  | { trim: string; before: number };

/** What boot-time recovery found and did. Counts only; never record contents. */
export interface RecoveryReport {
  /** The partition held no store and was formatted. */
  formatted: boolean;
  /** Committed records found. */
  records: number;
  /** Complete records of transactions whose commit never finished (dropped). */
  droppedRecords: number;
  /** Bytes of torn or corrupt data skipped. */
  droppedBytes: number;
  /** Sectors whose header was unusable (torn, interrupted erase, foreign data); erased. */
  garbageSectors: number;
  /** Compactions whose erase was cut, finished at boot. */
  retiredSectors: number;
  /** Sectors rewritten at boot to purge torn data or dead sealed copies. */
  scrubbedSectors: number;
  /** One copy of the device key was bad and was rewritten from the other. */
  keyRepaired: boolean;
  /** No copy of the device key survived: sealed records can no longer be opened. */
  keyLost: boolean;
  /** A power cut left no room to record its unfinished transaction: reads work, writes are refused. */
  readOnly: boolean;
  /**
   * Committed records missing from the middle of the log: a record that does
   * not verify with valid records after it in the same run of sequence
   * numbers. A power cut only ever tears the newest bytes, so this is
   * corruption, not a cut; the lost records' keys cannot be known.
   */
  lostRecords: number;
  /**
   * Of lostRecords, those whose key is known: the record's value was damaged
   * but its header check (format.ts) still names the key (or stream), with how
   * many records each lost. The caller treats that key as damaged, even where
   * an older copy of it is still indexed.
   */
  damagedKeys: Record<string, number>;
  /** Of lostRecords, those whose key cannot be known (their header was damaged too). */
  unknownLost: number;
  /** Per stream: indexes missing between its start and its newest record (stream indexes are contiguous). */
  streamHoles: Record<string, number>;
}

export interface StoreStats {
  logSectors: number;
  freeSectors: number;
  liveBytes: number;
  /** Live bytes the store accepts before refusing writes with E_STORE_FULL. */
  liveLimit: number;
  /** Bytes programmed and sectors erased by this instance (compaction included). */
  programmedBytes: number;
  erases: number;
  /** Compactions of the oldest sector to make room, and of sectors holding withdrawn sealed data or torn bytes. */
  compactions: number;
  purges: number;
  /** Key + value bytes callers asked to store (the denominator of write amplification). */
  requestedBytes: number;
  eraseCounts: Uint32Array;
}

export interface StoreOptions {
  random: Random;
  /**
   * The board's wrap for the store key (32 bytes from its key root): the key
   * area then holds the store key XOR this, so a flash dump alone opens no
   * sealed value (store-key.ts). Without it the key is kept as is.
   */
  keyWrap?: Uint8Array;
}
