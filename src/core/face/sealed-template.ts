// A template at rest: AES-256-GCM under a key that belongs to this one
// resident and this one enrolment. The clear header (dimension, quantisation,
// face model and version, notice, enrolment time, resident id) is bound in as
// associated data, so a sealed template cannot be moved to another resident,
// back-dated or relabelled as another model's.
//
// Format 2 header: u8 2, u16 dimension, u8 scale, u8 quantisation (1 = int8,
// one byte per dimension), text model id, u16 model version, u16 notice,
// f64 enrolled at, text resident id, 12-byte nonce. Format 1 (before models
// were recorded) still opens, as model "" version 0, which no embedder has:
// such a template is never matched and its resident enrols again.
import { aeadOpen, aeadSeal } from "../crypto";
import { OptgateError } from "../errors";
import { ByteReader, ByteWriter } from "./bytes";
import type { FaceModelTag } from "../ports";
import type { FaceTemplate } from "./template";

export const TEMPLATE_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const FORMAT_UNTAGGED = 1;
const FORMAT = 2;
/** int8, one byte per dimension, `scale` steps per unit. */
export const QUANTISATION_INT8 = 1;
const MAX_MODEL_ID = 32;

export interface TemplateMeta {
  residentId: string;
  noticeVersion: number;
  enrolledAt: number;
  model: FaceModelTag;
}

export function sameModel(a: FaceModelTag, b: FaceModelTag): boolean {
  return a.id === b.id && a.version === b.version;
}

export function describeModel(m: FaceModelTag): string {
  return m.id ? `${m.id} v${m.version}` : "an unrecorded model";
}

function header(meta: TemplateMeta, template: { dimension: number; scale: number }, nonce: Uint8Array): Uint8Array {
  const { id, version } = meta.model;
  if (typeof id !== "string" || id.length < 1 || id.length > MAX_MODEL_ID || !(Number.isInteger(version) && version >= 0 && version <= 0xffff)) {
    throw new OptgateError("E_FACE_MODEL_TAG", `A face model needs an id of 1-${MAX_MODEL_ID} characters and a version 0-65535; got "${id}" v${version}.`);
  }
  return new ByteWriter()
    .u8(FORMAT)
    .u16(template.dimension)
    .u8(template.scale)
    .u8(QUANTISATION_INT8)
    .text(id)
    .u16(version)
    .u16(meta.noticeVersion)
    .f64(meta.enrolledAt)
    .text(meta.residentId)
    .bytes(nonce)
    .finish();
}

export function sealTemplate(template: FaceTemplate, meta: TemplateMeta, key: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (key.length !== TEMPLATE_KEY_BYTES || nonce.length !== NONCE_BYTES) {
    throw new OptgateError("E_TEMPLATE_KEY", "A template key is 32 bytes and its nonce 12.");
  }
  const head = header(meta, template, nonce);
  const clear = new Uint8Array(template.values.buffer, template.values.byteOffset, template.values.length);
  const sealed = aeadSeal(key, nonce, clear, head);
  const out = new Uint8Array(head.length + sealed.length);
  out.set(head, 0);
  out.set(sealed, head.length);
  return out;
}

/** Reads only the clear header (for retention and reports), without the key. */
export function templateMeta(sealed: Uint8Array): TemplateMeta & { dimension: number; scale: number; quantisation: number; headerLength: number } {
  const r = new ByteReader(sealed, "sealed template");
  const format = r.u8();
  if (format !== FORMAT && format !== FORMAT_UNTAGGED) throw new OptgateError("E_RECORD_CORRUPT", "The sealed template has an unknown format.");
  const dimension = r.u16();
  const scale = r.u8();
  let quantisation = QUANTISATION_INT8;
  let model: FaceModelTag = { id: "", version: 0 };
  if (format === FORMAT) {
    quantisation = r.u8();
    const id = r.text();
    model = { id, version: r.u16() };
  }
  const noticeVersion = r.u16();
  const enrolledAt = r.f64();
  const residentId = r.text();
  r.bytes(NONCE_BYTES);
  const headerLength = sealed.length - r.rest().length;
  return { dimension, scale, quantisation, model, noticeVersion, enrolledAt, residentId, headerLength };
}

/** Decrypts; throws E_TEMPLATE_SEAL_BROKEN if the key, header or bytes do not belong together. */
export function openTemplate(sealed: Uint8Array, key: Uint8Array, residentId: string): { template: FaceTemplate; meta: TemplateMeta } {
  const meta = templateMeta(sealed);
  if (meta.residentId !== residentId) {
    throw new OptgateError("E_TEMPLATE_SEAL_BROKEN", `A sealed template filed under ${residentId} belongs to someone else; it was not loaded.`);
  }
  const head = sealed.subarray(0, meta.headerLength);
  const nonce = head.subarray(head.length - NONCE_BYTES);
  let clear: Uint8Array;
  try {
    clear = aeadOpen(key, nonce, sealed.subarray(meta.headerLength), head);
  } catch {
    throw new OptgateError("E_TEMPLATE_SEAL_BROKEN", `The sealed template of ${residentId} does not open with its key; it was not loaded.`);
  }
  if (meta.quantisation !== QUANTISATION_INT8 || clear.length !== meta.dimension) throw new OptgateError("E_TEMPLATE_SEAL_BROKEN", "The sealed template has the wrong length or quantisation.");
  const values = new Int8Array(clear.buffer, clear.byteOffset, clear.length);
  return {
    template: { dimension: meta.dimension, scale: meta.scale, values },
    meta: { residentId: meta.residentId, noticeVersion: meta.noticeVersion, enrolledAt: meta.enrolledAt, model: meta.model },
  };
}
