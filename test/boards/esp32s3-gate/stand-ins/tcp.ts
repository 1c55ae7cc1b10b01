// embedded:io/socket/tcp as Moddable's ESP32 build takes it: a dotted address only ("invalid address" otherwise, as lwip/tcp.c).
// There is no broker in this rig: the sockets opened are recorded, and nothing answers.
import { world } from "./rig";
export default class TCP {
  constructor(options: { address?: string; port: number }) {
    if (typeof options.address !== "string" || !/^\d{1,3}(\.\d{1,3}){3}$/.test(options.address)) throw new Error("invalid address");
    world.tcpOpens.push(`${options.address}:${options.port}`);
  }
  read(): ArrayBuffer {
    return new ArrayBuffer(0);
  }
  write(): void {}
  close(): void {}
}
