// The byte link to a gate's console: a serial port (USB-UART or USB-CDC on a
// real board), a PTY path (the simulator; opened like a serial port, raw, the
// way picocom does), or TCP (a console bridged to a socket, e.g. QEMU's
// -serial tcp:).
import net from "node:net";
import { SerialPort } from "serialport";

export interface Link {
  write(data: string | Uint8Array): void;
  onData(listener: (chunk: Buffer) => void): void;
  close(): Promise<void>;
}

export interface LinkOptions {
  /** Serial device or PTY path. */
  port?: string;
  baud?: number;
  /** host:port */
  tcp?: string;
}

export async function openLink(options: LinkOptions): Promise<Link> {
  if (options.tcp) return openTcp(options.tcp);
  if (options.port) return openSerial(options.port, options.baud ?? 115200);
  throw new Error("Say where the gate is: --port /dev/ttyUSB0 (or a simulator PTY such as /dev/pts/3) or --tcp host:port.");
}

function openSerial(path: string, baudRate: number): Promise<Link> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    port.open((error) => {
      if (error) return reject(new Error(`Cannot open ${path}: ${error.message}`));
      resolve({
        write: (data) => { port.write(typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data)); },
        onData: (listener) => { port.on("data", listener); },
        // Drain first: closing with a write still queued (what was typed just
        // before Ctrl-]) let the binding retry it on a closed descriptor (EBADF,
        // uncaught). A port that fails while closing is closed all the same.
        close: () => new Promise((done) => {
          if (!port.isOpen) return done();
          port.on("error", () => undefined);
          port.drain(() => port.close(() => done()));
        }),
      });
    });
  });
}

function openTcp(target: string): Promise<Link> {
  const match = /^(.*):(\d{1,5})$/.exec(target);
  if (!match) return Promise.reject(new Error(`--tcp wants host:port, not ${target}`));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: match[1] || "127.0.0.1", port: Number(match[2]) });
    socket.once("error", (error) => reject(new Error(`Cannot connect to ${target}: ${error.message}`)));
    socket.once("connect", () => resolve({
      write: (data) => { socket.write(data); },
      onData: (listener) => { socket.on("data", listener); },
      close: () => new Promise((done) => { socket.end(() => done()); socket.destroy(); }),
    }));
  });
}
