/** What ECMA-419 IO accepts as a buffer argument. */
export type BufferLike = ArrayBuffer | ArrayBufferView;

/** A byte view over any buffer argument (ArrayBuffer or a view), without copying. */
export function bytesOf(buffer: BufferLike): Uint8Array {
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
