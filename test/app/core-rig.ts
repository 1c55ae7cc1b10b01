// A gate assembled from the same parts, in the same order, as src/app/firmware.ts
// (store on a NOR flash, registry/audit/consent/notices/templates persisted,
// GateCore, console backend, technician console), minus the drivers: events go
// straight into the gate controller and time is a number. Portable (Node and
// XS), for tests that cannot load the firmware's Moddable `timer` module.
import { createSyntheticFrame, SyntheticEmbedder, writeSyntheticFrame } from "../../boards/host/synthetic-embedder";
import { NorFlash } from "../../boards/host/nor-flash";
import { CoreConsoleBackend } from "../../src/app/console-backend";
import { GateCore } from "../../src/app/core";
import { loadAudit } from "./audit-rig";
import { StoreTemplateVault, StoredNoticeBoard, loadConsentRecords, loadRegistry, storeConsentRecord } from "../../src/app/persistence";
import { Console } from "../../src/core/console/console";
import { makeTechnician } from "../../src/core/console/technicians";
import { sha256 } from "../../src/core/crypto";
import type { GateDecision } from "../../src/core/gate/gate";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import type { Camera, CaptureOutcome, Frame, Random } from "../../src/core/ports";
import { LogStore } from "../../src/core/store/log-store";
import { DAY_START, TECH, type DayCapture, type DayGate, type Scene } from "./scripted-day";

const TICK_MS = 10;
const DEVICE_KEY = "device/pin-key";

/** A camera whose every power change is logged with the board time; frames are synthetic scenes. */
class PowerLogCamera implements Camera {
  powered = false;
  scene: Scene | undefined;
  delayMs = 0;
  readonly log: { on: boolean; time: number }[] = [];
  #captures = 0;
  constructor(private readonly now: () => number) {}
  powerOn() { if (!this.powered) this.log.push({ on: true, time: this.now() }); this.powered = true; }
  powerOff() { if (this.powered) this.log.push({ on: false, time: this.now() }); this.powered = false; }
  capture(into: Frame): CaptureOutcome {
    if (!this.powered) return "error";
    const visible = this.now() - this.log[this.log.length - 1].time >= this.delayMs;
    const s = (visible && this.scene) || { kind: "no-face", identity: 0 };
    writeSyntheticFrame(into, s.kind, s.identity, ++this.#captures);
    return "ok";
  }
}

/** SHA-256 in counter mode (the host board's RNG stand-in), deterministic per seed. */
function seededRandom(seed: number): Random {
  let counter = 0;
  return {
    fill(bytes) {
      for (let offset = 0; offset < bytes.length; offset += 32) {
        const block = sha256(Uint8Array.of(seed & 255, (seed >> 8) & 255, counter & 255, (counter >> 8) & 255, (counter >> 16) & 255, (counter >>> 24) & 255));
        counter++;
        bytes.set(block.subarray(0, Math.min(32, bytes.length - offset)), offset);
      }
    },
  };
}

export interface CoreRig {
  gate: DayGate;
  flash: NorFlash;
  deviceKey: Uint8Array;
}

export function buildCoreRig(capture: DayCapture, seed = 1): CoreRig {
  let now = DAY_START;
  const clock = { now: () => now };
  const random = seededRandom(seed);
  const flash = new NorFlash(1024 * 1024);
  const log = (line: string) => capture.logLine(line);
  const store = LogStore.open(capture.flash(flash), { random });
  const deviceKey = new Uint8Array(32);
  random.fill(deviceKey);
  store.put(DEVICE_KEY, deviceKey, { sealed: true });
  capture.secret("PIN key", deviceKey);
  const camera = new PowerLogCamera(clock.now);
  const decisions: GateDecision[] = [];
  const storeError = (error: Error) => log(`store: ${error.message}`);
  const audit = loadAudit(store, undefined, storeError);
  capture.watchAudit(audit);
  const core = new GateCore({
    gateId: 1, clock, random, deviceKey,
    registry: loadRegistry(store, { deviceKey, random }, storeError),
    audit,
    notices: new StoredNoticeBoard(store),
    vault: new StoreTemplateVault(store),
    onConsentRecord: (bytes) => storeConsentRecord(store, bytes, storeError),
    matcher: capture.matcher(new TsMatcher(128, 64)),
    camera,
    embedder: capture.embedder(new SyntheticEmbedder({ dimension: 128 })),
    frame: createSyntheticFrame(32, 32),
    outputs: { unlock: () => undefined, signal: () => undefined, prompt: (text) => log(`display: ${text}`) },
    onDecision: (decision) => decisions.push({ ...decision }),
  });
  core.ledger.restore(loadConsentRecords(store));
  core.gallery.restore(now);
  core.syncFaceFlags();
  const backend = new CoreConsoleBackend({
    core, clock, random, settings: store,
    hooks: {
      peripherals: () => ({ door: "closed", reader: "ready", keypad: core.gate.keypadStage, cameraPowered: camera.powered }),
      storage: () => { const s = store.stats(); return { usedBytes: s.liveBytes, totalBytes: s.liveLimit }; },
    },
  });
  backend.technicians.save(makeTechnician(deviceKey, random, TECH.id, TECH.password, "installer"));
  let answer = "";
  const terminal = new Console({
    port: { write: (data) => { capture.consoleWrite(data); answer += typeof data === "string" ? data : String.fromCharCode(...data); } },
    clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians,
  });
  terminal.start();
  const tick = () => { core.tick(now); terminal.tick(); };
  const gate: DayGate = {
    core, store, decisions,
    cameraLog: camera.log,
    now: clock.now,
    advance(ms) {
      const end = now + ms;
      while (now < end) { now = Math.min(end, now + TICK_MS); tick(); }
    },
    jump(ms) { now += ms; tick(); },
    card(uid) {
      core.gate.card(Uint8Array.from(uid.match(/../g) ?? [], (h) => parseInt(h, 16)), now);
      gate.advance(300);
    },
    keys(text) {
      for (const key of text) { core.gate.key(key, now); gate.advance(140); }
    },
    scene(scene, delayMs = 0) { camera.scene = scene; camera.delayMs = delayMs; },
    console(line) {
      answer = "";
      terminal.receive(`${line}\r`);
      gate.advance(50);
      return answer;
    },
    cameraPowered: () => camera.powered,
  };
  return { gate, flash, deviceKey };
}
