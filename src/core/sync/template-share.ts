// Face templates across the fleet, within the consent's scope (docs/sync.md
// "Templates within the consent's scope"). A template leaves the gate that
// enrolled it only sealed (template-seal.ts: X25519 + AES-GCM) to each other
// gate the resident's consent names, so the hub and the broker carry
// ciphertext they cannot open.
//
//   share      gate -> hub, gate-signed: resident u32 | scope u32 | granted u64 | count u8 | (to gate u32 | length u16 | sealed)*
//   deliver    hub -> gate, hub-signed:  resident u32 | from gate u32 | scope u32 | granted u64 | issuedAt u64 | keyId 8 | length u16 | sealed
//   seal-keys  hub -> gate, hub-signed:  issuedAt u64 | keyId 8 | count u16 | (gate u32 | X25519 key 32)*
//   installed  gate -> hub, gate-signed: resident u32 | from gate u32 | granted u64 | result u8 | gate time u64
//
// Each starts "OGF1", a type byte and the gate id (the sender for share and
// installed, the addressee for deliver and seal-keys), and ends with an
// Ed25519 signature over SHARE_TAG, a NUL and the body: a tag of its own.
//
// The scope (u32, bound into every seal) is the consent's terms as a number:
// the first 4 bytes of SHA-256 over the notice the resident agreed to
// (purpose, method, retention, the gates it names, sorted). A gate installs a
// template only under a notice of its own with the same terms that names it.
//
// Trust: the seal keys come from the hub, signed by it. A hub that lies about a
// gate's seal key, or seals a face of its choosing to a gate, has no power it
// lacks already: it can add a resident with a card. What it cannot do is read
// a template: only the addressee's secret key opens one.
import type { AuditEntry } from "../audit/audit-record";
import { constantTimeEqual, sha256, utf8, wipe } from "../crypto";
import { ed25519Verify, type Ed25519Verify } from "../ed25519";
import { isOptgateError, OptgateError } from "../errors";
import type { NoticeText } from "../face/notices";
import type { FaceTemplate } from "../face/template";
import type { FaceModelTag, Random } from "../ports";
import { ByteReader, ByteWriter, malformed, taggedBytes, valueChecks } from "./bytes";
import { DEFAULT_MAX_AGE_MS, DEFAULT_MAX_SKEW_MS } from "./gate-sync";
import { KEY_ID_BYTES, MAX_MESSAGE_BYTES, SIGNATURE_BYTES, keyIdOf, type Sign } from "./messages";
import type { SealKeyPair } from "./gate-seal";
import { openTemplate, sealTemplate } from "./template-seal";

export const SHARE_TAG = "optgate template share v1";
const MAGIC = [0x4f, 0x47, 0x46, 0x31]; // "OGF1"
export const SHARE_TYPES = ["share", "deliver", "seal-keys", "installed"] as const;
/** What the addressee did with a delivery (index = byte; append only). */
export const INSTALL_RESULTS = ["installed", "not-eligible", "scope", "withdrawn", "model", "seal", "failed", "older"] as const;
export type InstallResult = (typeof INSTALL_RESULTS)[number];
/** Gates one share seals to: a 512-d template sealed is about 630 bytes, so 40 stay well inside a message. */
export const MAX_SHARE_GATES = 40;
export const MAX_DIRECTORY_GATES = 800;
const SEAL_KEY_BYTES = 32;
const HEAD = MAGIC.length + 1 + 4;
const SCOPE_TAG = "optgate consent scope v1";

export interface TemplateShare { type: "share"; gateId: number; residentId: number; scope: number; grantedAt: number; sealed: { gateId: number; sealed: Uint8Array }[] }
export interface TemplateDelivery { type: "deliver"; gateId: number; residentId: number; fromGate: number; scope: number; grantedAt: number; issuedAt: number; keyId: Uint8Array; sealed: Uint8Array }
export interface SealKeyDirectory { type: "seal-keys"; gateId: number; issuedAt: number; keyId: Uint8Array; keys: { gateId: number; key: Uint8Array }[] }
export interface TemplateInstalled { type: "installed"; gateId: number; residentId: number; fromGate: number; grantedAt: number; result: InstallResult; time: number }
export type ShareMessage = TemplateShare | TemplateDelivery | SealKeyDirectory | TemplateInstalled;

export interface ReceivedShare {
  message: ShareMessage;
  signed: { bytes: Uint8Array; signature: Uint8Array };
}

const TAG = utf8(SHARE_TAG);
const { badValue, checkU32, checkBytes } = valueChecks("A template share message");

// ---- the consent's scope --------------------------------------------------

/** The consent's terms as the u32 every seal is bound to (same text, same gates: same scope). */
export function consentScope(notice: NoticeText): number {
  const gates = [...notice.gates].sort();
  const text = [SCOPE_TAG, notice.purpose, notice.method, String(notice.retentionDays), ...gates].join("\u0000");
  const digest = sha256(utf8(text));
  return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
}

/** The fleet gates a notice names ("gate-<n>", as GateCore names a gate), sorted; other names are not fleet gates. */
export function scopeGateIds(notice: NoticeText): number[] {
  const out = new Set<number>();
  for (const name of notice.gates) {
    const m = /^gate-([1-9][0-9]{0,9})$/.exec(name);
    if (m && Number(m[1]) <= 0xffffffff) out.add(Number(m[1]));
  }
  return [...out].sort((a, b) => a - b);
}

// ---- the sealed plaintext -------------------------------------------------

/** What a seal carries: the quantised template and where it came from (model, enrolment time: retention runs from it). */
export interface SharedTemplate {
  model: FaceModelTag;
  enrolledAt: number;
  template: FaceTemplate;
}

const PLAIN_FORMAT = 1;

export function encodeSharedTemplate(s: SharedTemplate): Uint8Array {
  const id = utf8(s.model.id);
  const t = s.template;
  if (id.length === 0 || id.length > 32) throw badValue("a model id that is not 1-32 bytes");
  if (!Number.isInteger(s.model.version) || s.model.version < 0 || s.model.version > 0xffff) throw badValue(`model version ${s.model.version}`);
  if (!Number.isInteger(t.dimension) || t.dimension < 1 || t.dimension > 4096 || t.values.length !== t.dimension) throw badValue("a template whose values are not its dimension");
  if (!Number.isInteger(t.scale) || t.scale < 1 || t.scale > 255) throw badValue(`template scale ${t.scale}`);
  const w = new ByteWriter(1 + 1 + id.length + 2 + 8 + 2 + 1 + t.dimension);
  w.u8(PLAIN_FORMAT);
  w.u8(id.length);
  w.raw(id);
  w.u16(s.model.version);
  w.time(s.enrolledAt);
  w.u16(t.dimension);
  w.u8(t.scale);
  w.raw(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.length));
  return w.done();
}

export function decodeSharedTemplate(bytes: Uint8Array): SharedTemplate {
  const r = new ByteReader(bytes);
  if (r.u8("format") !== PLAIN_FORMAT) throw malformed("the shared template has an unknown format");
  const idLength = r.u8("model id length");
  if (idLength === 0 || idLength > 32) throw malformed(`model id length ${idLength}`);
  const idBytes = r.raw(idLength, "model id");
  let id = "";
  for (const b of idBytes) {
    if (b < 0x20 || b > 0x7e) throw malformed("the model id is not printable ASCII");
    id += String.fromCharCode(b);
  }
  const version = r.u16("model version"), enrolledAt = r.time("enrolment time"), dimension = r.u16("dimension"), scale = r.u8("scale");
  if (dimension < 1 || scale < 1) throw malformed("the template has no values or no scale");
  const values = new Int8Array(r.raw(dimension, "values").buffer);
  r.end();
  return { model: { id, version }, enrolledAt, template: { dimension, scale, values } };
}

// ---- the wire -------------------------------------------------------------

function start(type: ShareMessage["type"], gateId: number, rest: number): ByteWriter {
  checkU32(gateId, "gate id");
  const w = new ByteWriter(HEAD + rest);
  w.raw(Uint8Array.from(MAGIC));
  w.u8(SHARE_TYPES.indexOf(type) + 1);
  w.u32(gateId);
  return w;
}

function signed(w: ByteWriter, sign: Sign): Uint8Array {
  const body = w.done();
  const signature = sign(taggedBytes(TAG, body));
  checkBytes(signature, SIGNATURE_BYTES, "signature");
  const out = new Uint8Array(body.length + SIGNATURE_BYTES);
  out.set(body);
  out.set(signature, body.length);
  if (out.length > MAX_MESSAGE_BYTES) throw badValue(`${out.length} bytes (at most ${MAX_MESSAGE_BYTES})`);
  return out;
}

function checkSealed(sealed: Uint8Array): void {
  if (!(sealed instanceof Uint8Array) || sealed.length === 0 || sealed.length > 0xffff) throw badValue("a sealed template of 1-65535 bytes");
}

export function encodeShare(m: Omit<TemplateShare, "type">, sign: Sign): Uint8Array {
  checkU32(m.residentId, "resident id");
  checkU32(m.scope, "scope");
  if (!Array.isArray(m.sealed) || m.sealed.length < 1 || m.sealed.length > MAX_SHARE_GATES) throw badValue(`${m.sealed?.length} gates (1-${MAX_SHARE_GATES})`);
  let rest = 4 + 4 + 8 + 1;
  for (const s of m.sealed) {
    checkU32(s.gateId, "gate id");
    checkSealed(s.sealed);
    rest += 4 + 2 + s.sealed.length;
  }
  const w = start("share", m.gateId, rest);
  w.u32(m.residentId);
  w.u32(m.scope);
  w.time(m.grantedAt);
  w.u8(m.sealed.length);
  for (const s of m.sealed) {
    w.u32(s.gateId);
    w.u16(s.sealed.length);
    w.raw(s.sealed);
  }
  return signed(w, sign);
}

export function encodeDelivery(m: Omit<TemplateDelivery, "type">, sign: Sign): Uint8Array {
  for (const [v, what] of [[m.residentId, "resident id"], [m.fromGate, "from gate"], [m.scope, "scope"]] as const) checkU32(v, what);
  checkBytes(m.keyId, KEY_ID_BYTES, "key id");
  checkSealed(m.sealed);
  const w = start("deliver", m.gateId, 4 + 4 + 4 + 8 + 8 + KEY_ID_BYTES + 2 + m.sealed.length);
  w.u32(m.residentId);
  w.u32(m.fromGate);
  w.u32(m.scope);
  w.time(m.grantedAt);
  w.time(m.issuedAt);
  w.raw(m.keyId);
  w.u16(m.sealed.length);
  w.raw(m.sealed);
  return signed(w, sign);
}

export function encodeSealKeys(m: Omit<SealKeyDirectory, "type">, sign: Sign): Uint8Array {
  checkBytes(m.keyId, KEY_ID_BYTES, "key id");
  if (!Array.isArray(m.keys) || m.keys.length > MAX_DIRECTORY_GATES) throw badValue(`more than ${MAX_DIRECTORY_GATES} seal keys`);
  const w = start("seal-keys", m.gateId, 8 + KEY_ID_BYTES + 2 + m.keys.length * (4 + SEAL_KEY_BYTES));
  w.time(m.issuedAt);
  w.raw(m.keyId);
  w.u16(m.keys.length);
  for (const k of m.keys) {
    checkU32(k.gateId, "gate id");
    checkBytes(k.key, SEAL_KEY_BYTES, "seal key");
    w.u32(k.gateId);
    w.raw(k.key);
  }
  return signed(w, sign);
}

export function encodeInstalled(m: Omit<TemplateInstalled, "type">, sign: Sign): Uint8Array {
  checkU32(m.residentId, "resident id");
  checkU32(m.fromGate, "from gate");
  const result = INSTALL_RESULTS.indexOf(m.result);
  if (result < 0) throw badValue(`result ${String(m.result)}`);
  const w = start("installed", m.gateId, 4 + 4 + 8 + 1 + 8);
  w.u32(m.residentId);
  w.u32(m.fromGate);
  w.time(m.grantedAt);
  w.u8(result);
  w.time(m.time);
  return signed(w, sign);
}

/** Reads one template share message; throws E_SYNC_MALFORMED. Does not verify: see verifyShare. */
export function decodeShare(bytes: Uint8Array): ReceivedShare {
  if (!(bytes instanceof Uint8Array)) throw malformed("it is not bytes");
  if (bytes.length > MAX_MESSAGE_BYTES) throw malformed(`it is ${bytes.length} bytes (at most ${MAX_MESSAGE_BYTES})`);
  if (bytes.length < HEAD + SIGNATURE_BYTES) throw malformed("it is shorter than a template share message");
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw malformed("it does not start with OGF1");
  const type = SHARE_TYPES[bytes[4] - 1];
  if (!type) throw malformed(`template share type ${bytes[4]} is unknown`);
  const body = bytes.subarray(0, bytes.length - SIGNATURE_BYTES);
  const r = new ByteReader(body);
  r.raw(MAGIC.length + 1, "magic and type");
  const gateId = r.u32("gate id");
  let message: ShareMessage;
  if (type === "share") {
    const residentId = r.u32("resident id"), scope = r.u32("scope"), grantedAt = r.time("grant time");
    const count = r.u8("gate count");
    if (count < 1 || count > MAX_SHARE_GATES) throw malformed(`${count} gates (1-${MAX_SHARE_GATES})`);
    const sealed: TemplateShare["sealed"] = [];
    for (let i = 0; i < count; i++) {
      const to = r.u32("gate id"), length = r.u16("sealed length");
      if (length === 0) throw malformed("an empty sealed template");
      if (sealed.some((s) => s.gateId === to)) throw malformed(`gate ${to} twice`);
      sealed.push({ gateId: to, sealed: r.raw(length, "sealed template") });
    }
    message = { type, gateId, residentId, scope, grantedAt, sealed };
  } else if (type === "deliver") {
    const residentId = r.u32("resident id"), fromGate = r.u32("from gate"), scope = r.u32("scope");
    const grantedAt = r.time("grant time"), issuedAt = r.time("issue time"), keyId = r.raw(KEY_ID_BYTES, "key id");
    const length = r.u16("sealed length");
    if (length === 0) throw malformed("an empty sealed template");
    message = { type, gateId, residentId, fromGate, scope, grantedAt, issuedAt, keyId, sealed: r.raw(length, "sealed template") };
  } else if (type === "seal-keys") {
    const issuedAt = r.time("issue time"), keyId = r.raw(KEY_ID_BYTES, "key id"), count = r.u16("key count");
    if (count > MAX_DIRECTORY_GATES) throw malformed(`${count} seal keys (at most ${MAX_DIRECTORY_GATES})`);
    const keys: SealKeyDirectory["keys"] = [];
    for (let i = 0; i < count; i++) keys.push({ gateId: r.u32("gate id"), key: r.raw(SEAL_KEY_BYTES, "seal key") });
    message = { type, gateId, issuedAt, keyId, keys };
  } else {
    const residentId = r.u32("resident id"), fromGate = r.u32("from gate"), grantedAt = r.time("grant time");
    const result = INSTALL_RESULTS[r.u8("result")];
    if (!result) throw malformed("an unknown install result");
    message = { type, gateId, residentId, fromGate, grantedAt, result, time: r.time("gate time") };
  }
  r.end();
  return { message, signed: { bytes: body.slice(), signature: bytes.slice(bytes.length - SIGNATURE_BYTES) } };
}

export function verifyShare(received: ReceivedShare, publicKey: Uint8Array, verify: Ed25519Verify = ed25519Verify): boolean {
  return verify(publicKey, taggedBytes(TAG, received.signed.bytes), received.signed.signature);
}

// ---- the gate's side ------------------------------------------------------

/** What a verified, opened delivery asks the gate to install; the port checks consent, eligibility and model, and installs. */
export interface InstallRequest {
  residentId: number;
  fromGate: number;
  scope: number;
  grantedAt: number;
  shared: SharedTemplate;
}

export interface InstallPort {
  /** Installs the template (vault and matcher) under consent the gate records; returns what it did. */
  install(request: InstallRequest): InstallResult;
}

export type ShareRefusal = "malformed" | "wrong-gate" | "unknown-key" | "bad-signature" | "stale" | "from-future" | "replay";

export interface DeliveryOutcome {
  audit: AuditEntry;
  /** The signed answer for the hub (absent when refused before the hub's signature was known good). */
  answer?: Uint8Array;
  result?: InstallResult;
  refused?: ShareRefusal;
}

export interface GateTemplatesOptions {
  gateId: number;
  hubKeys: Uint8Array[];
  sign: Sign;
  /** This gate's seal key pair (gate-seal.ts gateSealKeys), asked for when a delivery is opened (deriving it costs an X25519 base multiplication). */
  sealKeys: () => SealKeyPair;
  maxAgeMs?: number;
  maxSkewMs?: number;
}

/**
 * The gate's side: keeps the seal keys the hub vouches for, seals a template
 * enrolled here to the other gates in its scope, and opens what the hub
 * delivers (addressed here, a provisioned hub key, a good signature, fresh
 * when the clock is trusted, then sealed to this gate for exactly that
 * resident and scope) for the install port to check against consent.
 */
export class GateTemplates {
  readonly gateId: number;
  readonly #o: GateTemplatesOptions;
  readonly #keys: { id: Uint8Array; key: Uint8Array }[];
  #directory = new Map<number, Uint8Array>();
  #directoryAt = -1;

  constructor(o: GateTemplatesOptions) {
    if (!Array.isArray(o.hubKeys) || o.hubKeys.length === 0) throw new OptgateError("E_SYNC_NO_HUB_KEY", "Template sharing needs at least one provisioned hub public key.");
    this.gateId = o.gateId;
    this.#o = o;
    this.#keys = o.hubKeys.map((key) => ({ id: keyIdOf(key), key: key.slice() }));
  }

  /** Whether the hub has told this gate the other gates' seal keys (since this boot). */
  get hasDirectory(): boolean {
    return this.#directoryAt >= 0;
  }

  sealKeyOf(gateId: number): Uint8Array | undefined {
    return this.#directory.get(gateId);
  }

  /** The hub's directory of seal keys; an older one than held (a replay) is refused. */
  handleSealKeys(bytes: Uint8Array, now: number | undefined): { ok: boolean; audit?: AuditEntry } {
    let m: SealKeyDirectory;
    try {
      m = this.#verified(bytes, now, "seal-keys") as SealKeyDirectory;
      if (m.issuedAt <= this.#directoryAt) throw new Refused("replay");
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { ok: false, audit: entry(now, "sync-refused", "deny", 0, `seal keys ${error.reason}`) };
    }
    this.#directory = new Map(m.keys.map((k) => [k.gateId, k.key]));
    this.#directoryAt = m.issuedAt;
    return { ok: true };
  }

  /**
   * The signed share of a template enrolled here: sealed to every gate of
   * `gates` but this one whose seal key the hub gave (the others in
   * `missing`). No message when there is nobody to seal to. Wipes `plain`.
   */
  share(s: { residentId: number; scope: number; grantedAt: number; gates: number[]; plain: Uint8Array }, random: Random): { message?: Uint8Array; sealedTo: number[]; missing: number[] } {
    const sealed: TemplateShare["sealed"] = [], missing: number[] = [];
    try {
      for (const gateId of s.gates) {
        if (gateId === this.gateId) continue;
        const key = this.#directory.get(gateId);
        if (!key || sealed.length >= MAX_SHARE_GATES) {
          missing.push(gateId);
          continue;
        }
        sealed.push({ gateId, sealed: sealTemplate(key, s.plain, { gateId, residentId: s.residentId, scope: s.scope }, random) });
      }
    } finally {
      wipe(s.plain);
    }
    const sealedTo = sealed.map((x) => x.gateId);
    if (sealed.length === 0) return { sealedTo, missing };
    return { message: encodeShare({ gateId: this.gateId, residentId: s.residentId, scope: s.scope, grantedAt: s.grantedAt, sealed }, this.#o.sign), sealedTo, missing };
  }

  /** A delivery from the hub: verified, opened with this gate's seal key, handed to the port; answered once the hub's signature is known good. */
  handleDelivery(bytes: Uint8Array, now: number | undefined, port: InstallPort): DeliveryOutcome {
    let m: TemplateDelivery;
    try {
      m = this.#verified(bytes, now, "deliver") as TemplateDelivery;
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      return { refused: error.reason, audit: entry(now, "sync-refused", "deny", 0, `template ${error.reason}`) };
    }
    let result: InstallResult;
    let plain: Uint8Array | undefined;
    try {
      plain = openTemplate(this.#o.sealKeys(), m.sealed, { gateId: this.gateId, residentId: m.residentId, scope: m.scope });
      const shared = decodeSharedTemplate(plain);
      result = port.install({ residentId: m.residentId, fromGate: m.fromGate, scope: m.scope, grantedAt: m.grantedAt, shared });
      wipe(new Uint8Array(shared.template.values.buffer));
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      result = error.code === "E_SEAL_OPEN" || error.code === "E_SYNC_MALFORMED" ? "seal" : "failed";
    } finally {
      if (plain) wipe(plain);
    }
    const answer = encodeInstalled({ gateId: this.gateId, residentId: m.residentId, fromGate: m.fromGate, grantedAt: m.grantedAt, result, time: gateTime(now) }, this.#o.sign);
    const audit = result === "installed"
      ? entry(now, "face-enrolled", "info", m.residentId, `from gate ${m.fromGate}`)
      : entry(now, "sync-refused", "deny", m.residentId, `template ${result} from ${m.fromGate}`);
    return { answer, result, audit };
  }

  #verified(bytes: Uint8Array, now: number | undefined, type: "deliver" | "seal-keys"): TemplateDelivery | SealKeyDirectory {
    let received: ReceivedShare;
    try {
      received = decodeShare(bytes);
    } catch (error) {
      if (isOptgateError(error)) throw new Refused("malformed");
      throw error;
    }
    const m = received.message;
    if (m.type !== type) throw new Refused("malformed");
    if (m.gateId !== this.gateId) throw new Refused("wrong-gate");
    const k = this.#keys.find((x) => constantTimeEqual(x.id, m.keyId));
    if (!k) throw new Refused("unknown-key");
    if (!verifyShare(received, k.key)) throw new Refused("bad-signature");
    if (now !== undefined) {
      if (m.issuedAt > now + (this.#o.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) throw new Refused("from-future");
      if (m.issuedAt < now - (this.#o.maxAgeMs ?? DEFAULT_MAX_AGE_MS)) throw new Refused("stale");
    }
    return m;
  }
}

class Refused extends Error {
  constructor(readonly reason: ShareRefusal) { super(reason); }
}

function gateTime(now: number | undefined): number {
  return now === undefined || !Number.isFinite(now) || now < 0 ? 0 : Math.floor(now);
}

function entry(now: number | undefined, kind: "sync-refused" | "face-enrolled", decision: "deny" | "info", subject: number, detail: string): AuditEntry {
  return { time: gateTime(now), actorKind: "system", actor: 0, kind, decision, reason: decision === "deny" ? "bad-input" : "info", subject, detail: detail.slice(0, 40) };
}
