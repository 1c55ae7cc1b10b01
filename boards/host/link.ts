// The XS side of the host link. Inside xsnap-worker the board reaches the
// Node simulator through one synchronous call, issueCommand(ArrayBuffer), used
// for flash operations (events travel back in handleCommand's answers):
//   'R' off len   flash read  → the bytes
//   'W' off data  flash write → empty, or '!' + reason (e.g. a simulated power cut)
//   'E' sector    flash erase → empty, or '!' + reason
// Node reaches the firmware through globalThis.handleCommand (see entry.ts).

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): ArrayBuffer {
  return encoder.encode(JSON.stringify(value)).buffer as ArrayBuffer;
}

export function decodeJson(bytes: ArrayBuffer): unknown {
  return JSON.parse(decoder.decode(new Uint8Array(bytes)));
}

function header(kind: string, a: number, b: number, extra: number): Uint8Array {
  const out = new Uint8Array(9 + extra);
  out[0] = kind.charCodeAt(0);
  const view = new DataView(out.buffer);
  view.setUint32(1, a, true);
  view.setUint32(5, b, true);
  return out;
}

/** Raised inside XS when the Node side cut the power during a flash operation. */
export class HostLinkError extends Error {}

function check(answer: ArrayBuffer, what: string): void {
  const bytes = new Uint8Array(answer);
  if (bytes.length > 0 && bytes[0] === 0x21) throw new HostLinkError(`${what}: ${decoder.decode(bytes.subarray(1))}`);
}

export function flashRead(offset: number, length: number): Uint8Array {
  const answer = issueCommand(header("R", offset, length, 0).buffer as ArrayBuffer);
  const bytes = new Uint8Array(answer);
  if (bytes.length !== length) check(answer, "flash read");
  if (bytes.length !== length) throw new HostLinkError(`flash read: got ${bytes.length} of ${length} bytes`);
  return bytes;
}

export function flashWrite(offset: number, data: Uint8Array): void {
  const message = header("W", offset, data.length, data.length);
  message.set(data, 9);
  check(issueCommand(message.buffer as ArrayBuffer), "flash write");
}

export function flashErase(sector: number): void {
  check(issueCommand(header("E", sector, 0, 0).buffer as ArrayBuffer), "flash erase");
}
