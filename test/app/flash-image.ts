// Portable. Reading and damaging store images the way corruption would: find
// the records of a key (as recovery decodes them), flip bits, and rewrite a
// record with other content under a valid CRC (what a bit flip cannot do, but
// a bug, a foreign writer or a hostile technician's tool could).
import { KEY_SECTORS, RECORD_HEADER, SECTOR_HEADER, SectorState, decodeRecord, decodeSectorHeader, encodeRecord, keyAt, u32, type RecordHeader } from "../../src/core/store/format";

export const SECTOR = 4096;

export interface FoundRecord extends RecordHeader {
  /** Offset of the record in the image. */
  at: number;
  key: string;
  /** Offset of the value (after the key). */
  valueAt: number;
  valueLength: number;
}

/** Every verifying record in live sectors, in flash order (callers sort by seq for "newest"). */
export function records(image: Uint8Array): FoundRecord[] {
  const out: FoundRecord[] = [];
  for (let s = KEY_SECTORS; s < image.length / SECTOR; s++) {
    const sector = image.subarray(s * SECTOR, (s + 1) * SECTOR);
    if (decodeSectorHeader(sector).state !== SectorState.Live) continue;
    for (let off = SECTOR_HEADER; off + RECORD_HEADER <= SECTOR;) {
      const rec = decodeRecord(sector, off);
      if (!rec) {
        off += 4;
        continue;
      }
      const key = keyAt(sector, off, rec.keyLength);
      out.push({ ...rec, at: s * SECTOR + off, key, valueAt: s * SECTOR + off + RECORD_HEADER + rec.keyLength, valueLength: rec.payloadLength - rec.keyLength });
      off += rec.size;
    }
  }
  return out;
}

/** The newest record of `key` (highest sequence number), or undefined. */
export function newest(image: Uint8Array, key: string): FoundRecord | undefined {
  let best: FoundRecord | undefined;
  for (const r of records(image)) if (r.key === key && (!best || r.seq > best.seq)) best = r;
  return best;
}

/** Stream records of one stream, oldest first (value = u32 index ‖ data). */
export function streamRecords(image: Uint8Array, stream: string): FoundRecord[] {
  return records(image).filter((r) => r.key === stream && r.type === 4).sort((a, b) => u32(image, a.valueAt) - u32(image, b.valueAt));
}

export function flipBit(image: Uint8Array, at: number, bit = 0): void {
  image[at] ^= 1 << (bit & 7);
}

/**
 * Replaces a record's value, keeping its key, type, group and sequence
 * number, under a valid CRC. A shorter value leaves the old tail as garbage
 * behind it; a longer one is cut to the room the record had.
 */
export function rewrite(image: Uint8Array, rec: FoundRecord, value: Uint8Array): void {
  const room = rec.size - RECORD_HEADER - rec.keyLength;
  const fitted = value.length > room ? value.subarray(0, room) : value;
  const bytes = encodeRecord(rec.type, rec.key, fitted, rec.seq, rec.groupIndex, rec.groupSize);
  image.set(bytes.subarray(0, Math.min(bytes.length, rec.size)), rec.at);
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
