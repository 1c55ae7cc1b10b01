// Portable helpers for the store tests (Node and XS).
import type { Random } from "../../../src/core/ports";

/** Deterministic randomness for nonces and keys in tests (never for the board). */
export function seededRandom(seed = 1): Random {
  let x = seed >>> 0 || 1;
  return {
    fill(bytes: Uint8Array) {
      for (let i = 0; i < bytes.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
    },
  };
}

export function bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export function text(data: Uint8Array | undefined): string | undefined {
  return data === undefined ? undefined : String.fromCharCode(...data);
}

/** A template-like secret: `length` bytes derived from `seed` (an LCG, unrelated to seededRandom's stream). */
export function secretBytes(seed: number, length = 512): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761 + 0x9e3779b9) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export const isXs = (globalThis as { __XS__?: boolean }).__XS__ === true;

/**
 * Set by the mutation runner (tools/mutate/main.ts): the power-cut campaigns
 * then cut at a sample that still covers every kind of flash operation in
 * every kind of step (cut-run.ts `cutPoints`), so a surviving mutant costs
 * seconds, not minutes. `npm test` never sets it.
 */
export const mutating = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.OPTGATE_MUTATING === "1";
