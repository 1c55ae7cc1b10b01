// What a board gives the firmware: ports for time, randomness, flash and the
// console link, the face model and matcher, and IO descriptors ({io, pin, ...})
// for every gate peripheral. boards/esp32s3-gate fills this from embedded:io
// and its pin map; boards/host from the chip models.
import type { Flash } from "../core/store/flash";
import type { Clock, ConsolePort, Embedder, Matcher, Random } from "../core/ports";
import type { MatchPolicyCosines } from "../core/matcher/decision";
import type { CameraSpec } from "../drivers/camera";
import type { InputSpec } from "../drivers/debounced-input";
import type { DigitalSpec, SpiSpec } from "../drivers/io";
import type { SwitchSpec } from "../drivers/outputs";
import type { I2cSpec } from "../drivers/pcf8574";
import type { FailMode } from "../drivers/relay";
import type { TcpOptions, TcpSocket } from "./mqtt-tcp-link";
import type { BrokerCheck } from "../core/tls/broker-check";

/** What the firmware gives the board's TLS socket class (src/app/tls-socket.ts TlsSpec without the TCP class). */
export interface TlsSocketSpec {
  /** The CA, the host to expect and the trusted clock, read at each connection. */
  check(): BrokerCheck;
  /** Why a connection was refused (certificate, handshake, a plain broker). */
  onRefused(reason: string): void;
  /** The handshake finished and the certificate passed. */
  onSecured(): void;
  defer(fn: () => void): void;
}

export interface GateDevice {
  rfid: { spi: SpiSpec; select: DigitalSpec; reset?: DigitalSpec };
  keypad: { rows: DigitalSpec[]; columns: DigitalSpec[]; keys?: string };
  /** Door strike (fail-secure) or maglock (fail-safe) relay. */
  lock: { relay: SwitchSpec; failMode: FailMode };
  /** Door contact; active level = door open. */
  door: InputSpec;
  /** Request-to-exit button inside the compound. */
  exit: InputSpec;
  indicator: { green?: SwitchSpec; red?: SwitchSpec; buzzer?: SwitchSpec };
  /** Camera IO, its supply switch and the privacy LED wired to switch with it. */
  camera: { camera: CameraSpec; power: SwitchSpec; indicator: SwitchSpec; width: number; height: number; format?: "gray8" | "rgb565" };
  /** Battery-backed PCF8563 on the I2C bus (0x51); without it the clock is lost with power. */
  rtc?: { i2c: I2cSpec };
}

/** Small numbers by key, kept where a damaged store cannot reach them. */
export interface Nvs {
  get(key: string): number | undefined;
  set(key: string, value: number): void;
}

export interface Board {
  name: string;
  /** This gate's number in the compound (policy, audit, consent scope "gate-<n>"). */
  gateId: number;
  log(line: string): void;
  /** Wall clock (decisions, audit, validity windows); may be set and may jump. */
  clock: Clock;
  /** Monotonic milliseconds for driver timing (Moddable's Time.ticks); never jumps. */
  ticks(): number;
  random: Random;
  flash: Flash;
  device: GateDevice;
  embedder: Embedder;
  /** Match thresholds (cosines) measured for this board's face model; the core's defaults when absent. */
  faceThresholds?: MatchPolicyCosines;
  matcher: Matcher;
  console: ConsolePort;
  /** Where prompts go (display, voice, or the simulator's screen); optional. */
  display?(text: string): void;
  /** Sets the wall clock (RTC / SNTP stand-in); without it the console's clock set refuses. */
  setClock?(time: number): void;
  /**
   * A few numbers kept outside the gate's store (NVS on the device), so they
   * survive whatever damages the store: the restart-loop count
   * (src/app/supervisor.ts) and the store watermarks that show a registry or
   * settings rolled back by damage (src/app/watermarks.ts). Without it
   * neither is checked.
   */
  nvs?: Nvs;
  /**
   * The board's key root: derives the keys the gate's secrets hang from
   * (HMAC-SHA256 over a label). On the ESP32-S3 the HMAC peripheral over an
   * eFuse key software cannot read; on the host a key file (docs/secrets.md).
   * Without it the keys are random and kept sealed in the store.
   */
  keyRoot?: { derive(label: string): Uint8Array };
  /**
   * The socket class the hub link (MQTT over TCP, src/app/mqtt-tcp-link.ts)
   * opens: embedded:io/socket/tcp on the ESP32-S3, a relayed socket on the
   * host board (boards/host/tcp.ts). Without it the gate runs unconnected.
   */
  tcp?: new (options: TcpOptions) => TcpSocket;
  /**
   * Makes the hub link's TLS socket class when the transport is tls (hub
   * transport, hub ca): src/app/tls-socket.ts over Moddable's ssl/session and
   * the board's TCP on the ESP32-S3. Without it a gate set to tls stays off
   * the hub (never falls back to TCP).
   */
  tls?: (spec: TlsSocketSpec) => new (options: TcpOptions) => TcpSocket;
  /** The board's network (Wi-Fi on the ESP32-S3): the firmware hands it the stored Wi-Fi settings at boot and after `wifi set`; undefined settings disconnect. */
  network?: { connect(settings: { ssid: string; password: string } | undefined): void; status(): string };
  /** A clean restart (after a part kept failing); without it the gate goes to safe mode instead. */
  restart?(): void;
}
