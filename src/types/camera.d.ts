// Moddable's `embedded:io/image/in/camera` (modules/io/imagein/camera in the
// SDK) ships no typings in @moddable/typings; these declare the part optgate
// uses. imageType is a Commodetto pixel format (Bitmap.Gray256 = 4,
// Bitmap.RGB565LE = 7) or "jpeg".
declare module "embedded:io/image/in/camera" {
  export type CameraFrame = ArrayBuffer & { close(): void };

  export interface CameraOptions {
    width: number;
    height: number;
    imageType: number | "jpeg";
    /** "buffer": read() fills the caller's buffer; "buffer/disposable": read() returns a frame to close(). */
    format: "buffer" | "buffer/disposable";
    onReadable?: (this: Camera, count: number) => void;
    target?: unknown;
  }

  export default class Camera {
    constructor(options: CameraOptions);
    read(buffer?: ArrayBuffer | ArrayBufferView): CameraFrame | number | undefined;
    start(): void;
    stop(): void;
    close(): void;
    readonly width: number;
    readonly height: number;
    readonly imageType: number;
    readonly format: string;
  }
}
