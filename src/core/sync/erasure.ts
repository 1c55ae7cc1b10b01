// Template erasure across the fleet (docs/sync.md "Erasure"): a withdrawal of
// consent at any gate or at the hub erases the resident's face template at
// every gate, each gate answering with a signed receipt.
//
//   order      hub -> gate, hub-signed: resident u32 | order id 16 | issuedAt u64 ms | keyId 8 | signature 64
//   receipt    gate -> hub, gate-signed: resident u32 | order id 16 | held u8 | gate time u64 ms | signature 64
//   withdrawn  gate -> hub, gate-signed: resident u32 | notice id 16 | held u8 | gate time u64 ms | signature 64
//
// Each starts "OGE1", a type byte and the gate id. Signatures are Ed25519
// over ERASURE_TAG, a NUL, then the message up to the signature: a tag of its
// own, so no erasure signature can pass for a sync one or the other way round.
// The notice id of a withdrawal at a gate becomes the order id of the fan-out,
// so a notice sent twice fans out once.
import type { AuditEntry } from "../audit/audit-record";
import { constantTimeEqual, toHex, utf8 } from "../crypto";
import { ed25519Verify, type Ed25519Verify } from "../ed25519";
import { isOptgateError, OptgateError } from "../errors";
import { ByteReader, ByteWriter, malformed, taggedBytes, valueChecks } from "./bytes";
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SKEW_MS } from "./gate-sync";
import { KEY_ID_BYTES, SIGNATURE_BYTES, keyIdOf, type Sign } from "./messages";

export const ERASURE_TAG = "optgate erasure v1";
const MAGIC = [0x4f, 0x47, 0x45, 0x31]; // "OGE1"
export const ORDER_ID_BYTES = 16;
export const ERASURE_TYPES = ["erase-order", "erase-receipt", "withdrawn"] as const;
/** Order ids a gate remembers having executed (newest kept): a resend past this many is stale anyway. */
export const REMEMBERED_ORDERS = 256;

export interface EraseOrder {
  type: "erase-order";
  gateId: number;
  residentId: number;
  orderId: Uint8Array;
  issuedAt: number;
  keyId: Uint8Array;
}

/** A receipt, or a "withdrawn here" notice: the gate erased (held = it had a template) at its time. */
export interface GateErasure {
  type: "erase-receipt" | "withdrawn";
  gateId: number;
  residentId: number;
  orderId: Uint8Array;
  held: boolean;
  time: number;
}

export type ErasureMessage = EraseOrder | GateErasure;

export interface ReceivedErasure {
  message: ErasureMessage;
  signed: { bytes: Uint8Array; signature: Uint8Array };
}

const TAG = utf8(ERASURE_TAG);
const tagged = (body: Uint8Array): Uint8Array => taggedBytes(TAG, body);
const { badValue, checkU32, checkBytes } = valueChecks("An erasure message");

function start(type: ErasureMessage["type"], gateId: number, residentId: number, orderId: Uint8Array, rest: number): ByteWriter {
  checkU32(gateId, "gate id");
  checkU32(residentId, "resident id");
  checkBytes(orderId, ORDER_ID_BYTES, "order id");
  const w = new ByteWriter(MAGIC.length + 1 + 4 + 4 + ORDER_ID_BYTES + rest);
  w.raw(Uint8Array.from(MAGIC));
  w.u8(ERASURE_TYPES.indexOf(type) + 1);
  w.u32(gateId);
  w.u32(residentId);
  w.raw(orderId);
  return w;
}

function signed(w: ByteWriter, sign: Sign): Uint8Array {
  const body = w.done();
  const signature = sign(tagged(body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body);
  out.set(signature, body.length);
  return out;
}

export function encodeEraseOrder(order: Omit<EraseOrder, "type">, sign: Sign): Uint8Array {
  checkBytes(order.keyId, KEY_ID_BYTES, "key id");
  const w = start("erase-order", order.gateId, order.residentId, order.orderId, 8 + KEY_ID_BYTES);
  w.time(order.issuedAt);
  w.raw(order.keyId);
  return signed(w, sign);
}

/** A receipt (type "erase-receipt") or a "withdrawn here" notice (type "withdrawn"), signed by the gate. */
export function encodeGateErasure(e: GateErasure, sign: Sign): Uint8Array {
  if (e.type !== "erase-receipt" && e.type !== "withdrawn") throw badValue(`type ${String(e.type)}`);
  const w = start(e.type, e.gateId, e.residentId, e.orderId, 1 + 8);
  w.u8(e.held ? 1 : 0);
  w.time(e.time);
  return signed(w, sign);
}

/** Reads one erasure message; throws E_SYNC_MALFORMED. Does not verify: see verifyErasure. */
export function decodeErasure(bytes: Uint8Array): ReceivedErasure {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  const fixed = MAGIC.length + 1 + 4 + 4 + ORDER_ID_BYTES;
  if (bytes.length < fixed + SIGNATURE_BYTES) throw malformed("it is shorter than an erasure message");
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGE1");
  const type = ERASURE_TYPES[bytes[4] - 1];
  if (!type) throw malformed(`erasure type ${bytes[4]} is unknown`);
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const r = new ByteReader(body);
  r.raw(MAGIC.length + 1, "magic and type");
  const gateId = r.u32("gate id"), residentId = r.u32("resident id"), orderId = r.raw(ORDER_ID_BYTES, "order id");
  let message: ErasureMessage;
  if (type === "erase-order") {
    message = { type, gateId, residentId, orderId, issuedAt: r.time("issue time"), keyId: r.raw(KEY_ID_BYTES, "key id") };
  } else {
    const held = r.u8("held flag");
    if (held > 1) throw malformed(`held flag ${held}`);
    message = { type, gateId, residentId, orderId, held: held === 1, time: r.time("gate time") };
  }
  r.end();
  return { message, signed: { bytes: body.slice(), signature: bytes.slice(bytes.length - SIGNATURE_BYTES) } };
}

export function verifyErasure(received: ReceivedErasure, publicKey: Uint8Array, verify: Ed25519Verify = ed25519Verify): boolean {
  return verify(publicKey, tagged(received.signed.bytes), received.signed.signature);
}

/** Where the gate erases: the face gallery's template (and anything derived from it) of one resident. */
export interface ErasePort {
  eraseTemplate(residentId: number): { held: boolean };
}

export interface ErasureOutcome {
  /** The signed receipt to publish; absent when the order was refused. */
  receipt?: Uint8Array;
  audit: AuditEntry;
  /** Why the order was refused (no receipt, nothing erased). */
  refused?: "malformed" | "wrong-gate" | "unknown-key" | "bad-signature" | "stale" | "from-future";
  /** True when this order erased now; false for a repeat of one already done (receipt sent again). */
  erased?: boolean;
}

export interface GateErasureOptions {
  gateId: number;
  hubKeys: Uint8Array[];
  sign: Sign;
  maxAgeMs?: number;
  maxSkewMs?: number;
  /** Receipts kept from before a reboot (see receipts()): their orders are not executed again. */
  receipts?: Uint8Array[];
}

/**
 * The gate's side: verifies an order as GateSync verifies a change set
 * (addressed here, a provisioned hub key, a good signature, fresh when the
 * clock is trusted), erases once per order id, and answers with a receipt.
 * An order already executed gets its first receipt again (the hub resends
 * until receipted) and erases nothing.
 */
export class GateErasures {
  readonly gateId: number;
  readonly #keys: { id: Uint8Array; key: Uint8Array }[];
  readonly #sign: Sign;
  readonly #maxAge: number;
  readonly #maxSkew: number;
  readonly #done = new Map<string, Uint8Array>();

  constructor(o: GateErasureOptions) {
    if (!Array.isArray(o.hubKeys) || o.hubKeys.length === 0) throw new OptgateError("E_SYNC_NO_HUB_KEY", "Erasure needs at least one provisioned hub public key.");
    this.gateId = o.gateId;
    this.#keys = o.hubKeys.map((key) => ({ id: keyIdOf(key), key: key.slice() }));
    this.#sign = o.sign;
    this.#maxAge = o.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#maxSkew = o.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
    for (const receipt of o.receipts ?? []) {
      const m = decodeErasure(receipt).message;
      if (m.type !== "erase-receipt" || m.gateId !== o.gateId) throw new OptgateError("E_SYNC_BAD_VALUE", "A kept erasure receipt is not this gate's.");
      this.#remember(m.orderId, receipt);
    }
  }

  /** The receipts of the orders remembered, oldest first: persist them (not secret) to survive a reboot. */
  receipts(): Uint8Array[] {
    return [...this.#done.values()];
  }

  #remember(orderId: Uint8Array, receipt: Uint8Array): void {
    this.#done.set(toHex(orderId), receipt);
    if (this.#done.size > REMEMBERED_ORDERS) this.#done.delete(this.#done.keys().next().value as string);
  }

  handleOrder(bytes: Uint8Array, now: number | undefined, port: ErasePort): ErasureOutcome {
    let order: EraseOrder;
    try {
      order = this.#verified(bytes, now);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { refused: error.reason, audit: entry(now, "sync-refused", "deny", 0, `erase ${error.reason}`) };
    }
    const key = toHex(order.orderId);
    const earlier = this.#done.get(key);
    if (earlier) return { receipt: earlier, erased: false, audit: entry(now, "sync-refused", "deny", order.residentId, "erase replay: receipt resent") };
    const { held } = port.eraseTemplate(order.residentId);
    const receipt = encodeGateErasure({ type: "erase-receipt", gateId: this.gateId, residentId: order.residentId, orderId: order.orderId, held, time: gateTime(now) }, this.#sign);
    this.#remember(order.orderId, receipt);
    return { receipt, erased: true, audit: entry(now, "face-erased", "info", order.residentId, `hub order${held ? "" : ", none held"}`) };
  }

  /** A withdrawal at this gate: erases here at once and returns the notice for the hub to fan out. */
  withdrawHere(residentId: number, noticeId: Uint8Array, now: number | undefined, port: ErasePort): { notice: Uint8Array; audit: AuditEntry } {
    const { held } = port.eraseTemplate(residentId);
    const notice = encodeGateErasure({ type: "withdrawn", gateId: this.gateId, residentId, orderId: noticeId, held, time: gateTime(now) }, this.#sign);
    // An order under the notice's id (the hub never sends its own gate one; a replay or a hub of old) is answered without erasing again.
    this.#remember(noticeId, encodeGateErasure({ type: "erase-receipt", gateId: this.gateId, residentId, orderId: noticeId, held, time: gateTime(now) }, this.#sign));
    return { notice, audit: entry(now, "consent-withdrawn", "info", residentId, `template ${held ? "erased" : "none held"}`) };
  }

  #verified(bytes: Uint8Array, now: number | undefined): EraseOrder {
    let received: ReceivedErasure;
    try {
      received = decodeErasure(bytes);
    } catch (error) {
      if (isOptgateError(error)) throw new Refused("malformed");
      throw error;
    }
    const m = received.message;
    if (m.type !== "erase-order") throw new Refused("malformed");
    if (m.gateId !== this.gateId) throw new Refused("wrong-gate");
    const k = this.#keys.find((x) => constantTimeEqual(x.id, m.keyId));
    if (!k) throw new Refused("unknown-key");
    if (!verifyErasure(received, k.key)) throw new Refused("bad-signature");
    if (now !== undefined) {
      if (m.issuedAt > now + this.#maxSkew) throw new Refused("from-future");
      if (m.issuedAt < now - this.#maxAge) throw new Refused("stale");
    }
    return m;
  }
}

class Refused extends Error {
  constructor(readonly reason: NonNullable<ErasureOutcome["refused"]>) { super(reason); }
}

function gateTime(now: number | undefined): number {
  return now === undefined || !Number.isFinite(now) || now < 0 ? 0 : Math.floor(now);
}

function entry(now: number | undefined, kind: "sync-refused" | "face-erased" | "consent-withdrawn", decision: "deny" | "info", subject: number, detail: string): AuditEntry {
  return { time: gateTime(now), actorKind: "system", actor: 0, kind, decision, reason: decision === "deny" ? "bad-input" : "info", subject, detail };
}
