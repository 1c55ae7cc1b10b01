// The firmware: opens the store (power-loss recovery first), assembles the
// core, opens the peripherals and runs everything from one repeating timer.
// Board-specific parts arrive in `board` (src/app/board.ts).
//
//   const firmware = startFirmware(board);   // boots and starts the tick timer
//   firmware.status()                        // for the console and the simulator
import Timer from "timer";
import { Console } from "../core/console/console";
import { makeTechnician } from "../core/console/technicians";
import { isOptgateError, OptgateError } from "../core/errors";
import type { DiagResult, DiagTarget } from "../core/console/backend";
import { LogStore } from "../core/store/log-store";
import type { Signal } from "../core/gate/ports";
import type { DoorAlarm, GateDecision } from "../core/gate/gate";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../core/version";
import type { Board } from "./board";
import { CoreConsoleBackend } from "./console-backend";
import { GateCore } from "./core";
import { StoreTemplateVault, StoredNoticeBoard, auditRegistryDamage, describeDamage, loadAudit, loadConsentRecords, loadRegistry, storeConsentRecord } from "./persistence";
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
  readonly backend: CoreConsoleBackend;
  /** The technician console (on the board's UART / USB-CDC link). */
  readonly terminal: Console;
  /** Told about every gate decision (the simulator's screen, diagnostics). */
  onDecision?: (decision: GateDecision) => void;
  /** Told about door alarms (forced open, held open), after they are audited. */
  onAlarm?: (kind: DoorAlarm, now: number) => void;
  #prompt = "";
  #key: Uint8Array;

  constructor(board: Board) {
    this.board = board;
    this.store = LogStore.open(board.flash, { random: board.random });
    const report = this.store.report;
    board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booting on ${board.name}: store ${report.formatted ? "formatted" : `recovered ${report.records} records`}`);
    for (const line of describeDamage(report)) board.log(`store: ${line}`);
    this.hardware = new GateHardware({
      device: board.device,
      gate: () => this.core.gate,
      now: () => board.clock.now(),
      ticks: () => board.ticks(),
      prompt: (text) => {
        if (text !== this.#prompt) board.display?.(text);
        this.#prompt = text;
      },
      onError: (error) => board.log(`driver: ${error.message}`),
    });
    const deviceKey = (this.#key = this.#deviceKey());
    const store = this.store;
    const storeError = (error: OptgateError) => board.log(`store: ${error.message}`);
    this.core = new GateCore({
      gateId: board.gateId,
      clock: board.clock,
      random: board.random,
      deviceKey,
      registry: loadRegistry(store, { deviceKey, random: board.random }, storeError),
      audit: loadAudit(store, undefined, storeError, board.clock.now()),
      notices: new StoredNoticeBoard(store),
      vault: new StoreTemplateVault(store),
      onConsentRecord: (bytes) => storeConsentRecord(store, bytes, storeError),
      matcher: board.matcher,
      camera: this.hardware.camera,
      embedder: board.embedder,
      frame: this.hardware.frame,
      outputs: this.hardware.outputs,
      onDecision: (decision) => this.onDecision?.(decision),
      onAlarm: (kind, now) => this.onAlarm?.(kind, now),
    });
    if (this.core.registry.damage !== undefined) {
      board.log(`registry quarantined (${this.core.registry.damage}): every credential is denied until a technician re-imports or clears it`);
      auditRegistryDamage(this.core.audit, this.core.registry, board.clock.now());
    }
    this.core.ledger.restore(loadConsentRecords(store));
    // Templates come back only with consent still in force; the rest are erased now.
    const faces = this.core.gallery.restore(board.clock.now());
    if (faces.erased.length) board.log(`erased ${faces.erased.length} face template(s) without consent in force`);
    this.core.syncFaceFlags();
    const hardware = this.hardware;
    this.backend = new CoreConsoleBackend({
      core: this.core,
      clock: board.clock,
      random: board.random,
      settings: this.store,
      hooks: {
        openDoor: (seconds) => hardware.relay.unlock(seconds * 1000, board.ticks()),
        setClock: board.setClock ? (time) => board.setClock!(time) : undefined,
        peripherals: () => ({
          door: hardware.door.open ? "open" : "closed",
          reader: hardware.reader.tagPresent ? "card present" : "ready",
          keypad: this.core.gate.keypadStage,
          cameraPowered: hardware.camera.powered,
        }),
        storage: () => {
          const stats = this.store.stats();
          return { usedBytes: stats.liveBytes, totalBytes: stats.liveLimit, damage: describeDamage(this.store.report) };
        },
        diag: (target) => this.#diag(target),
      },
    });
    this.terminal = new Console({
      port: board.console,
      clock: board.clock,
      random: board.random,
      deviceKey,
      backend: this.backend,
      audit: this.backend.audit,
      technicians: this.backend.technicians,
    });
    this.terminal.start();
  }

  /**
   * One timer tick: drivers on monotonic time, the core on wall-clock time.
   * A fault in one part is logged and the next tick runs again: a gate must
   * not stop opening for cards because something else threw once.
   */
  tick(): void {
    this.#guard("drivers", () => this.hardware.tick(this.board.ticks()));
    this.#guard("gate", () => this.core.tick(this.board.clock.now()));
    this.#guard("console", () => this.terminal.tick());
  }

  #guard(part: string, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.board.log(`${part}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /**
   * Provisioning: the first technician account, created at installation (the
   * console's "tech add" needs someone logged in). Refuses an existing id.
   */
  addTechnician(id: string, password: string): void {
    if (this.backend.technicians.find(id)) throw new OptgateError("E_TECH_EXISTS", `Technician ${id} already exists; use passwd at the console.`);
    this.backend.technicians.save(makeTechnician(this.#key, this.board.random, id, password));
  }

  /** Bytes from the console UART / USB-CDC. */
  receiveConsole(bytes: Uint8Array): void {
    this.terminal.receive(bytes);
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

  /** Self-checks a technician can run from the console (no secrets in the details). */
  #diag(target: DiagTarget): DiagResult[] {
    const hw = this.hardware;
    const results: DiagResult[] = [];
    const all = target === "all";
    if (all || target === "reader") {
      const version = hw.reader.chip.version();
      const { reads, errors, resets } = hw.reader.stats;
      results.push({ test: "reader", ok: version === 0x91 || version === 0x92, detail: `MFRC522 version 0x${version.toString(16)}, ${reads} reads, ${errors} errors, ${resets} resets` });
    }
    if (all || target === "keypad") {
      results.push({ test: "keypad", ok: true, detail: `scanning; entry stage ${this.core.gate.keypadStage}` });
    }
    if (all || target === "relay") {
      results.push({ test: "relay", ok: true, detail: `${hw.relay.unlocked ? "unlocked" : "locked"}, door ${hw.door.open ? "open" : "closed"}` });
    }
    if (all || target === "store") {
      const stats = this.store.stats();
      const report = this.store.report;
      results.push({ test: "store", ok: !report.keyLost, detail: `${stats.liveBytes} of ${stats.liveLimit} bytes live, ${stats.freeSectors} free sectors; boot recovery kept ${report.records} records, dropped ${report.droppedRecords}` });
    }
    return results;
  }

  /**
   * The PIN/code hashing secret: made once from the board's RNG, kept sealed
   * in the store. If it cannot be read back (store key lost) or kept (store
   * full), a new one is used and said so: stored PINs then stop matching, but
   * cards and the rest of the gate keep working.
   */
  #deviceKey(): Uint8Array {
    try {
      const held = this.store.get(DEVICE_KEY);
      if (held && held.length === 32) return held;
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      this.board.log(`store: ${error.message} PINs must be set again.`);
    }
    const key = new Uint8Array(32);
    this.board.random.fill(key);
    try {
      this.store.put(DEVICE_KEY, key, { sealed: true });
    } catch (error) {
      if (!isOptgateError(error)) throw error;
      this.board.log(`store: ${error.message} The PIN key lives in RAM until the next boot.`);
    }
    return key;
  }
}

/** Boot and start the tick timer. */
export function startFirmware(board: Board): Firmware {
  const firmware = new Firmware(board);
  Timer.repeat(() => firmware.tick(), TICK_MS);
  return firmware;
}

export interface BoardInfo {
  name: string;
  log(line: string): void;
}

/** Boot banner only: what the Moddable lin build runs (src/app/lin-main.ts), which has no gate hardware. */
export function boot(board: BoardInfo): { name: string; version: string; board: string } {
  const state = { name: FIRMWARE_NAME, version: FIRMWARE_VERSION, board: board.name };
  board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booted on ${board.name}`);
  return state;
}
