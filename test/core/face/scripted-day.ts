// A scripted day at the gate over the real face lifecycle: mixed events
// (cards, PINs, face sessions, withdrawals, reports, sweeps), with every byte
// that leaves the core (store writes, log records, console lines) and every
// secret the core handled (frames, embeddings, probes, templates) collected.
// Used by scripted-day.test.ts and by the 40-face benchmark.
import assert from "node:assert/strict";
import { utf8 } from "../../../src/core/crypto";
import { FaceSession, type FaceResult } from "../../../src/core/face/face-session";
import { renderSubjectReport, subjectReport } from "../../../src/core/face/subject-report";
import { consentAndEnrol, faceWorld, LoggedCamera, runFace } from "./face-fakes";
import { mulberry32 as prng } from "../../../boards/host/mulberry32";
import { SessionFace } from "../../../src/app/gate-adapters";
import { Gate } from "../../../src/core/gate/gate";
import type { AccessDecision, GateAccess, GateOutputs } from "../../../src/core/gate/ports";

export const RESIDENTS = 100;
export const ENROLLED = 60;


/** Card r carries [0x04, r]; keypad resident code r is "r + 100". Decisions from the face world's PINs. */
class DayAccess implements GateAccess {
  constructor(private readonly pins: { exists(id: string): boolean; verify(id: string, pin: string): boolean }) {}
  card(uid: Uint8Array): AccessDecision {
    const resident = `r-${uid[1]}`;
    return uid[0] === 0x04 && this.pins.exists(resident) ? { grant: true, reason: "granted", resident } : { grant: false, reason: "unknown-card" };
  }
  cardWithPin(): AccessDecision { return { grant: false, reason: "unknown-card" }; }
  pin(who: string, pin: string): AccessDecision {
    const resident = `r-${Number(who) - 100}`;
    return this.pins.verify(resident, pin) ? { grant: true, reason: "granted", resident } : { grant: false, reason: "wrong-pin", resident };
  }
  code(): AccessDecision { return { grant: false, reason: "unknown-code" }; }
  face(): AccessDecision { return { grant: false, reason: "no-match" }; }
  faceWithPin(): AccessDecision { return { grant: false, reason: "wrong-pin" }; }
  exit(): AccessDecision { return { grant: true, reason: "granted" }; }
}

export function runScriptedDay(EVENTS: number, seed = 20260105) {
  const written: Uint8Array[] = [];
  const secrets: { what: string; bytes: Uint8Array; stride: number }[] = [];
  const stats = { card: 0, pin: 0, face: 0, southKey: 0, withdrawals: 0, reports: 0, sweeps: 0, genuine: 0, genuineMatched: 0, falseMatches: 0, withdrawnMatched: 0, refused: 0 };
  const results: FaceResult[] = [];
  const w = faceWorld({ dimension: 128, capacity: 128, vaultWrites: (_id, bytes) => written.push(bytes) });
  const log = (value: unknown) => written.push(utf8(JSON.stringify(value)));
  const say = (line: string) => written.push(utf8(line));
  w.audit.append = (event) => { w.audit.events.push(event); log(event); };
  w.matcher.onBytes = (what, bytes) => secrets.push({ what, bytes: Uint8Array.from(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)), stride: 1 });
  w.camera.onCapture = (data) => secrets.push({ what: "frame", bytes: data.slice(), stride: 4 });
  const embed = w.embedder.embed.bind(w.embedder);
  w.embedder.embed = (frame, out, liveness) => {
    const outcome = embed(frame, out, liveness);
    if (outcome === "ok") secrets.push({ what: "embedding", bytes: new Uint8Array(out.buffer.slice(0)), stride: 4 });
    return outcome;
  };
  const southCamera = new LoggedCamera(w.clock);
  const south = new FaceSession({ gate: { gateId: "south", face: true, oneToN: true }, camera: southCamera, embedder: w.embedder, matcher: w.matcher, gallery: w.gallery, ledger: w.ledger, frame: w.frame });

  w.notices.publish({ purpose: "open the north gate", method: "on-board face model", gates: ["north"], retentionDays: 365 }, w.clock.now);
  const identity = (r: number) => 1000 + r;
  for (let r = 0; r < RESIDENTS; r++) w.registry.add(`r-${r}`, String(1000 + r));
  for (let r = 0; r < ENROLLED; r++) consentAndEnrol(w, `r-${r}`, identity(r), String(1000 + r));
  const consentBytes = w.stored.length;
  for (const bytes of w.stored) written.push(bytes);

  const random = prng(20260105);
  const pick = (n: number) => Math.floor(random() * n);
  const withdrawn = new Set<string>();
  const dayLogStart = w.camera.log.length;
  // Card and PIN events go through the real gate controller, whose face port is
  // the real session on this camera: the camera must not move for them.
  const pulses: number[] = [];
  const outputs: GateOutputs = { unlock: (ms) => pulses.push(ms), signal: () => {}, prompt: () => {} };
  const gate = new Gate({ access: new DayAccess(w.registry), face: new SessionFace(w.session), outputs });
  const viaGate = (event: () => void) => {
    const before = { log: w.camera.log.length, pulses: pulses.length };
    event();
    assert.ok(!w.camera.powered);
    assert.equal(w.camera.log.length, before.log, "a card or PIN moved the camera");
    assert.equal(pulses.length, before.pulses + 1, "a valid card or PIN must open");
  };

  for (let e = 0; e < EVENTS; e++) {
    w.clock.now += 1000 + pick(8000);
    const roll = random();
    const r = pick(RESIDENTS), residentId = `r-${r}`;
    if (roll < 0.3) {
      stats.card++;
      viaGate(() => gate.card(Uint8Array.of(0x04, r), w.clock.now));
      log({ at: w.clock.now, gate: "north", mode: "card", residentId, granted: true });
    } else if (roll < 0.55) {
      stats.pin++;
      viaGate(() => { for (const key of `${r + 100}#${1000 + r}#`) gate.key(key, w.clock.now); });
      log({ at: w.clock.now, gate: "north", mode: "pin", residentId, granted: true });
    } else if (roll < 0.9) {
      stats.face++;
      const kind = random();
      const enrolled = r < ENROLLED;
      let scene: Parameters<typeof runFace>[1];
      let claim: string | undefined;
      if (kind < 0.6) scene = { kind: "face", identity: identity(r) };
      else if (kind < 0.75) { scene = { kind: "face", identity: identity(r) }; claim = enrolled ? residentId : undefined; }
      else if (kind < 0.85) scene = { kind: "face", identity: 900_000 + pick(1_000_000) };
      else if (kind < 0.9) scene = { kind: "no-face", identity: 0 };
      else if (kind < 0.94) scene = { kind: "low-quality", identity: identity(r) };
      else if (kind < 0.97) scene = "error";
      else scene = "no-frame";
      const stepMs = 50 + pick(300);
      const { response, result } = runFace(w, scene, claim, stepMs);
      if (!result) { stats.refused++; assert.equal(response.prompt, "use card or PIN"); continue; }
      results.push(result);
      log({ at: w.clock.now, gate: "north", mode: `face ${result.mode}`, residentId: result.residentId ?? null, granted: result.matched, outcome: result.outcome, score: result.score });
      const genuine = typeof scene === "object" && scene.kind === "face" && scene.identity === identity(r) && enrolled && !withdrawn.has(residentId);
      if (genuine) { stats.genuine++; if (result.matched && result.residentId === residentId) stats.genuineMatched++; }
      if (result.matched && !(typeof scene === "object" && scene.identity === identity(Number(result.residentId!.slice(2))))) stats.falseMatches++;
      if (result.matched && withdrawn.has(result.residentId!)) stats.withdrawnMatched++;
    } else if (roll < 0.95) {
      stats.southKey++;
      const response = south.faceKey(w.clock.now, random() < 0.5 ? residentId : undefined);
      assert.equal(response.started, false);
      assert.equal(response.prompt, "use card or PIN");
    } else if (roll < 0.962) {
      if (r >= ENROLLED || withdrawn.has(residentId)) continue;
      stats.withdrawals++;
      const receipt = random() < 0.5
        ? w.withdrawal.atKeypad({ code: "*0", residentId, pin: String(1000 + r), at: w.clock.now })
        : w.withdrawal.fromConsole({ residentId, technicianId: "tech-1", at: w.clock.now });
      withdrawn.add(residentId);
      say(`withdrawal receipt ${receipt.code}`);
      assert.equal(w.gallery.entry(residentId), undefined);
    } else if (roll < 0.972) {
      stats.reports++;
      const report = subjectReport(residentId, {
        ledger: w.ledger, gallery: w.gallery, notices: w.notices,
        credentials: { credentialsOf: () => [{ type: "card", label: `card …${r.toString(16)}`, active: true }, { type: "pin", label: "PIN set", active: true }] },
        decisions: { recentDecisions: () => [] },
        validityOf: () => "permanent (no validity window)",
      }, w.clock.now);
      for (const line of renderSubjectReport(report)) say(line);
    } else {
      stats.sweeps++;
      w.retention.sweep(w.clock.now);
    }
  }
  for (const bytes of w.stored.slice(consentBytes)) written.push(bytes);
  return { w, south, southCamera, outputs: written, secrets, stats, results, dayLogStart };
}
