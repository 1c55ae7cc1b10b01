// The registry snapshot's framing: "OGR1", a u32 change count, then each
// change as a u32 length and its bytes (all big-endian). Registry.exportSnapshot
// frames its own changes with it, and a hub's full resync (src/core/sync) frames
// the hub's changes the same way to import them as one snapshot.
import { OptgateError } from "../errors";

export const SNAPSHOT_MAGIC: readonly number[] = [0x4f, 0x47, 0x52, 0x31]; // "OGR1"

/** The snapshot bytes holding `changes` (each an encoded change), in order. */
export function frameSnapshot(changes: readonly Uint8Array[]): Uint8Array {
  let total = 8;
  for (const change of changes) total += 4 + change.length;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(SNAPSHOT_MAGIC);
  view.setUint32(4, changes.length);
  let at = 8;
  for (const change of changes) {
    view.setUint32(at, change.length);
    out.set(change, at + 4);
    at += 4 + change.length;
  }
  return out;
}

/** The changes a snapshot holds, as views into `bytes`; throws E_BAD_SNAPSHOT on bad framing. */
export function unframeSnapshot(bytes: Uint8Array): Uint8Array[] {
  if (!(bytes instanceof Uint8Array) || bytes.length < 8 || SNAPSHOT_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new OptgateError("E_BAD_SNAPSHOT", "The registry snapshot does not start with OGR1.");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const changes: Uint8Array[] = [];
  let at = 8;
  for (let n = view.getUint32(4); n > 0; n--) {
    if (at + 4 > bytes.length) throw new OptgateError("E_BAD_SNAPSHOT", "The registry snapshot ends early.");
    const length = view.getUint32(at);
    if (at + 4 + length > bytes.length) throw new OptgateError("E_BAD_SNAPSHOT", "The registry snapshot ends early.");
    changes.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (at !== bytes.length) throw new OptgateError("E_BAD_SNAPSHOT", "The registry snapshot has trailing bytes.");
  return changes;
}
