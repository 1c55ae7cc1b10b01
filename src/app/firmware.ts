// The firmware: opens the store (power-loss recovery first), assembles the
// core, opens the peripherals and runs everything from one repeating timer.
// Board-specific parts arrive in `board` (src/app/board.ts).
//
//   const firmware = startFirmware(board);   // boots and starts the tick timer
//   firmware.status()                        // for the console and the simulator
import Timer from "timer";
import { LogStore } from "../core/store/log-store";
import type { Signal } from "../core/gate/ports";
import type { GateDecision } from "../core/gate/gate";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../core/version";
import type { Board } from "./board";
import { GateCore } from "./core";
import { GateHardware } from "./hardware";

/** Driver polls, keypad scans and face steps run every TICK_MS. */
export const TICK_MS = 10;
/** Store key of the secret that keys PIN and code hashes (sealed at rest). */
const DEVICE_KEY = "device/pin-key";

export interface FirmwareStatus {
  name: string;
  version: string;
  board: string;
  unlocked: boolean;
  doorOpen: boolean;
  cameraPowered: boolean;
  prompt: string;
  signal: Signal;
  keypadStage: string;
  /** Digits typed in the current keypad field (a count only: never the digits). */
  keypadDigits: number;
  residents: number;
  decisions: readonly GateDecision[];
}

export class Firmware {
  readonly board: Board;
  readonly store: LogStore;
  readonly core: GateCore;
  readonly hardware: GateHardware;
  /** Told about every gate decision (the simulator's screen, diagnostics). */
  onDecision?: (decision: GateDecision) => void;
  #prompt = "";

  constructor(board: Board) {
    this.board = board;
    this.store = LogStore.open(board.flash, { random: board.random });
    const report = this.store.report;
    board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booting on ${board.name}: store ${report.formatted ? "formatted" : `recovered ${report.records} records`}${report.droppedRecords ? `, dropped ${report.droppedRecords} unfinished` : ""}`);
    this.hardware = new GateHardware({
      device: board.device,
      gate: () => this.core.gate,
      now: () => board.clock.now(),
      prompt: (text) => {
        if (text !== this.#prompt) board.display?.(text);
        this.#prompt = text;
      },
      onError: (error) => board.log(`driver: ${error.message}`),
    });
    this.core = new GateCore({
      gateId: board.gateId,
      clock: board.clock,
      random: board.random,
      deviceKey: this.#deviceKey(),
      matcher: board.matcher,
      camera: this.hardware.camera,
      embedder: board.embedder,
      frame: this.hardware.frame,
      outputs: this.hardware.outputs,
      onDecision: (decision) => this.onDecision?.(decision),
    });
  }

  tick(now: number): void {
    this.hardware.tick(now);
    this.core.tick(now);
  }

  status(): FirmwareStatus {
    const gate = this.core.gate;
    return {
      name: FIRMWARE_NAME,
      version: FIRMWARE_VERSION,
      board: this.board.name,
      unlocked: this.hardware.relay.unlocked,
      doorOpen: this.hardware.door.open,
      cameraPowered: this.hardware.camera.powered,
      prompt: this.#prompt,
      signal: this.hardware.indicator.signal,
      keypadStage: gate.keypadStage,
      keypadDigits: gate.keypadDigits,
      residents: this.core.registry.size,
      decisions: gate.recent,
    };
  }

  /** The PIN/code hashing secret: made once from the board's RNG, kept sealed in the store. */
  #deviceKey(): Uint8Array {
    const held = this.store.get(DEVICE_KEY);
    if (held && held.length === 32) return held;
    const key = new Uint8Array(32);
    this.board.random.fill(key);
    this.store.put(DEVICE_KEY, key, { sealed: true });
    return key;
  }
}

/** Boot and start the tick timer. */
export function startFirmware(board: Board): Firmware {
  const firmware = new Firmware(board);
  Timer.repeat(() => firmware.tick(board.clock.now()), TICK_MS);
  return firmware;
}

export interface BoardInfo {
  name: string;
  log(line: string): void;
}

/** Boot banner only: what src/app/main.ts runs until the ESP32-S3 board object is wired. */
export function boot(board: BoardInfo): { name: string; version: string; board: string } {
  const state = { name: FIRMWARE_NAME, version: FIRMWARE_VERSION, board: board.name };
  board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booted on ${board.name}`);
  return state;
}
