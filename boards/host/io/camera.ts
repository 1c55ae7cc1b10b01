// Host provider with the shape of Moddable's `embedded:io/image/in/camera`
// (see src/types/camera.d.ts): frames come from a generator instead of a
// sensor. The source fills the buffer it is given, so nothing is allocated per
// frame and the adapter's single buffer is exercised as on the board.

/** Fills `into` with frame number `index` (width × height pixels in `format`). Return false for "no frame". */
export type FrameSource = (into: Uint8Array, width: number, height: number, format: string, index: number) => boolean;

export interface HostCameraOptions {
  width: number;
  height: number;
  /** Commodetto pixel format: 4 = Gray256, 7 = RGB565LE. */
  imageType: number;
  format: "buffer";
  onReadable?: (this: unknown, count: number) => void;
}

export interface HostCamera {
  readonly width: number;
  readonly height: number;
  read(buffer: ArrayBuffer | ArrayBufferView): number | undefined;
  start(): void;
  stop(): void;
  close(): void;
}

export interface HostCameraClass {
  new (options: HostCameraOptions): HostCamera;
  /** Cameras opened so far and currently open (tests assert power discipline). */
  opened: number;
  open: number;
  /** Frames served so far. */
  frames: number;
  /** Make the next constructor throw (a camera that fails to initialise). */
  failNextOpen: boolean;
}

/** A synthetic face-ish test card: a gradient with a bright ellipse; deterministic per frame index. */
export const gradientFrames: FrameSource = (into, width, height, format, index) => {
  const bpp = format === "rgb565" ? 2 : 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = (x - width / 2) / (width / 4), dy = (y - height / 2) / (height / 3);
      const v = dx * dx + dy * dy < 1 ? 200 : ((x + y + index) * 3) & 0x7f;
      const o = (y * width + x) * bpp;
      into[o] = v;
      if (bpp === 2) into[o + 1] = v;
    }
  }
  return true;
};

export function makeCamera(source: FrameSource = gradientFrames): HostCameraClass {
  return class Camera implements HostCamera {
    static opened = 0;
    static open = 0;
    static frames = 0;
    static failNextOpen = false;
    readonly width: number;
    readonly height: number;
    readonly #format: string;
    #index = 0;
    #closed = false;
    #started = false;

    constructor(options: HostCameraOptions) {
      if (Camera.failNextOpen) {
        Camera.failNextOpen = false;
        throw new Error("camera not found");
      }
      if (!(options.width > 0 && options.height > 0)) throw new RangeError("width and height required");
      if (options.format !== "buffer") throw new RangeError("this host camera serves format \"buffer\"");
      this.width = options.width;
      this.height = options.height;
      this.#format = options.imageType === 7 ? "rgb565" : "gray8";
      Camera.opened++;
      Camera.open++;
    }

    start(): void {
      this.#started = true;
    }

    stop(): void {
      this.#started = false;
    }

    read(buffer: ArrayBuffer | ArrayBufferView): number | undefined {
      if (this.#closed) throw new Error("closed");
      if (!this.#started) return undefined;
      Camera.frames++;
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const size = this.width * this.height * (this.#format === "rgb565" ? 2 : 1);
      if (bytes.length < size) throw new RangeError("buffer too small for a frame");
      return source(bytes, this.width, this.height, this.#format, this.#index++) ? size : undefined;
    }

    close(): void {
      if (this.#closed) return;
      this.#closed = true;
      Camera.open--;
    }
  };
}
