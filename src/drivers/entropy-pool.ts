// The board's Random port: raw hardware RNG samples conditioned through
// SHA-256 into a forward-secure pool.
//
// Why not the samples directly: ESP-IDF documents that the ESP32-S3's RNG
// (esp_random, which Moddable's Math.random reads on the ESP32) produces true
// random numbers only while Wi-Fi/Bluetooth or the SAR ADC entropy source is
// running; otherwise the physical noise mixed in is the always-on secondary
// source (RC_FAST_CLK sampling) on top of the state the bootloader seeded
// from SAR ADC noise. The gate runs no radio, so each sample is assumed to
// carry little entropy. Every 32-byte output block therefore hashes 16 fresh
// 31-bit samples (496 raw bits) together with the pool, and the pool itself
// is a one-way chain over every sample ever drawn: entropy accumulates, and
// an attacker who learns the pool later cannot recompute earlier outputs.
// Moddable's `crypt` RNG is no better: RC4 seeded once from 16 such samples.
//
// Options:
//   sample [REQUIRED] () => integer in [0, 2^31): one raw hardware RNG draw
import type { Random } from "../core/ports";
import { sha256 } from "../core/crypto";

const SAMPLES_PER_BLOCK = 16;

export class EntropyPool implements Random {
  readonly #sample: () => number;
  /** 1 domain byte, pool (32), counter (4), samples (64): one buffer, reused. */
  readonly #input = new Uint8Array(1 + 32 + 4 + SAMPLES_PER_BLOCK * 4);
  readonly #view = new DataView(this.#input.buffer);
  #counter = 0;

  constructor(options: { sample: () => number }) {
    this.#sample = options.sample;
    // Start the pool from samples too, so the first output already depends on two draws' worth.
    this.#stir();
  }

  fill(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length; offset += 32) {
      this.#gather();
      this.#input[0] = 0x02;
      const block = sha256(this.#input);
      bytes.set(block.subarray(0, Math.min(32, bytes.length - offset)), offset);
      block.fill(0);
      this.#advance();
    }
  }

  #stir(): void {
    this.#gather();
    this.#advance();
  }

  #gather(): void {
    const view = this.#view;
    view.setUint32(33, this.#counter++ >>> 0);
    for (let i = 0; i < SAMPLES_PER_BLOCK; i++) view.setUint32(37 + i * 4, this.#sample() >>> 0);
  }

  /** pool ← SHA-256(0x01 ‖ pool ‖ counter ‖ samples): one-way, so past outputs stay secret. */
  #advance(): void {
    this.#input[0] = 0x01;
    const next = sha256(this.#input);
    this.#input.set(next, 1);
    next.fill(0);
    this.#input.fill(0, 37);
  }
}

/**
 * One raw draw of the ESP32's hardware RNG through Moddable's Math.random:
 * on the ESP32 it is (esp_random() & 0x7fffffff) / 0x7fffffff, so scaling
 * back gives the 31-bit register value exactly.
 */
export function mathRandomSample(): number {
  return Math.round(Math.random() * 0x7fffffff);
}
