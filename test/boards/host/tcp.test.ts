import assert from "node:assert/strict";
import type { HostEvent } from "../../../boards/host/protocol";
import { HOST_TCP_WINDOW, HostTcpNetwork } from "../../../boards/host/tcp";

describe("host board TCP sockets (ECMA-419 shape over the simulator protocol)", () => {
  function network() {
    const events: HostEvent[] = [];
    return { events, net: new HostTcpNetwork((event) => events.push(event)) };
  }

  it("announces the open, grants the window on connect, and sends written bytes as latin1", () => {
    const { events, net } = network();
    const writable: number[] = [];
    const socket = new net.io({ host: "hub.local", port: 1883, onWritable: (n) => writable.push(n) });
    assert.deepEqual(events, [{ e: "tcp-open", id: 1, host: "hub.local", port: 1883 }]);
    assert.throws(() => socket.write(new Uint8Array([1])), /not connected/);
    net.connected(1);
    assert.deepEqual(writable, [HOST_TCP_WINDOW]);
    socket.write(new Uint8Array([0x00, 0x7f, 0x80, 0xff]));
    assert.deepEqual(events[1], { e: "tcp-write", id: 1, data: "\u0000\u007f\u0080\u00ff" });
    assert.throws(() => socket.write(new Uint8Array(HOST_TCP_WINDOW)), /onWritable/);
    net.written(1, 4);
    assert.deepEqual(writable, [HOST_TCP_WINDOW, HOST_TCP_WINDOW]);
  });

  it("buffers received bytes until read, in order, across chunks", () => {
    const { net } = network();
    const readable: number[] = [];
    const socket = new net.io({ address: "10.0.0.2", port: 1883, onReadable: (n) => readable.push(n) });
    net.connected(1);
    net.data(1, "ab");
    net.data(1, "c\u00ff");
    assert.deepEqual(readable, [2, 4]);
    assert.deepEqual(Array.from(new Uint8Array(socket.read(3))), [0x61, 0x62, 0x63]);
    assert.deepEqual(Array.from(new Uint8Array(socket.read(10))), [0xff]);
    assert.equal(socket.read(10).byteLength, 0);
  });

  it("reports an error once, forgets the socket, and ignores late commands for it", () => {
    const { events, net } = network();
    let errors = 0;
    let readable = 0;
    new net.io({ host: "hub", port: 1883, onError: () => errors++, onReadable: () => readable++ });
    net.error(1);
    net.error(1);
    net.data(1, "late");
    assert.equal(errors, 1);
    assert.equal(readable, 0);
    assert.equal(net.openCount, 0);
    assert.equal(events.filter((e) => e.e === "tcp-close").length, 0);
  });

  it("close() tells the Node side once; a new socket gets a new id", () => {
    const { events, net } = network();
    const first = new net.io({ host: "hub", port: 1883 });
    first.close();
    first.close();
    new net.io({ host: "hub", port: 1883 });
    assert.deepEqual(events.filter((e) => e.e !== "tcp-open"), [{ e: "tcp-close", id: 1 }]);
    assert.deepEqual(events.filter((e) => e.e === "tcp-open").map((e) => (e as { id: number }).id), [1, 2]);
    assert.throws(() => new net.io({ port: 1883 }), /host or address/);
  });
});
