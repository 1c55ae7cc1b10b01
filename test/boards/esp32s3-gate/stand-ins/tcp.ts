// embedded:io/socket/tcp: there is no broker in this rig; opening a socket fails as lwIP does without a network.
export default class TCP {
  constructor() {
    throw new Error("tcp: no network in this rig");
  }
  read(): ArrayBuffer {
    return new ArrayBuffer(0);
  }
  write(): void {}
  close(): void {}
}
