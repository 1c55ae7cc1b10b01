// resolvingTcp over a model of Moddable's ESP32 embedded:io/socket/tcp (it
// takes only a dotted `address`: anything else throws "invalid address", as
// lwip/tcp.c does) and of Net.resolve (answers come later, from the event
// loop; undefined for a name that does not resolve).
import assert from "node:assert/strict";
import { resolvingTcp, type TcpOptions } from "../../src/drivers/resolving-tcp";

interface LwipOptions extends TcpOptions {
  onWritable?: (count: number) => void;
  format?: "buffer";
}

class LwipTcpModel {
  static opened: LwipOptions[] = [];
  closed = false;
  written: number[] = [];

  constructor(readonly options: LwipOptions) {
    if (typeof options.address !== "string" || !/^\d{1,3}(\.\d{1,3}){3}$/.test(options.address)) throw new Error("invalid address");
    LwipTcpModel.opened.push(options);
  }

  read(): ArrayBuffer {
    return Uint8Array.of(1, 2, 3).buffer;
  }

  write(bytes: Uint8Array): void {
    this.written.push(...bytes);
  }

  close(): void {
    this.closed = true;
  }
}

/** Net.resolve with a DNS that knows `names`; answers wait in `pending` until `answer()`. */
function dns(names: Record<string, string>) {
  const pending: (() => void)[] = [];
  const asked: string[] = [];
  return {
    asked,
    resolve: (name: string, callback: (name: string, address?: string) => void) => {
      asked.push(name);
      pending.push(() => callback(name, names[name]));
    },
    answer: () => { for (const run of pending.splice(0)) run(); },
  };
}

describe("resolvingTcp (a host name for Moddable's address-only TCP socket)", () => {
  beforeEach(() => { LwipTcpModel.opened = []; });

  it("looks the host name up, then opens the socket at its address with the same callbacks", () => {
    const net = dns({ "hub.example.org": "10.0.0.5" });
    const Tcp = resolvingTcp(LwipTcpModel, net.resolve);
    let writable = 0;
    const socket = new Tcp({ host: "hub.example.org", port: 1883, format: "buffer", onWritable: (n) => { writable = n; } });
    assert.deepEqual(net.asked, ["hub.example.org"]);
    assert.equal(LwipTcpModel.opened.length, 0, "nothing opened before the answer");
    assert.throws(() => socket.write(Uint8Array.of(1)), /not connected/);
    net.answer();
    assert.equal(LwipTcpModel.opened.length, 1);
    const opened = LwipTcpModel.opened[0];
    assert.equal(opened.address, "10.0.0.5");
    assert.equal(opened.port, 1883);
    assert.equal(opened.format, "buffer");
    assert.ok(!("host" in opened), "the address alone goes to the socket");
    opened.onWritable?.(512);
    assert.equal(writable, 512);
    socket.write(Uint8Array.of(7, 8));
    assert.deepEqual(new Uint8Array(socket.read(3) as ArrayBuffer), Uint8Array.of(1, 2, 3));
  });

  it("a name that does not resolve is reported through onError, and nothing is opened", () => {
    const net = dns({});
    const Tcp = resolvingTcp(LwipTcpModel, net.resolve);
    let errors = 0;
    new Tcp({ host: "nowhere.invalid", port: 1883, onError: () => { errors++; } });
    assert.equal(errors, 0, "not inside the constructor");
    net.answer();
    assert.equal(errors, 1);
    assert.equal(LwipTcpModel.opened.length, 0);
  });

  it("a socket closed while its name is looked up is never opened", () => {
    const net = dns({ "hub.example.org": "10.0.0.5" });
    const Tcp = resolvingTcp(LwipTcpModel, net.resolve);
    let errors = 0;
    new Tcp({ host: "hub.example.org", port: 1883, onError: () => { errors++; } }).close();
    net.answer();
    assert.equal(LwipTcpModel.opened.length, 0);
    assert.equal(errors, 0);
  });

  it("a dotted IPv4 host or an address opens at once, without a lookup", () => {
    const net = dns({});
    const Tcp = resolvingTcp(LwipTcpModel, net.resolve);
    new Tcp({ host: "192.168.1.20", port: 1883 });
    const direct = new Tcp({ address: "192.168.1.21", port: 1884 });
    assert.deepEqual(LwipTcpModel.opened.map((o) => `${o.address}:${o.port}`), ["192.168.1.20:1883", "192.168.1.21:1884"]);
    assert.deepEqual(net.asked, []);
    direct.close();
    assert.throws(() => direct.write(Uint8Array.of(1)), /not connected/);
  });

  it("the socket's own refusal stays a throw from the constructor, as the hub link expects", () => {
    const Tcp = resolvingTcp(LwipTcpModel, dns({}).resolve);
    assert.throws(() => new Tcp({ address: "not an address", port: 1883 }), /invalid address/);
  });
});
