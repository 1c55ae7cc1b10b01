// Shared helpers for the scenario tests: each boots the real firmware inside
// XS on the host board (chip models, demo compound) through the simulator and
// acts only on the simulated hardware and the console, as people would.
import assert from "node:assert/strict";
import { DEMO_TECHNICIAN } from "../../boards/host/demo-compound";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../tools/sim/simulator";

/** Monday 2 March 2026, 08:00 in Shanghai (the demo gate's policy runs on UTC+8). */
export const MONDAY_8AM = Date.UTC(2026, 2, 2, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const CARD = { owner: "04a1b2c3", renter: "04d4e5f6", faceUser: "04112233", unknown: "deadbeef" } as const;
export const FACE_IDENTITY = 303;

export async function bootGate(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ image: null, startTime: MONDAY_8AM, ...options });
  await sim.advance(200);
  return sim;
}

/** Camera supply rises since event index `from` (the pin, not the firmware's word for it). */
export function cameraOnSince(sim: Simulator, from: number): number {
  return sim.events.slice(from).filter((e) => e.e === "camera" && e.on).length;
}

export function lastDecision(sim: Simulator) {
  const decisions = sim.decisions;
  return decisions[decisions.length - 1];
}

export function lastPrompt(sim: Simulator): string {
  const prompts = sim.prompts;
  return prompts[prompts.length - 1] ?? "";
}

/** Jump to a given local (UTC+8) time of day on the simulator's current or next day. */
export async function jumpToLocal(sim: Simulator, hour: number, minute = 0): Promise<void> {
  const local = sim.now + 8 * HOUR;
  const dayStart = local - (local % DAY);
  let target = dayStart + hour * HOUR + minute * 60_000 - 8 * HOUR;
  if (target <= sim.now) target += DAY;
  await sim.jump(target - sim.now);
}

/** Log the demo technician in on the firmware's console. */
export async function technicianLogin(sim: Simulator): Promise<void> {
  await sim.consoleLine("login tech");
  const answer = await sim.consoleLine(DEMO_TECHNICIAN.password);
  if (!/Logged in as tech/.test(answer)) throw new Error(`console login failed: ${answer}`);
}

/** Run a console command with --json and return its data. */
export async function consoleJson<T>(sim: Simulator, command: string): Promise<T> {
  const out = await sim.consoleLine(`${command} --json`);
  const start = out.indexOf("{");
  const parsed = JSON.parse(out.slice(start, out.lastIndexOf("}") + 1)) as { ok: boolean; data: T; error?: unknown };
  if (!parsed.ok) throw new Error(`${command}: ${JSON.stringify(parsed)}`);
  return parsed.data;
}

/** Script lines: the technician logs in and asks demo resident R00002 (PIN 246813) for face consent, which she gives at the keypad, with `photo` in front of the camera. */
export function consentAtKeypadScript(photo: string): string {
  return `
      console login tech
      console demo-tech-1
      console consent grant R00002
      console yes
      keys #8#2#246813#
      photo ${photo}
  `;
}

/**
 * After R00002 enrolled from ORL s2/1: s2/2 is admitted by face, s5/1 is refused and an
 * empty scene is "no face", each with "use card or PIN", one camera window per face key.
 */
export async function admitsSameRefusesOther(sim: Simulator, script: (text: string) => Promise<unknown>): Promise<void> {
  const from = sim.events.length;
  await script(`
      photo s2/2.pgm
      wait 2s
      keys 2A
      wait 1s
  `);
  assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant, lastDecision(sim).resident], ["face", true, "R00002"]);
  await script(`
      wait 6s
      photo s5/1.pgm
      keys 2A
      wait 1s
  `);
  assert.deepEqual([lastDecision(sim).via, lastDecision(sim).grant], ["face", false]);
  assert.equal(lastPrompt(sim), "Face not recognised. Please use your card or PIN.");
  await script(`
      photo-off
      keys 2A
      wait 2s
  `);
  assert.equal(lastPrompt(sim), "No face seen. Please use your card or PIN.", "an empty scene: no face");
  assert.equal(cameraOnSince(sim, from), 3, "one camera window per face key, none in between");
}
