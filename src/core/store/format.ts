// On-flash layout of the store, format version 1. Little-endian throughout.
//
// Partition: sectors 0 and 1 are the key area (two copies of the device key),
// sectors 2.. hold the log. A log sector starts with a 24-byte header written
// in two steps, because NOR lets us program blank bytes later without erasing:
//   part A, right after an erase:  magic "OGST", version, 3 × 0, erase count, crcA
//   part B, when it joins the log: sector sequence number, crcB
// A sector with A and a blank B is known blank (A is only written once the
// erase has finished), so boot never has to read free sectors.
//
// Records follow the header, 4-byte aligned, never crossing a sector:
//   0 magic 0xA5 | 1 type | 2 key length | 3 header check (CRC-8 over bytes
//   0..2, 4..11 and the key; 0 in records written before it existed)
//   4 payload length u16 (key + value) | 6 index in group | 7 group size
//   8 sequence number u32 | 12 CRC-32 over bytes 0..11 and the payload
// A group of records (one transaction) is committed when its last record is
// complete: recovery applies a group only if it finds every member in order.
import { crc32 } from "./crc32";

export const FORMAT_VERSION = 1;
export const KEY_SECTORS = 2;
export const SECTOR_HEADER = 24;
export const RECORD_HEADER = 16;
export const RECORD_MAGIC = 0xa5;
export const SECTOR_MAGIC = 0x5453474f; // "OGST"
export const KEY_MAGIC = 0x594b474f; // "OGKY"
export const MAX_KEY = 64;
export const MAX_VALUE = 1024;
export const MAX_GROUP = 255;
/** Nonce (12) and GCM tag (16) around a sealed value. */
export const SEAL_OVERHEAD = 28;

export enum RecordType {
  /** key → value in clear, CRC-protected (registry, PIN hashes, consent). */
  Put = 1,
  /** key → AES-GCM sealed value (templates, per-resident keys); deleting it erases the sectors. */
  Sealed = 2,
  /** Tombstone: the key no longer exists. */
  Delete = 3,
  /** Append to a stream (audit log): value = u32 stream index ‖ data. */
  Stream = 4,
  /** Compaction commit: the sector with this sequence number is dead (payload u32). */
  Retire = 5,
  /** Written at boot right after a group a power cut left unfinished: that group never happened. */
  Abort = 6,
}

export interface RecordHeader {
  type: number;
  keyLength: number;
  payloadLength: number;
  groupIndex: number;
  groupSize: number;
  seq: number;
  /** Bytes the record occupies on flash, header and alignment included. */
  size: number;
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}

export function recordSize(payloadLength: number): number {
  return align4(RECORD_HEADER + payloadLength);
}

/** Largest record any caller can produce: what compaction must always have room for. */
export const MAX_RECORD = recordSize(MAX_KEY + MAX_VALUE + SEAL_OVERHEAD);

export function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

export function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}

export function isBlank(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== 0xff) return false;
  return true;
}

/** Encodes a whole record: header, key (ASCII), value; padding stays 0xFF (unprogrammed). */
export function encodeRecord(type: RecordType, key: string, value: Uint8Array, seq: number, groupIndex: number, groupSize: number): Uint8Array {
  const payloadLength = key.length + value.length;
  const out = new Uint8Array(recordSize(payloadLength)).fill(0xff);
  out[0] = RECORD_MAGIC;
  out[1] = type;
  out[2] = key.length;
  out[4] = payloadLength & 0xff;
  out[5] = payloadLength >>> 8;
  out[6] = groupIndex;
  out[7] = groupSize;
  putU32(out, 8, seq);
  for (let i = 0; i < key.length; i++) out[RECORD_HEADER + i] = key.charCodeAt(i);
  out[3] = headerCheck(out, 0);
  out.set(value, RECORD_HEADER + key.length);
  let crc = crc32(out, 0, 12);
  crc = crc32(out, RECORD_HEADER, RECORD_HEADER + payloadLength, crc);
  putU32(out, 12, crc);
  return out;
}

/**
 * Parses and verifies the record at `at` inside `buf` (one sector, or one
 * record read on its own). Returns undefined for anything torn, corrupt or
 * not a record: the caller decides whether that is the end of the log or damage.
 */
export function decodeRecord(buf: Uint8Array, at: number, end = buf.length): RecordHeader | undefined {
  const header = plausibleHeader(buf, at, end);
  if (!header) return undefined;
  const { type, keyLength, payloadLength, groupIndex, groupSize, size } = header;
  let crc = crc32(buf, at, at + 12);
  crc = crc32(buf, at + RECORD_HEADER, at + RECORD_HEADER + payloadLength, crc);
  if (crc !== u32(buf, at + 12)) return undefined;
  return { type, keyLength, payloadLength, groupIndex, groupSize, seq: u32(buf, at + 8), size };
}

/** The header fields of the record at `at` if they are self-consistent and it fits before `end` (no CRC checked). */
function plausibleHeader(buf: Uint8Array, at: number, end: number): RecordHeader | undefined {
  if (at + RECORD_HEADER > end || buf[at] !== RECORD_MAGIC) return undefined;
  const type = buf[at + 1];
  if (type < RecordType.Put || type > RecordType.Abort) return undefined;
  const keyLength = buf[at + 2];
  const payloadLength = buf[at + 4] | (buf[at + 5] << 8);
  const groupIndex = buf[at + 6], groupSize = buf[at + 7];
  if (keyLength > MAX_KEY || payloadLength < keyLength || groupSize === 0 || groupIndex >= groupSize) return undefined;
  const size = recordSize(payloadLength);
  if (at + size > end) return undefined;
  return { type, keyLength, payloadLength, groupIndex, groupSize, seq: u32(buf, at + 8), size };
}

/**
 * CRC-8 (polynomial 0x07) over a record header's bytes 0..2 and 4..11 and its
 * key: lets recovery name the key of a record whose value was damaged (the
 * record's own CRC fails), so the damage is charged to that key alone.
 */
export function headerCheck(buf: Uint8Array, at: number): number {
  let crc = 0;
  const keyEnd = at + RECORD_HEADER + buf[at + 2];
  for (let i = at; i < keyEnd; i++) {
    if (i === at + 3 || (i >= at + 12 && i < at + RECORD_HEADER)) continue;
    crc ^= buf[i];
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * The header and key of a record whose CRC fails but whose header check
 * holds (its value is damaged, not its header), or undefined. The key must be
 * printable ASCII as every store key is. A header check of 0 is not trusted:
 * records written before the check existed carry 0 there.
 */
export function decodeDamagedHeader(buf: Uint8Array, at: number, end = buf.length): (RecordHeader & { key: string }) | undefined {
  const header = plausibleHeader(buf, at, end);
  if (!header) return undefined;
  const check = headerCheck(buf, at);
  if (check === 0 || check !== buf[at + 3]) return undefined;
  for (let i = 0; i < header.keyLength; i++) {
    const c = buf[at + RECORD_HEADER + i];
    if (c < 0x20 || c > 0x7e) return undefined;
  }
  return { ...header, key: keyAt(buf, at, header.keyLength) };
}

export function keyAt(buf: Uint8Array, at: number, length: number): string {
  let key = "";
  for (let i = 0; i < length; i++) key += String.fromCharCode(buf[at + RECORD_HEADER + i]);
  return key;
}

// Sector header ------------------------------------------------------------

export function encodeHeaderA(eraseCount: number): Uint8Array {
  const out = new Uint8Array(16);
  putU32(out, 0, SECTOR_MAGIC);
  out[4] = FORMAT_VERSION;
  putU32(out, 8, eraseCount);
  putU32(out, 12, crc32(out, 4, 12));
  return out;
}

export function encodeHeaderB(headerA: Uint8Array, sectorSeq: number): Uint8Array {
  const out = new Uint8Array(8);
  putU32(out, 0, sectorSeq);
  putU32(out, 4, crc32(out, 0, 4, crc32(headerA, 12, 16)));
  return out;
}

export enum SectorState {
  /** Header A valid, B blank: erased and ready. */
  Free = 0,
  /** Header A and B valid: part of the log. */
  Live = 1,
  /** Entirely blank header: never formatted, or an erase was interrupted; needs an erase before use. */
  Unformatted = 2,
  /** Anything else: torn header write, interrupted erase, foreign data. */
  Garbage = 3,
  /** A valid header of a newer format: the whole store must be refused. */
  Future = 4,
}

export interface SectorHeader {
  state: SectorState;
  eraseCount: number;
  sectorSeq: number;
}

export function decodeSectorHeader(buf: Uint8Array): SectorHeader {
  const eraseCount = u32(buf, 8), sectorSeq = u32(buf, 16);
  if (isBlank(buf, 0, SECTOR_HEADER)) return { state: SectorState.Unformatted, eraseCount: 0, sectorSeq: 0 };
  if (u32(buf, 0) !== SECTOR_MAGIC) return { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 };
  // Bytes 0..15 (magic, version, erase count, their CRC) keep this layout in every
  // format version; a torn write can leave any version byte, so only a verified one counts.
  if (crc32(buf, 4, 12) !== u32(buf, 12)) return { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 };
  if (buf[4] > FORMAT_VERSION) return { state: SectorState.Future, eraseCount: 0, sectorSeq: 0 };
  if (buf[4] !== FORMAT_VERSION) return { state: SectorState.Garbage, eraseCount: 0, sectorSeq: 0 };
  if (isBlank(buf, 16, 24)) return { state: SectorState.Free, eraseCount, sectorSeq: 0 };
  if (crc32(buf, 16, 20, crc32(buf, 12, 16)) !== u32(buf, 20)) return { state: SectorState.Garbage, eraseCount, sectorSeq: 0 };
  return { state: SectorState.Live, eraseCount, sectorSeq };
}

// Key area -----------------------------------------------------------------

export const KEY_BYTES = 32;
const KEY_RECORD = 40 + 4;

export function encodeKeyArea(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(KEY_RECORD);
  putU32(out, 0, KEY_MAGIC);
  out[4] = FORMAT_VERSION;
  out.set(key, 8);
  putU32(out, 40, crc32(out, 4, 40));
  return out;
}

export type KeyArea = { state: "valid"; key: Uint8Array } | { state: "blank" | "garbage" | "future" };

export function decodeKeyArea(buf: Uint8Array): KeyArea {
  if (isBlank(buf, 0, KEY_RECORD)) return { state: "blank" };
  if (u32(buf, 0) !== KEY_MAGIC) return { state: "garbage" };
  // As for sector headers: magic, version and the CRC at 40 keep their places in every version.
  if (crc32(buf, 4, 40) !== u32(buf, 40)) return { state: "garbage" };
  if (buf[4] > FORMAT_VERSION) return { state: "future" };
  if (buf[4] !== FORMAT_VERSION) return { state: "garbage" };
  return { state: "valid", key: buf.slice(8, 40) };
}

export const KEY_AREA_BYTES = KEY_RECORD;
