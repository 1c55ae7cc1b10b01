// Camera adapter implementing the core's Camera port over Moddable's
// `embedded:io/image/in/camera`. The camera supply (or PWDN) switch and the
// privacy indicator LED are switched together, in the order that keeps the
// LED truthful: LED on before power, power off before LED. The camera IO is
// opened only while powered and closed on powerOff, so a closed adapter cannot
// capture. Frames are read straight into the caller's Frame.data, the one
// buffer allocated once for the whole session (no per-frame allocation); a
// "buffer/disposable" frame, if an IO returns one, is copied and closed at once.
//
// Options:
// - camera: IO descriptor {io: Camera, ...} (extra options go to the IO) [REQUIRED]
// - power: IO descriptor of the supply/PWDN switch {io, pin, activeLevel?} [REQUIRED]
// - indicator: IO descriptor of the privacy LED {io, pin, activeLevel?} [REQUIRED]
// - width, height [REQUIRED], format "gray8" | "rgb565" [OPTIONAL, default gray8]
import type { Camera as CameraPort, CaptureOutcome, Frame } from "../core/ports";
import { Switch, type SwitchSpec } from "./outputs";

/** Commodetto pixel formats (Bitmap.Gray256, Bitmap.RGB565LE). */
const IMAGE_TYPE = { gray8: 4, rgb565: 7 } as const;

export interface CameraIoInstance {
  read(buffer?: ArrayBuffer | ArrayBufferView): unknown;
  start?(): void;
  stop?(): void;
  close(): void;
}

export interface CameraSpec {
  io: new (options: any) => CameraIoInstance;
  [option: string]: unknown;
}

export interface GateCameraOptions {
  camera: CameraSpec;
  power: SwitchSpec;
  indicator: SwitchSpec;
  width: number;
  height: number;
  format?: "gray8" | "rgb565";
}

export class GateCamera implements CameraPort {
  readonly #spec: CameraSpec;
  readonly #power: Switch;
  readonly #led: Switch;
  readonly width: number;
  readonly height: number;
  readonly format: "gray8" | "rgb565";
  /** Bytes of one frame. */
  readonly frameBytes: number;
  #io: CameraIoInstance | undefined;
  #closed = false;
  /** Failures to open the camera IO, for diagnostics. */
  openFailures = 0;

  constructor(options: GateCameraOptions) {
    this.#spec = options.camera;
    this.width = options.width;
    this.height = options.height;
    this.format = options.format ?? "gray8";
    this.frameBytes = this.width * this.height * (this.format === "rgb565" ? 2 : 1);
    this.#led = new Switch(options.indicator);
    this.#power = new Switch(options.power);
  }

  get powered(): boolean {
    return this.#io !== undefined;
  }

  /** True while the privacy LED is lit (always equal to `powered` from outside). */
  get indicatorOn(): boolean {
    return this.#led.on;
  }

  powerOn(): void {
    if (this.#closed || this.#io) return;
    this.#led.set(true);
    this.#power.set(true);
    try {
      const io = new this.#spec.io({
        width: this.width,
        height: this.height,
        imageType: IMAGE_TYPE[this.format],
        format: "buffer",
        ...this.#spec,
      });
      io.start?.();
      this.#io = io;
    } catch {
      // A camera that does not open stays off; the face session sees powered === false.
      this.openFailures++;
      this.#power.set(false);
      this.#led.set(false);
    }
  }

  powerOff(): void {
    const io = this.#io;
    this.#io = undefined;
    if (io) {
      try {
        io.stop?.();
        io.close();
      } catch {
        // power goes off regardless
      }
    }
    this.#power.set(false);
    this.#led.set(false);
  }

  capture(into: Frame): CaptureOutcome {
    const io = this.#io;
    if (!io) return "error";
    if (into.width !== this.width || into.height !== this.height || into.format !== this.format || into.data.length < this.frameBytes) return "error";
    try {
      const result = io.read(into.data);
      if (typeof result === "number") return result >= this.frameBytes ? "ok" : "no-frame";
      if (result && typeof result === "object" && "byteLength" in result) {
        const frame = result as ArrayBuffer & { close?: () => void };
        const ok = frame.byteLength >= this.frameBytes;
        if (ok) into.data.set(new Uint8Array(frame, 0, this.frameBytes));
        frame.close?.();
        return ok ? "ok" : "no-frame";
      }
      return "no-frame";
    } catch {
      return "error";
    }
  }

  /** Power off and release the pins. Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.powerOff();
    this.#closed = true;
    this.#power.close();
    this.#led.close();
  }
}
