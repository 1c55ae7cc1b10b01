// The embed request the host board sends over the link ('F', boards/host/link.ts)
// and the answer it reads back, shared by the simulator's face models: u8 'F',
// u32 width, u32 height, u8 format (1 gray8, 2 rgb565), u8 check (0 none,
// 1 antispoof), pixels. Answer: outcome byte (0 ok + float32 LE embedding,
// 1 no face, 2 low quality, 3 not live), or '!' + reason.
import type { HostFrameSpec } from "../../boards/host/protocol";
import type { FaceResult } from "../face/face-pipeline";

const FORMATS: Record<number, HostFrameSpec["format"]> = { 1: "gray8", 2: "rgb565" };
const OUTCOME_CODES = { ok: 0, "no-face": 1, "low-quality": 2, "not-live": 3 } as const;

export interface EmbedRequest {
  frame: HostFrameSpec;
  check: number;
  /** A view into the message: zero it (the caller does) once the answer is out. */
  pixels: Uint8Array;
}

/** The request in `message`, or the '!' reason why it is malformed. */
export function readEmbedRequest(message: Uint8Array): EmbedRequest | string {
  if (message.length < 11) return "!face model: short message";
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const pixels = message.subarray(11);
  const format = FORMATS[message[9]];
  if (!format) return `!face model: unknown frame format ${message[9]}`;
  const frame: HostFrameSpec = { width: view.getUint32(1, true), height: view.getUint32(5, true), format };
  if (pixels.length !== frame.width * frame.height * (format === "rgb565" ? 2 : 1)) return "!face model: frame size does not match its header";
  return { frame, check: message[10], pixels };
}

/** The answer for a pipeline result; the result's embedding is zeroed once copied. */
export function embedAnswer(result: FaceResult): Uint8Array {
  if (result.outcome !== "ok") return Uint8Array.of(OUTCOME_CODES[result.outcome]);
  const out = new Uint8Array(1 + 4 * result.embedding.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < result.embedding.length; i++) view.setFloat32(1 + 4 * i, result.embedding[i], true);
  result.embedding.fill(0);
  return out;
}
