// Small in-test stand-ins for what the access core and the board provide,
// plus a builder that wires a complete face lifecycle around them.
import type { Camera, CaptureOutcome, Frame, Random } from "../../../src/core/ports";
import { ConsentLedger } from "../../../src/core/face/consent-ledger";
import { FaceEnrolment } from "../../../src/core/face/enrolment";
import { FaceGallery } from "../../../src/core/face/face-gallery";
import { FaceSession, type FaceSessionOptions } from "../../../src/core/face/face-session";
import { NoticeBoard, type NoticeText } from "../../../src/core/face/notices";
import type { AuditSink, FaceAuditEvent, FaceGatePolicy, PinCheck, ResidentLookup } from "../../../src/core/face/ports";
import { RetentionSweeper } from "../../../src/core/face/retention";
import { MemoryTemplateVault } from "../../../src/core/face/template-vault";
import { FaceWithdrawal } from "../../../src/core/face/withdrawal";
import { createSyntheticFrame, SyntheticEmbedder, writeSyntheticFrame, type SyntheticFrameKind } from "../../../boards/host/synthetic-embedder";
import { ReferenceMatcher } from "./reference-matcher";

export class TestClock {
  now = Date.UTC(2026, 0, 5, 8, 0, 0);
}

/** Residents and their PINs as the registry would hold them (here in clear: it is a test). */
export class FakeRegistry implements PinCheck, ResidentLookup {
  pins = new Map<string, string>();
  verifyCalls = 0;
  add(residentId: string, pin: string): void {
    this.pins.set(residentId, pin);
  }
  exists(residentId: string): boolean {
    return this.pins.has(residentId);
  }
  verify(residentId: string, pin: string): boolean {
    this.verifyCalls++;
    return this.pins.get(residentId) === pin;
  }
}

export class RecordingAudit implements AuditSink {
  events: FaceAuditEvent[] = [];
  append(event: FaceAuditEvent): void {
    this.events.push({ ...event });
  }
}

/** Deterministic "hardware RNG" (xorshift) so sealed bytes are reproducible. */
export class SeededRandom implements Random {
  #s: number;
  constructor(seed = 0x12345678) {
    this.#s = seed >>> 0 || 1;
  }
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      let x = this.#s;
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      this.#s = x;
      bytes[i] = x & 0xff;
    }
  }
}

export interface PowerEvent {
  on: boolean;
  at: number;
}

/**
 * A camera that records every power change with the time it happened, and
 * shows whatever scene the test put in front of it. Capturing while off is a
 * test failure (the port says "only while powered").
 */
export class LoggedCamera implements Camera {
  log: PowerEvent[] = [];
  scene: { kind: SyntheticFrameKind; identity: number } | "error" | "no-frame" = { kind: "no-face", identity: 0 };
  captures = 0;
  failPowerOn = false;
  lastFrameData: Uint8Array | undefined;
  /** Sees each frame right after it was written (to collect what must never leak). */
  onCapture?: (data: Uint8Array) => void;
  #powered = false;
  #clock: TestClock;

  constructor(clock: TestClock) {
    this.#clock = clock;
  }

  get powered(): boolean {
    return this.#powered;
  }

  powerOn(): void {
    if (this.failPowerOn) throw new Error("camera did not answer");
    if (this.#powered) throw new Error("camera powered twice");
    this.#powered = true;
    this.log.push({ on: true, at: this.#clock.now });
  }

  powerOff(): void {
    if (!this.#powered) return;
    this.#powered = false;
    this.log.push({ on: false, at: this.#clock.now });
  }

  capture(into: Frame): CaptureOutcome {
    if (!this.#powered) throw new Error("capture while the camera is off");
    this.lastFrameData = into.data;
    if (this.scene === "error" || this.scene === "no-frame") return this.scene;
    writeSyntheticFrame(into, this.scene.kind, this.scene.identity, ++this.captures);
    this.onCapture?.(into.data);
    return "ok";
  }

  /** Total powered time from the log; an unfinished window counts up to `now`. */
  onTime(now: number): number {
    let total = 0, since = -1;
    for (const e of this.log) {
      if (e.on) since = e.at;
      else { total += e.at - since; since = -1; }
    }
    return since >= 0 ? total + now - since : total;
  }
}

export const TEST_NOTICE: NoticeText = {
  purpose: "open the north gate for residents who choose face recognition",
  method: "on-board face model, 512-number template, encrypted, never leaves the gate",
  gates: ["north"],
  retentionDays: 365,
};

/** A notice on the board, two residents with PINs (r-101: 1357, r-102: 2468), and a ledger over them. */
export function ledgerWorld(onChange?: (record: unknown, bytes: Uint8Array) => void) {
  const notices = new NoticeBoard();
  notices.publish(TEST_NOTICE, 1000);
  const registry = new FakeRegistry();
  registry.add("r-101", "1357");
  registry.add("r-102", "2468");
  const audit = new RecordingAudit();
  const ledger = new ConsentLedger({ notices, pins: registry, residents: registry, audit, onChange });
  return { notices, registry, audit, ledger };
}

export interface WorldOptions {
  dimension?: number;
  capacity?: number;
  gate?: Partial<FaceGatePolicy>;
  session?: Partial<FaceSessionOptions>;
  inactivityDays?: number;
  vaultWrites?: (residentId: string, bytes: Uint8Array) => void;
}

/** A complete face lifecycle over fakes: what the lead wires on the board. */
export function faceWorld(options: WorldOptions = {}) {
  const dimension = options.dimension ?? 64;
  const clock = new TestClock();
  const registry = new FakeRegistry();
  const audit = new RecordingAudit();
  const notices = new NoticeBoard();
  const stored: Uint8Array[] = [];
  const ledger = new ConsentLedger({ notices, pins: registry, residents: registry, audit, onChange: (_r, bytes) => stored.push(bytes) });
  const matcher = new ReferenceMatcher(dimension, options.capacity ?? 32);
  const vault = new MemoryTemplateVault({ onWrite: options.vaultWrites });
  const embedder = new SyntheticEmbedder({ dimension });
  const gallery = new FaceGallery({ matcher, vault, ledger, random: new SeededRandom(), model: embedder.model });
  const camera = new LoggedCamera(clock);
  const frame = createSyntheticFrame(16, 16);
  const gate: FaceGatePolicy = { gateId: "north", face: true, oneToN: true, ...options.gate };
  const session = new FaceSession({ gate, camera, embedder, matcher, gallery, ledger, frame, ...options.session });
  const enrolment = new FaceEnrolment({ gallery, ledger, camera, embedder, frame, audit, captures: 5 });
  const withdrawal = new FaceWithdrawal({ ledger, gallery, audit, keypadCode: "*0" });
  const retention = new RetentionSweeper({ ledger, gallery, notices, audit, inactivityDays: options.inactivityDays ?? 0 });
  return { dimension, clock, registry, audit, notices, stored, ledger, matcher, vault, gallery, embedder, camera, frame, gate, session, enrolment, withdrawal, retention };
}

export type FaceWorld = ReturnType<typeof faceWorld>;

/** faceWorld with one notice published that covers its gate ("north"). */
export function gateWorld(options: WorldOptions = {}): FaceWorld {
  const w = faceWorld(options);
  w.notices.publish({ purpose: "gate", method: "face model", gates: ["north"], retentionDays: 365 }, w.clock.now);
  return w;
}

/** Registers a resident, records PIN-confirmed consent to the current notice and enrols identity `identity`. */
export function consentAndEnrol(w: FaceWorld, residentId: string, identity: number, pin = "2468"): void {
  if (!w.registry.exists(residentId)) w.registry.add(residentId, pin);
  w.ledger.grant({ residentId, noticeVersion: w.notices.current()!.version, witnessId: "tech-7", pin, at: w.clock.now });
  const captures: Float32Array[] = [];
  for (let c = 0; c < 5; c++) {
    const e = new Float32Array(w.dimension);
    w.embedder.capture(identity, 1_000_000 + c, e);
    captures.push(e);
  }
  w.enrolment.enrolEmbeddings(w.ledger.activeConsent(residentId), captures, w.clock.now);
}

/** Runs one face session to its end with `scene` in front of the camera, ticking every `stepMs`. */
export function runFace(w: FaceWorld, scene: LoggedCamera["scene"], claim?: string, stepMs = 100) {
  w.camera.scene = scene;
  const response = w.session.faceKey(w.clock.now, claim);
  if (!response.started) return { response, result: undefined };
  for (;;) {
    w.clock.now += stepMs;
    const result = w.session.tick(w.clock.now);
    if (result) return { response, result };
  }
}
