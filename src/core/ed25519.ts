// Ed25519 (RFC 8032), small and BigInt-only, so the gate can sign its audit
// heads and acknowledgements, and verify the hub's signed change sets (sync/),
// in XS with nothing but @noble/hashes' SHA-512 (already in the firmware).
// Only what the gate needs: public key and signature from a 32-byte seed, and
// strict verification (canonical S and point encodings, cofactorless check,
// the same acceptance as Node's crypto and @noble/curves for honest input).
// The tests check it against the RFC's vectors and against Node's crypto.
//
// Not constant-time (BigInt arithmetic never is): the seed is derived from the
// key root and only signs on a logged-in technician's request (log export), so
// a timing attacker gets a handful of samples, not the millions such an attack
// needs. Documented in docs/audit.md.
import { sha512 } from "@noble/hashes/sha2.js";
import { OptgateError } from "./errors";

const P = (1n << 255n) - 19n;
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const D2 = 16295367250680780974490674513165176452449235426866156013048779062215315747161n; // 2d mod P
const GX = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const GY = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;

type Point = [bigint, bigint, bigint, bigint]; // extended coordinates X, Y, Z, T

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Unified addition (a = -1 twisted Edwards, complete on this curve): doubles too. */
function add(p: Point, q: Point): Point {
  const a = mod((p[1] - p[0]) * (q[1] - q[0]));
  const b = mod((p[1] + p[0]) * (q[1] + q[0]));
  const c = mod(p[3] * D2 % P * q[3]);
  const d = mod(2n * p[2] * q[2]);
  const e = b - a, f = d - c, g = d + c, h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

const BASE: Point = [GX, GY, 1n, mod(GX * GY)];

function multiply(k: bigint, point: Point = BASE): Point {
  let result: Point = [0n, 1n, 1n, 0n];
  let base: Point = point;
  while (k > 0n) {
    if (k & 1n) result = add(result, base);
    base = add(base, base);
    k >>= 1n;
  }
  return result;
}

function power(b: bigint, e: bigint): bigint {
  let r = 1n;
  b = mod(b);
  while (e > 0n) {
    if (e & 1n) r = r * b % P;
    b = b * b % P;
    e >>= 1n;
  }
  return r;
}

/** sqrt(-1) mod P, for recovering x from y. */
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;

/** The point a 32-byte encoding names, or undefined when it names none (or not canonically). */
function decode(bytes: Uint8Array): Point | undefined {
  const copy = bytes.slice();
  const sign = copy[31] >> 7;
  copy[31] &= 0x7f;
  const y = number(copy);
  if (y >= P) return undefined;
  const y2 = y * y % P;
  const u = mod(y2 - 1n), v = mod(D * y2 + 1n);
  let x = mod(u * power(v, P - 2n));
  const x2 = x;
  x = power(x2, (P + 3n) / 8n);
  if (x * x % P !== x2) x = x * SQRT_M1 % P;
  if (x * x % P !== x2) return undefined;
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return [x, y, 1n, x * y % P];
}

/** A point of order 1, 2, 4 or 8: eight times it is the identity (X = 0, Y = Z). */
function smallOrder(p: Point): boolean {
  let q = add(p, p);
  q = add(q, q);
  q = add(q, q);
  return mod(q[0]) === 0n && mod(q[1] - q[2]) === 0n;
}

function encode(p: Point): Uint8Array {
  const zInv = power(p[2], P - 2n);
  const x = mod(p[0] * zInv), y = mod(p[1] * zInv);
  const out = littleEndian(y, 32);
  if (x & 1n) out[31] |= 0x80;
  return out;
}

function littleEndian(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function number(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An Ed25519 check: this file's (portable, what the gate runs) or, on a host, a native one that agrees with it. */
export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * True when `signature` is `publicKey`'s Ed25519 signature of `message`.
 * Anything malformed (lengths, S not below L, a key or R that is no point,
 * a key of small order) is simply false: callers treat every failure alike.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  const a = decode(publicKey);
  const rBytes = signature.subarray(0, 32);
  const r = decode(rBytes);
  const s = number(signature.subarray(32));
  // A small-order key verifies forged signatures (R the identity, S = 0) for any message: a
  // gate or hub key of that kind is refused outright, as strict RFC 8032 checkers do.
  if (!a || !r || s >= L || smallOrder(a)) return false;
  const k = mod(number(sha512(concat(rBytes, publicKey, message))), L);
  const left = encode(multiply(s));
  const right = encode(add(r, multiply(k, a)));
  for (let i = 0; i < 32; i++) if (left[i] !== right[i]) return false;
  return true;
}

/** A signing key from a 32-byte seed; the expanded secret stays inside. */
export class Ed25519Signer {
  readonly publicKey: Uint8Array;
  readonly #scalar: bigint;
  readonly #prefix: Uint8Array;

  constructor(seed: Uint8Array) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new OptgateError("E_BAD_SIGNING_KEY", "An Ed25519 seed is 32 bytes.");
    const h = sha512(seed);
    h[0] &= 248;
    h[31] &= 127;
    h[31] |= 64;
    this.#scalar = number(h.subarray(0, 32));
    this.#prefix = h.slice(32);
    h.fill(0);
    this.publicKey = encode(multiply(this.#scalar));
  }

  sign(message: Uint8Array): Uint8Array {
    const r = mod(number(sha512(concat(this.#prefix, message))), L);
    const R = encode(multiply(r));
    const k = mod(number(sha512(concat(R, this.publicKey, message))), L);
    const s = mod(r + k * this.#scalar, L);
    return concat(R, littleEndian(s, 32));
  }
}
