// The host board: a gate board made of chip models, inside XS. The firmware
// gets the same kind of IO descriptors as on the ESP32-S3 (host classes from
// boards/host/io over GPIO/SPI/MFRC522/keypad models); the simulator acts on
// the models only (a card enters the reader's field, a key closes a contact,
// the door contact changes level) and reads the pins back for its screen.
import { createHostHardware, type HostHardware } from "./io/index";
import { Mfrc522Model } from "../../test/models/mfrc522";
import { VirtualCard } from "../../test/models/iso14443a-card";
import { KeypadMatrix, LAYOUT_4X4 } from "../../test/models/keypad-matrix";
import type { Board, GateDevice } from "../../src/app/board";
import { hmacSha256, sha256, utf8 } from "../../src/core/crypto";
import type { Frame, Random } from "../../src/core/ports";
import type { FrameSource } from "./io/camera";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import { SyntheticEmbedder, writeSyntheticFrame } from "./synthetic-embedder";
import { flashErase, flashRead, flashWrite, photoFrame } from "./link";
import { LinkedEmbedder } from "./linked-embedder";
import { UnavailableEmbedder } from "../../src/app/unavailable-embedder";
import type { Flash } from "../../src/core/store/flash";
import type { FaceKind, HostEmbedderSpec, HostEvent } from "./protocol";
import { timerNow } from "./timer";
import { Pcf8563Model } from "../../test/models/pcf8563";
import { PCF8563_ADDRESS } from "../../src/drivers/pcf8563";
import { HostTcpNetwork } from "./tcp";

/** Pin numbers of the host board (any free numbers: the models only need them distinct). */
export const HOST_PINS = {
  spi: { clock: 12, miso: 13, mosi: 11, port: 2 },
  rfidSelect: 10,
  rfidReset: 9,
  keypadRows: [4, 5, 6, 7],
  keypadColumns: [15, 16, 17, 18],
  relay: 21,
  door: 38,
  exit: 39,
  ledGreen: 40,
  ledRed: 41,
  buzzer: 42,
  cameraPower: 47,
  cameraLed: 48,
  i2c: { data: 1, clock: 2 },
} as const;

/** Frames the host camera delivers: small, since the synthetic model reads only a header. */
export const HOST_FRAME = { width: 32, height: 32, format: "gray8" } as const;

/** The embedding size the host face model produces (ESP-DL's is 512; 128 keeps XS fast). */
export const HOST_EMBEDDING_DIMENSION = 128;
export const HOST_GALLERY_CAPACITY = 64;

/** The store's flash partition, one synchronous round trip to the Node side per operation. */
export class LinkedFlash implements Flash {
  readonly size: number;
  readonly sectorSize: number;

  constructor(size: number, sectorSize: number) {
    this.size = size;
    this.sectorSize = sectorSize;
  }

  read(offset: number, length: number): Uint8Array {
    return flashRead(offset, length);
  }

  write(offset: number, bytes: Uint8Array): void {
    flashWrite(offset, bytes);
  }

  erase(sector: number): void {
    flashErase(sector);
  }
}

/** SHA-256 in counter mode over a seed from the Node side: the host stand-in for the S3's hardware RNG. */
export class SeededRandom implements Random {
  #seed: Uint8Array;
  #counter = 0;

  constructor(seed: Uint8Array) {
    this.#seed = seed.slice();
  }

  fill(bytes: Uint8Array): void {
    const block = new Uint8Array(this.#seed.length + 4);
    block.set(this.#seed);
    for (let offset = 0; offset < bytes.length; offset += 32) {
      new DataView(block.buffer).setUint32(this.#seed.length, this.#counter++);
      const out = sha256(block);
      bytes.set(out.subarray(0, Math.min(32, bytes.length - offset)), offset);
    }
  }
}

/**
 * What stands in front of the host board's camera: a synthetic person
 * (rendered as synthetic frames, see synthetic-embedder.ts), a photo (its
 * pixels stay on the Node side, which renders each frame on request: link.ts
 * 'C'), or nobody. An empty scene is a blank wall: mid-grey for a real face
 * model, a synthetic "no face" frame for the synthetic one. A broken camera's
 * IO fails every read, as a sensor with a loose ribbon cable does.
 */
export class CameraScene {
  scene: { kind: FaceKind; identity: number } | { kind: "photo"; label: string } | undefined;
  broken = false;
  /** A sensor that delivers no frame (a stalled stream): a face session waits to its time-out. */
  stalled = false;
  /** True when the board runs a real face model (frames are pictures, not synthetic headers). */
  realModel = false;

  readonly source: FrameSource = (into, width, height, format, index) => {
    if (this.broken) throw new Error("camera sensor does not answer");
    if (this.stalled) return false;
    const frame: Frame = { width, height, format: format === "rgb565" ? "rgb565" : "gray8", data: into };
    const scene = this.scene;
    if (scene?.kind === "photo" && photoFrame(into.subarray(0, width * height * (format === "rgb565" ? 2 : 1)), width, height, frame.format)) return true;
    if (!scene || scene.kind === "no-face" || scene.kind === "photo") {
      if (this.realModel) blankFrame(frame);
      else writeSyntheticFrame(frame, "no-face", 0, index);
    } else {
      writeSyntheticFrame(frame, scene.kind === "low-quality" ? "low-quality" : "face", scene.identity, index);
    }
    return true;
  };
}

/** A plain mid-grey frame (RGB565 0x8410, little-endian). */
function blankFrame(frame: Frame): void {
  const d = frame.data;
  if (frame.format === "gray8") {
    d.fill(0x80);
    return;
  }
  for (let i = 0; i + 1 < d.length; i += 2) {
    d[i] = 0x10;
    d[i + 1] = 0x84;
  }
}

export interface HostBoardOptions {
  flash: { size: number; sectorSize: number };
  /** The gate's id in its compound (default 1; a fleet of simulated gates gives each its own). */
  gateId?: number;
  seed: Uint8Array;
  events: HostEvent[];
  /** The board's PCF8563 as a power cut left it (battery, time, VL); a new chip (VL set) by default. */
  rtc?: Pcf8563Model;
  /** The MCU's clock restarts at 1970 (as the ESP32-S3's does after power loss); by default it keeps the host's time. */
  clockLost?: boolean;
  /**
   * The board's key root secret (the simulator keeps it in a key file next to
   * the flash image): the host's stand-in for the S3's eFuse key behind the
   * HMAC peripheral. Without it the board has no key root.
   */
  keyRoot?: Uint8Array;
  /** A real face model on the Node side (linked-embedder.ts), or one that failed to load (its reason); the synthetic embedder by default. */
  embedder?: HostEmbedderSpec;
}

export class HostBoard {
  readonly hw: HostHardware;
  readonly reader: Mfrc522Model;
  readonly keypad: KeypadMatrix;
  readonly camera = new CameraScene();
  /** Battery-backed clock on the I2C bus at 0x51, following the host's time while it has power. */
  readonly rtc: Pcf8563Model;
  /** The board's NVS (numbers outside the gate's store), for this session. */
  readonly nvs = new Map<string, number>();
  readonly board: Board;
  /** The board's TCP sockets, relayed to real connections by the Node side (tools/sim/tcp-relay.ts). */
  readonly network: HostTcpNetwork;
  #card: VirtualCard | undefined;
  #events: HostEvent[];
  /** Wall clock minus the monotonic timer clock: what a technician's "clock set" changes. */
  #clockOffset = 0;

  constructor(options: HostBoardOptions) {
    this.#events = options.events;
    this.network = new HostTcpNetwork((event) => this.#events.push(event));
    this.hw = createHostHardware({ frames: this.camera.source });
    this.hw.clock.now = timerNow();
    const { gpio, io } = this.hw;
    this.reader = new Mfrc522Model({ clock: this.hw.clock, gpio, selectPin: HOST_PINS.rfidSelect, resetPin: HOST_PINS.rfidReset });
    this.hw.spi.attach(HOST_PINS.rfidSelect, this.reader);
    this.rtc = options.rtc ?? new Pcf8563Model(() => timerNow());
    this.hw.i2c.attach(PCF8563_ADDRESS, this.rtc);
    if (options.clockLost) this.#clockOffset = -timerNow();
    this.keypad = new KeypadMatrix({ gpio, clock: this.hw.clock, rows: [...HOST_PINS.keypadRows], columns: [...HOST_PINS.keypadColumns], layout: LAYOUT_4X4 });
    // Door closed (contact to ground), exit button released (pulled up).
    gpio.pin(HOST_PINS.door).drive(0);
    // The camera supply and the strike coil, watched like a logic probe: every
    // change of what the line does is reported (pin set-up at boot is not one).
    const probe = (pinNumber: number, report: (on: boolean) => void) => {
      let on = false;
      gpio.pin(pinNumber).onEdge((level) => {
        if ((level === 1) !== on) report((on = level === 1));
      });
    };
    probe(HOST_PINS.cameraPower, (on) => this.#events.push({ e: "camera", on, time: timerNow() }));
    probe(HOST_PINS.relay, (on) => this.#events.push({ e: "relay", on, time: timerNow() }));
    const pin = (n: number) => ({ io: io.Digital, pin: n });
    const device: GateDevice = {
      rfid: {
        spi: { io: io.SPI, clock: HOST_PINS.spi.clock, in: HOST_PINS.spi.miso, out: HOST_PINS.spi.mosi, port: HOST_PINS.spi.port },
        select: pin(HOST_PINS.rfidSelect),
        reset: pin(HOST_PINS.rfidReset),
      },
      keypad: { rows: HOST_PINS.keypadRows.map(pin), columns: HOST_PINS.keypadColumns.map(pin), keys: LAYOUT_4X4.join("") },
      lock: { relay: pin(HOST_PINS.relay), failMode: "fail-secure" },
      door: { ...pin(HOST_PINS.door), activeLevel: 1 },
      exit: pin(HOST_PINS.exit),
      indicator: { green: pin(HOST_PINS.ledGreen), red: pin(HOST_PINS.ledRed), buzzer: pin(HOST_PINS.buzzer) },
      camera: { camera: { io: io.Camera }, power: pin(HOST_PINS.cameraPower), indicator: pin(HOST_PINS.cameraLed), ...(options.embedder?.frame ?? HOST_FRAME) },
      rtc: { i2c: { io: io.I2C, data: HOST_PINS.i2c.data, clock: HOST_PINS.i2c.clock, address: PCF8563_ADDRESS } },
    };
    const spec = options.embedder;
    const embedder = !spec ? new SyntheticEmbedder({ dimension: HOST_EMBEDDING_DIMENSION }) : spec.unavailable !== undefined ? new UnavailableEmbedder(spec.dimension, spec.unavailable) : new LinkedEmbedder(spec);
    this.camera.realModel = options.embedder !== undefined;
    this.board = {
      name: "host",
      gateId: options.gateId ?? 1,
      log: (line) => this.#events.push({ e: "log", line }),
      clock: { now: () => timerNow() + this.#clockOffset },
      ticks: () => timerNow(),
      setClock: (time) => { this.#clockOffset = time - timerNow(); },
      random: new SeededRandom(options.seed),
      flash: new LinkedFlash(options.flash.size, options.flash.sectorSize),
      device,
      embedder,
      matcher: new TsMatcher(embedder.dimension, HOST_GALLERY_CAPACITY),
      ...(options.embedder ? { faceThresholds: options.embedder.thresholds } : {}),
      console: { write: (data) => this.#events.push({ e: "serial", data: typeof data === "string" ? latin1(utf8Bytes(data)) : latin1(data) }) },
      display: (text) => this.#events.push({ e: "prompt", text }),
      nvs: { get: (key) => this.nvs.get(key), set: (key, value) => { this.nvs.set(key, value); } },
      tcp: this.network.io,
    };
    const root = options.keyRoot?.slice();
    if (root) this.board.keyRoot = { derive: (label) => hmacSha256(root, utf8(label)) };
  }

  /** Models follow the board's clock; called before the firmware's timers run. */
  syncClock(now: number): void {
    if (now > this.hw.clock.now) this.hw.clock.now = now;
  }

  /** A card enters the reader's field (one at a time: the previous one leaves). */
  cardOn(uidHex: string): void {
    this.cardOff();
    const bytes = uidHex.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
    this.#card = new VirtualCard(bytes);
    this.reader.enter(this.#card);
  }

  cardOff(): void {
    if (this.#card) this.reader.leave(this.#card);
    this.#card = undefined;
  }

  get cardInField(): string | undefined {
    if (!this.#card) return undefined;
    let hex = "";
    for (const b of this.#card.uid) hex += (b < 16 ? "0" : "") + b.toString(16);
    return hex;
  }

  pressKey(key: string): void {
    this.keypad.press(key);
  }

  releaseKey(key: string): void {
    this.keypad.release(key);
  }

  /** Door contact: open lifts the reed switch (pin reads 1). */
  setDoor(open: boolean): void {
    this.hw.gpio.pin(HOST_PINS.door).drive(open ? 1 : 0);
  }

  setExitButton(pressed: boolean): void {
    this.hw.gpio.pin(HOST_PINS.exit).drive(pressed ? 0 : undefined);
  }

  level(pin: number): boolean {
    return this.hw.gpio.pin(pin).level === 1;
  }
}

function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Bytes as a string of char codes 0-255 (JSON-safe transport of raw console bytes). */
function latin1(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}
