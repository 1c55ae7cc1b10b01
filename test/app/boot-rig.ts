// Portable (Node and XS). The gate as it boots on a board: src/app/supervisor.ts
// (firmware, or safe mode) on the host board (chip models for the reader,
// keypad, relay, door contact, exit button), over a NorFlash image the test
// owns, so an image can be written by the firmware, damaged, and booted again.
// Time moves only when the rig says: every 10 ms tick the board's timers run,
// then the supervisor ticks, as on the device.
import { HostBoard, HOST_PINS } from "../../boards/host/board";
import { NorFlash } from "../../boards/host/nor-flash";
import type { HostEvent } from "../../boards/host/protocol";
import { advanceTimers, startTimers, timerNow } from "../../boards/host/timer";
import type { Board } from "../../src/app/board";
import type { Pcf8563Model } from "../models/pcf8563";
import { Supervisor } from "../../src/app/supervisor";
import type { GateDecision } from "../../src/core/gate/gate";

/** 2 March 2026, 08:00 UTC: a trusted clock (after the policy's floor). */
export const BOOT_TIME = Date.UTC(2026, 2, 2, 8, 0);
export const FLASH_SIZE = 256 * 1024;
const TICK_MS = 10;
// As briefly as the drivers allow (reader polls every 100 ms and drops a card after 3 silent polls,
// keys debounce for 30 ms): the corruption campaign presents thousands of credentials inside XS.
const CARD_HOLD_MS = 200, CARD_AWAY_MS = 400;
const KEY_HOLD_MS = 50, KEY_STEP_MS = 90, KEY_SETTLE_MS = 100;

export interface BootOptions {
  /** Wall-clock time at boot (default BOOT_TIME). */
  now?: number;
  /** The board's NVS as a previous boot left it (copied); empty by default. */
  nvs?: ReadonlyMap<string, number>;
  /** The PCF8563 as the last power cut left it (a new chip, VL set, by default). */
  rtc?: Pcf8563Model;
  /** The MCU clock restarts at 1970, as after a real power cut (default: it keeps the host's time). */
  clockLost?: boolean;
  /** Changes to the board before the firmware boots (a failing flash, a boot counter, a restart hook). */
  adapt?: (board: Board) => void;
}

export class BootedGate {
  readonly host: HostBoard;
  readonly supervisor: Supervisor;
  readonly events: HostEvent[] = [];
  readonly decisions: GateDecision[] = [];
  readonly flash: NorFlash;
  #console = "";
  #releases: { at: number; run: () => void }[] = [];

  constructor(flash: NorFlash, options: BootOptions = {}) {
    this.flash = flash;
    startTimers(options.now ?? BOOT_TIME);
    this.host = new HostBoard({ flash: { size: flash.size, sectorSize: flash.sectorSize }, seed: new Uint8Array(32).fill(0x6b), events: this.events, rtc: options.rtc, clockLost: options.clockLost });
    const board = this.host.board;
    board.flash = flash;
    board.console = { write: (data) => { this.#console += typeof data === "string" ? data : String.fromCharCode(...data); } };
    for (const [key, value] of options.nvs ?? []) this.host.nvs.set(key, value);
    options.adapt?.(board);
    this.supervisor = new Supervisor(board);
    const firmware = this.supervisor.firmware;
    if (firmware) firmware.onDecision = (decision) => this.decisions.push({ ...decision });
  }

  get firmware() {
    return this.supervisor.firmware;
  }

  /** The strike coil as a logic probe sees it (fail-secure: energised = unlocked). */
  get strikeOpen(): boolean {
    return this.host.level(HOST_PINS.relay);
  }

  /** Log lines the board printed. */
  get logs(): string[] {
    return this.events.filter((e): e is { e: "log"; line: string } => e.e === "log").map((e) => e.line);
  }

  /** Time passes with the board ticking every 10 ms. */
  run(ms: number): void {
    const end = timerNow() + ms;
    while (timerNow() < end) {
      const t = Math.min(end, timerNow() + TICK_MS);
      this.host.syncClock(t);
      advanceTimers(t);
      for (const release of this.#releases.filter((r) => r.at <= t)) release.run();
      this.#releases = this.#releases.filter((r) => r.at > t);
      this.supervisor.tick();
    }
  }

  /** A card held to the reader, then taken away; the decision it got, if any. */
  card(uidHex: string): GateDecision | undefined {
    const before = this.decisions.length;
    this.host.cardOn(uidHex);
    this.run(CARD_HOLD_MS);
    this.host.cardOff();
    this.run(CARD_AWAY_MS);
    return this.decisions[before];
  }

  /** Keys typed at the keypad; the last decision they produced, if any. */
  keys(text: string): GateDecision | undefined {
    const before = this.decisions.length;
    for (const key of text) {
      this.host.pressKey(key);
      this.#later(KEY_HOLD_MS, () => this.host.releaseKey(key));
      this.run(KEY_STEP_MS);
    }
    this.run(KEY_SETTLE_MS);
    return this.decisions.length > before ? this.decisions[this.decisions.length - 1] : undefined;
  }

  /** Presses the exit button (held `holdMs`); true when the strike opened during the press. */
  exit(holdMs = 100): boolean {
    this.host.setExitButton(true);
    let opened = false;
    for (let t = 0; t < holdMs; t += TICK_MS) {
      this.run(TICK_MS);
      opened ||= this.strikeOpen;
    }
    this.host.setExitButton(false);
    this.run(50);
    return opened || this.strikeOpen;
  }

  /** One console line; what the console wrote back. */
  console(line: string): string {
    this.#console = "";
    this.supervisor.receiveConsole(Uint8Array.from(`${line}\r`, (c) => c.charCodeAt(0)));
    this.run(50);
    return this.#console;
  }

  /** Lets the strike relock (the exit pulse is 5 s). */
  settle(): void {
    this.run(6000);
  }

  #later(ms: number, run: () => void): void {
    this.#releases.push({ at: timerNow() + ms, run });
  }
}

export function boot(flash: NorFlash, options: BootOptions = {}): BootedGate {
  return new BootedGate(flash, options);
}

export function blankFlash(size = FLASH_SIZE): NorFlash {
  return new NorFlash(size);
}
