// The gate board's Board (src/app/board.ts) on the ESP32-S3: what
// src/app/main.ts hands to startFirmware() on the device.
//
//   const board = createDeviceBoard();
//   const firmware = startFirmware(board);
//   board.consoleInput((bytes) => firmware.receiveConsole(bytes));
//
// Sources, and why:
// - name, gateId: the board manifest's "config" (mc/config). gateId must be set
//   per gate (`"gateId": 2`, or `mcconfig ... gateId=2` on the command line).
// - log: trace() (xsbug in debug builds; release builds drop it).
// - clock: Date.now(), the ESP32's wall clock. Unset after power-up (it counts
//   from 1970): the access core treats times below its clock floor as
//   untrusted; the console's "clock set" calls setClock → Time.set (seconds).
// - ticks: Moddable's Time.ticks unwrapped into a counter that never wraps
//   (src/drivers/monotonic-ticks.ts).
// - random: the S3's hardware RNG (Math.random is esp_random() on the ESP32)
//   conditioned through SHA-256 (src/drivers/entropy-pool.ts says why).
// - flash: the "storage" partition (partitions.csv) through the flash module.
// - device: the pin map's IO descriptors (pins.ts openGateDevice()).
// - matcher: the native matcher (wasm2c C), 256-d templates (mobileface's size).
// - embedder: the int8 face kernel with its images from the "facemodel"
//   partition (face-embedder.ts), or UnavailableEmbedder with the reason when
//   that partition does not check out; the thresholds measured for that path.
// - console: UART0 at 115200 8N1 on GPIO43/44 (pin-map.ts) as a SerialConsole.
// - nvs: Moddable's preference module (ESP-IDF NVS, its own partition),
//   outside the gate's store: the restart-loop count (a hung XS task starves
//   the idle task, the task watchdog in sdkconfig resets the chip, and the
//   count grows) and the store watermarks (src/app/watermarks.ts).
// - keyRoot: the S3's HMAC peripheral over eFuse KEY4 (key-root.c), when that
//   block was burned at provisioning (docs/secrets.md); a blank chip has none
//   and the gate keeps random keys sealed in its store instead (said at boot).
// - tcp: Moddable's embedded:io/socket/tcp (lwIP), the hub link's socket; it
//   takes only a dotted address, so a broker's DNS name is looked up first
//   with the `net` module's Net.resolve (src/drivers/resolving-tcp.ts).
// - tls: the hub link's TLS socket (src/app/tls-socket.ts) over Moddable's
//   ssl/session (modules/crypt/tls_419.json) and that same TCP socket, when
//   the technician set hub transport tls and hub ca.
// - network: the Wi-Fi station (src/drivers/wifi-station.ts) over Moddable's
//   `wifi` module; its address from the `net` module. Off until the firmware
//   hands it the Wi-Fi settings the technician set (wifi set).
// The firmware's tick timer is started by startFirmware() itself (Timer.repeat).
import TCP from "embedded:io/socket/tcp";
import config from "mc/config";
import Net from "net";
import Preference from "preference";
import Time from "time";
import Timer from "timer";
import WiFi from "wifi";
import type { Board } from "../../src/app/board";
import { OptgateError } from "../../src/core/errors";
import type { ConsolePort } from "../../src/core/ports";
import { EntropyPool, mathRandomSample } from "../../src/drivers/entropy-pool";
import FlashPartition from "../../src/drivers/flash-partition";
import { monotonicTicks } from "../../src/drivers/monotonic-ticks";
import { resolvingTcp, type TcpClass } from "../../src/drivers/resolving-tcp";
import { tlsSocketClass } from "../../src/app/tls-socket";
import { SerialConsole } from "../../src/drivers/serial-console";
import { WifiStation } from "../../src/drivers/wifi-station";
import { NativeMatcher } from "../../src/native/matcher/native-matcher";
import { BOARD_EMBEDDING_DIMENSION, openBoardFaceModel } from "./face-embedder";
import device, { openGateDevice } from "./pins";
import { derive } from "./key-root";

declare const trace: (...values: unknown[]) => void;

/** Face-enrolled residents per gate: 256 B each in the matcher's memory (PSRAM), 256 KB in all. */
export const DEVICE_GALLERY_CAPACITY = 1024;
/** How often the console UART is tried again while another user (xsbug's boot probe) holds it. */
const CONSOLE_RETRY_MS = 2000;

export interface DeviceBoard extends Board {
  /** Routes bytes typed on the console UART (call once the firmware exists). */
  consoleInput(receive: (bytes: Uint8Array) => void): void;
}

/** The gate number from mc/config: a positive integer (mcconfig passes command-line values as strings). */
export function configuredGateId(value: unknown): number {
  const id = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw new OptgateError("E_BOARD_GATE_ID", `The board manifest's config.gateId must be a gate number from 1 to 65535, not ${String(value)}; set it for this gate and rebuild.`);
  }
  return id;
}

/** The eFuse key root, if this chip has one burned (one probe at boot; see docs/secrets.md). */
export function hmacKeyRoot(hmac: (label: ArrayBuffer) => ArrayBuffer, log: (line: string) => void): Board["keyRoot"] {
  const derive = (label: string) => {
    const bytes = new Uint8Array(label.length);
    for (let i = 0; i < label.length; i++) bytes[i] = label.charCodeAt(i) & 0x7f;
    return new Uint8Array(hmac(bytes.buffer));
  };
  try {
    derive("probe");
  } catch {
    log("no key root (eFuse KEY4 not burned for HMAC_UP): keys are kept sealed in the store; provision it before first use (docs/secrets.md)");
    return undefined;
  }
  return { derive };
}

export function createDeviceBoard(): DeviceBoard {
  const log = (line: string) => trace(`${line}\n`);
  const uart = new UartConsole(log);
  const keyRoot = hmacKeyRoot(derive, log);
  const face = openBoardFaceModel(log);
  // The typings' options name host and address as alternatives; the hub link gives exactly one.
  const tcp = resolvingTcp(TCP as unknown as TcpClass, (name, callback) => Net.resolve(name, callback));
  return {
    ...(keyRoot ? { keyRoot } : {}),
    name: String(config.board),
    gateId: configuredGateId(config.gateId),
    log,
    clock: { now: () => Date.now() },
    ticks: monotonicTicks(() => Time.ticks),
    setClock: (time) => Time.set(Math.floor(time / 1000)),
    random: new EntropyPool({ sample: mathRandomSample }),
    flash: new FlashPartition({ partition: "storage" }),
    device: openGateDevice().device,
    embedder: face.embedder,
    ...(face.thresholds ? { faceThresholds: face.thresholds } : {}),
    matcher: new NativeMatcher(BOARD_EMBEDDING_DIMENSION, DEVICE_GALLERY_CAPACITY),
    console: uart,
    consoleInput: (receive) => uart.route(receive),
    tcp,
    tls: (spec) => tlsSocketClass({ tcp, ...spec }),
    network: new WifiStation({ wifi: WiFi, address: () => Net.get("IP"), timer: Timer, log }),
    nvs: {
      get: (key) => {
        const value = Preference.get(NVS_DOMAIN, key);
        return typeof value === "number" ? value : undefined;
      },
      set: (key, value) => Preference.set(NVS_DOMAIN, key, value),
    },
  };
}

/** The NVS domain (namespace) of the firmware's numbers. */
const NVS_DOMAIN = "optgate";

/**
 * The console UART, opened now or, while something else holds UART0 (in debug
 * builds xsbug's probe listens there for two seconds after boot), as soon as
 * it is free. Output written before it opens is kept by a SerialConsole made
 * then; until then writes are dropped, since nobody can be reading yet.
 */
class UartConsole implements ConsolePort {
  #serial: SerialConsole | undefined;
  #receive: ((bytes: Uint8Array) => void) | undefined;
  #failed = false;
  readonly #log: (line: string) => void;

  constructor(log: (line: string) => void) {
    this.#log = log;
    if (!this.#open()) {
      const retry = Timer.repeat(() => {
        if (this.#open()) Timer.clear(retry);
      }, CONSOLE_RETRY_MS);
    }
  }

  write(data: Uint8Array | string): void {
    this.#serial?.write(data);
  }

  route(receive: (bytes: Uint8Array) => void): void {
    this.#receive = receive;
    if (this.#serial) this.#serial.onReceive = receive;
  }

  #open(): boolean {
    try {
      this.#serial = new SerialConsole({ serial: device.serial.console, onReceive: this.#receive });
      return true;
    } catch (error) {
      if (!this.#failed) this.#log(`console: UART${String(device.serial.console.port)} not available yet (${error instanceof Error ? error.message : String(error)}); retrying`);
      this.#failed = true;
      return false;
    }
  }
}
