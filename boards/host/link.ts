// The XS side of the host link. Inside xsnap-worker the board reaches the
// Node simulator through one synchronous call, issueCommand(ArrayBuffer), used
// for flash operations (events travel back in handleCommand's answers):
//   'R' off len   flash read  → the bytes
//   'W' off data  flash write → empty, or '!' + reason (e.g. a simulated power cut)
//   'E' sector    flash erase → empty, or '!' + reason
//   'C' w h fmt   camera frame of the photo in front of the camera → the pixels, or '!' + reason
//   'F' w h fmt chk px  embed one frame with the real face model → outcome byte (0 ok, 1 no face,
//                 2 low quality, 3 not live) + float32 LE embedding when ok, or '!' + reason
// (fmt: 1 = gray8, 2 = rgb565; chk: the presentation-attack check to run first,
// 0 = none, 1 = antispoof.) Frames cross the link only inside a face
// session; both sides zero their copies after use.
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

export const FRAME_FORMAT_CODE = { gray8: 1, rgb565: 2 } as const;

/**
 * Fills `into` with one frame of the photo the Node side holds in front of
 * the camera. False when the Node side has no photo (it was just taken away).
 */
export function photoFrame(into: Uint8Array, width: number, height: number, format: "gray8" | "rgb565"): boolean {
  const message = header("C", width, height, 1);
  message[9] = FRAME_FORMAT_CODE[format];
  const answer = issueCommand(message.buffer as ArrayBuffer);
  const bytes = new Uint8Array(answer);
  try {
    if (bytes.length === 0) return false;
    if (bytes.length !== into.length) check(answer, "camera frame");
    if (bytes.length !== into.length) throw new HostLinkError(`camera frame: got ${bytes.length} of ${into.length} bytes`);
    into.set(bytes);
    return true;
  } finally {
    bytes.fill(0);
  }
}

/** The 'F' message's check byte: which presentation-attack check the Node side runs before it embeds. */
export const LIVENESS_CHECK_CODE = { none: 0, antispoof: 1 } as const;
/** Where the check byte sits in an 'F' message. */
export const EMBED_CHECK_AT = 10;

/**
 * The message buffer for 'F' (header + check byte + one frame), allocated
 * once by the embedder; `frameAt` is where the pixels go.
 */
export function embedMessage(width: number, height: number, format: "gray8" | "rgb565"): { message: Uint8Array; frameAt: number } {
  const bytes = width * height * (format === "rgb565" ? 2 : 1);
  const message = header("F", width, height, 2 + bytes);
  message[9] = FRAME_FORMAT_CODE[format];
  return { message, frameAt: EMBED_CHECK_AT + 1 };
}

/** Sends a filled 'F' message; returns the answer (caller zeroes it) or throws the Node side's reason. */
export function embedOverLink(message: Uint8Array): Uint8Array {
  const answer = issueCommand(message.buffer as ArrayBuffer);
  const bytes = new Uint8Array(answer);
  if (bytes.length === 0 || bytes[0] === 0x21) {
    check(answer, "face model");
    throw new HostLinkError("face model: empty answer");
  }
  return bytes;
}
