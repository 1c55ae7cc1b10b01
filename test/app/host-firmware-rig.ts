// Node only. The real firmware (src/app/firmware.ts) on the host board
// (boards/host/board.ts: MFRC522, keypad matrix, GPIO, camera IO models,
// synthetic embedder, TS matcher), in this process, wired as
// boards/host/entry.ts wires it for the simulator — except that the flash is a
// NorFlash here (every write recorded) instead of the simulator's link, and
// time is moved by this rig instead of the simulator's tick messages.
// Moddable's `timer` module is mapped to the host stand-in the XS bundles use.
import { register } from "node:module";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { NorFlash } from "../../boards/host/nor-flash";
import type { HostEvent } from "../../boards/host/protocol";
import type { GateDecision } from "../../src/core/gate/gate";
import { repoRoot } from "../../tools/xs/bundle";
import { DAY_START, TECH, type DayCapture, type DayGate } from "./scripted-day";

const timerModule = pathToFileURL(path.join(repoRoot, "boards/host/timer.ts")).href;
let hooked = false;

/** Lets `import Timer from "timer"` (firmware.ts) load the host timer in Node. */
export function mapTimerModule(): void {
  if (hooked) return;
  hooked = true;
  const hook = `export async function resolve(specifier, context, next) { return next(specifier === "timer" ? ${JSON.stringify(timerModule)} : specifier, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

export interface FirmwareRig {
  gate: DayGate;
  flash: NorFlash;
  /** The device's PIN-hashing key, read back through the store (a secret to scan for). */
  deviceKey: Uint8Array;
  /** Puts bytes in the store unsealed (the control check plants a secret this way). */
  plant(key: string, bytes: Uint8Array): void;
  /** Stops the firmware's timer. */
  stop(): void;
}

const TICK_MS = 10;
const KEY_HOLD_MS = 80;

export async function bootHostFirmware(capture: DayCapture, flashSize = 2 * 1024 * 1024): Promise<FirmwareRig> {
  mapTimerModule();
  const { Firmware, TICK_MS: FIRMWARE_TICK } = await import("../../src/app/firmware");
  const { HostBoard, HOST_PINS } = await import("../../boards/host/board");
  const timer = await import("../../boards/host/timer");
  const Timer = timer.default;
  timer.startTimers(DAY_START);
  const events: HostEvent[] = [];
  const host = new HostBoard({ flash: { size: flashSize, sectorSize: 4096 }, seed: new Uint8Array(32).fill(0x5d), events });
  const flash = new NorFlash(flashSize);
  const board = host.board;
  board.flash = capture.flash(flash);
  board.embedder = capture.embedder(board.embedder);
  board.matcher = capture.matcher(board.matcher);
  const log = board.log;
  board.log = (line) => { capture.logLine(line); log(line); };
  const port = board.console;
  let answer = "";
  board.console = { write: (data) => { capture.consoleWrite(data); answer += typeof data === "string" ? data : String.fromCharCode(...data); port.write(data); } };
  const display = board.display;
  board.display = (text) => { capture.logLine(`display: ${text}`); display?.(text); };

  // startFirmware(board), with the timer kept so the rig can stop it.
  const firmware = new Firmware(board);
  const ticking = Timer.repeat(() => firmware.tick(), FIRMWARE_TICK);
  firmware.addTechnician(TECH.id, TECH.password);
  capture.watchAudit(firmware.core.audit);
  const decisions: GateDecision[] = [];
  firmware.onDecision = (decision) => decisions.push({ ...decision });
  const deviceKey = firmware.store.get("device/pin-key")!;
  capture.secret("PIN key", deviceKey);

  // The camera supply pin as the board reports it (a logic probe on HOST_PINS.cameraPower).
  const cameraLog: { on: boolean; time: number }[] = [];
  const drain = () => {
    for (const e of events) if (e.e === "camera") cameraLog.push({ on: e.on, time: e.time });
    events.length = 0;
  };
  const tickTo = (t: number) => {
    host.syncClock(t);
    timer.advanceTimers(t);
    drain();
  };
  // The camera model reads the scene per frame: it appears `appearsAfter` ms after the supply came on.
  let shown: typeof host.camera.scene;
  let appearsAfter = 0;
  const poweredAt = () => {
    for (let i = events.length - 1; i >= 0; i--) { const e = events[i]; if (e.e === "camera" && e.on) return e.time; }
    return cameraLog.length ? cameraLog[cameraLog.length - 1].time : -Infinity;
  };
  Object.defineProperty(host.camera, "scene", {
    get: () => (timer.timerNow() - poweredAt() >= appearsAfter ? shown : undefined),
    set: (value: typeof shown) => { shown = value; appearsAfter = 0; },
  });
  let now = DAY_START;
  const gate: DayGate = {
    core: firmware.core,
    store: firmware.store,
    decisions,
    cameraLog,
    now: () => board.clock.now(),
    advance(ms) {
      const end = now + ms;
      while (now < end) tickTo((now = Math.min(end, now + TICK_MS)));
    },
    jump(ms) { tickTo((now += ms)); },
    card(uid) {
      // Held long enough for the reader to see it, then taken away until the reader notices.
      host.cardOn(uid);
      gate.advance(300);
      host.cardOff();
      gate.advance(600);
    },
    keys(text) {
      for (const key of text) {
        host.pressKey(key);
        Timer.set(() => host.releaseKey(key), KEY_HOLD_MS);
        gate.advance(KEY_HOLD_MS + 60);
      }
    },
    scene(scene, delayMs = 0) {
      shown = scene && { kind: scene.kind === "face" ? "genuine" : scene.kind, identity: scene.identity };
      appearsAfter = delayMs;
    },
    console(line) {
      answer = "";
      firmware.receiveConsole(Uint8Array.from(`${line}\r`, (c) => c.charCodeAt(0)));
      gate.advance(50);
      return answer;
    },
    cameraPowered: () => host.level(HOST_PINS.cameraPower) || firmware.hardware.camera.powered,
  };
  gate.advance(200);
  return {
    gate,
    flash,
    deviceKey,
    plant: (key, bytes) => firmware.store.put(key, bytes),
    stop: () => Timer.clear(ticking),
  };
}
