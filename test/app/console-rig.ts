// The real gate core behind the technician console, with the drivers replaced
// by doubles that record what was asked of them: Console → CoreConsoleBackend →
// GateCore. Portable (Node and XS). Shared by the console's and the face
// settings' tests; core-rig.ts is the persisted variant used by the scripted day.
import assert from "node:assert/strict";
import { createSyntheticFrame, SyntheticEmbedder, writeSyntheticFrame } from "../../boards/host/synthetic-embedder";
import { CoreConsoleBackend, type ConsoleHooks, type SettingsStore } from "../../src/app/console-backend";
import { GateCore } from "../../src/app/core";
import { Console } from "../../src/core/console/console";
import { makeTechnician } from "../../src/core/console/technicians";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import type { Camera, CaptureOutcome, Embedder, Frame, Random } from "../../src/core/ports";

export const T0 = Date.UTC(2026, 10, 25, 1, 0); // a Wednesday, 09:00 in Shanghai
export const PASSWORD = "gate-tech-pass";

/** A deterministic byte source (a linear congruential generator: test data, not randomness). */
export function lcgRandom(seed: number): Random {
  let counter = seed;
  return { fill(bytes: Uint8Array) { for (let i = 0; i < bytes.length; i++) bytes[i] = (counter = (counter * 1103515245 + 12345) >>> 0) >>> 24; } };
}

/** A camera that counts power-ons and captures; every frame shows synthetic person 42. */
export class FaceCamera implements Camera {
  powered = false;
  powerOns = 0;
  captures = 0;
  powerOn() { this.powered = true; this.powerOns++; }
  powerOff() { this.powered = false; }
  capture(into: Frame): CaptureOutcome {
    if (!this.powered) return "error";
    writeSyntheticFrame(into, "face", 42, ++this.captures);
    return "ok";
  }
}

export interface ConsoleRigOptions {
  embedder?: Embedder;
  /** The settings store's contents, shared across rigs to model a restart. */
  stored?: Map<string, Uint8Array>;
  /** A store in place of the map (a LogStore on a NorFlash, to look at the flash image). */
  settings?: SettingsStore;
  /** Board hooks beyond the door and the clock (the fleet link's). */
  hooks?: ConsoleHooks;
}

export function consoleRig(options: ConsoleRigOptions = {}) {
  const t = { now: T0 };
  const clock = { now: () => t.now };
  const random = lcgRandom(5);
  const camera = new FaceCamera();
  const prompts: string[] = [];
  let pulses = 0;
  const frame = createSyntheticFrame();
  const embedder = options.embedder ?? new SyntheticEmbedder({ dimension: 128 });
  const core = new GateCore({
    gateId: 1, clock, random, deviceKey: new Uint8Array(32).fill(3), matcher: new TsMatcher(128, 16), camera, embedder, frame,
    outputs: { unlock: () => { pulses++; }, signal: () => undefined, prompt: (text) => { prompts.push(text); } },
  });
  const stored = options.stored ?? new Map<string, Uint8Array>();
  const settings = options.settings ?? { get: (k: string) => stored.get(k), put: (k: string, v: Uint8Array) => { stored.set(k, v.slice()); } };
  const opened: number[] = [];
  const backend = new CoreConsoleBackend({
    core, clock, random, settings,
    hooks: { openDoor: (s) => { opened.push(s); }, setClock: (ms) => { t.now = ms; }, ...options.hooks },
  });
  const deviceKey = new Uint8Array(32).fill(9);
  backend.technicians.save(makeTechnician(deviceKey, random, "tech1", PASSWORD, "installer"));
  let output = "";
  const terminal = new Console({ port: { write: (d) => { output += String(d); } }, clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians });
  terminal.start();
  const type = (line: string) => { output = ""; terminal.receive(`${line}\r`); return output; };
  const json = (line: string) => JSON.parse(type(`${line} --json`).split("\r\n").find((l) => l.startsWith("{"))!);
  const login = () => { type("login tech1"); assert.match(type(PASSWORD), /Logged in as tech1/); };
  /** The resident at the gate keypad; answers the last prompt shown. */
  const keypad = (keys: string) => { for (const key of keys) core.gate.key(key, t.now); return prompts[prompts.length - 1]; };
  /** Ticks the gate for `ms` (face sessions run on ticks). */
  const run = (ms: number) => { for (const end = t.now + ms; t.now < end;) { t.now += 50; core.tick(t.now); } };
  return { t, core, camera, embedder, frame, backend, settings, stored, opened, type, json, login, keypad, run, prompts, pulses: () => pulses, deviceKey };
}
