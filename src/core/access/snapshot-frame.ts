// The registry snapshot's framing: "OGR1", a u32 change count, then each
// change as a u32 length and its bytes (all big-endian). Registry.exportSnapshot
// frames its own changes with it, and a hub's full resync (src/core/sync) frames
// the hub's changes the same way to import them as one snapshot.

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
