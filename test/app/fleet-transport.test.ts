// The hub transport on the firmware (src/app/fleet-transport.ts, firmware.ts):
// tls without a CA, or on a board without TLS, never starts the link and
// never opens a plain TCP socket; hub show says why and the refusal is
// audited. With a CA the link opens the board's TLS socket with the CA, the
// hub host and no date check while the clock is untrusted; a refused
// handshake shows in hub show and is audited once per reason. tcp opens the
// board's TCP socket, never TLS. Portable (Node and XS).
import assert from "node:assert/strict";
import type { Board, TlsSocketSpec } from "../../src/app/board";
import type { TcpOptions, TcpSocket } from "../../src/app/mqtt-tcp-link";
import { toHex } from "../../src/core/crypto";
import { caDerFromText } from "../../src/core/tls/ca-certificate";
import { CA_PEM } from "../support/test-ca-certs";
import { blankFlash, boot } from "./boot-rig";

const KEY_A = new Uint8Array(32).map((_, i) => 0xa0 + i);

/** A socket that never connects, counting how often each kind was opened. */
function spySocket(opens: string[], kind: string): new (options: TcpOptions) => TcpSocket {
  return class {
    constructor(options: TcpOptions) { opens.push(`${kind} ${options.host ?? options.address}:${options.port}`); }
    read(): ArrayBuffer { return new ArrayBuffer(0); }
    write(): void {}
    close(): void {}
  };
}

function rig(withTls: boolean, clockLost = false) {
  const opens: string[] = [];
  const specs: TlsSocketSpec[] = [];
  const adapt = (board: Board) => {
    board.tcp = spySocket(opens, "tcp");
    if (withTls) board.tls = (spec) => { specs.push(spec); return spySocket(opens, "tls"); };
    else delete board.tls;
  };
  const gate = boot(blankFlash(), { adapt, clockLost });
  gate.firmware!.addTechnician("tech1", "correct horse 9");
  gate.console("login tech1");
  gate.console("correct horse 9");
  const refusals = () => gate.firmware!.core.audit.entries().filter((e) => e.kind === "sync-refused").map((e) => `${e.decision} ${e.detail}`);
  const pasteCa = () => { gate.console("hub ca"); for (const line of CA_PEM.split("\n")) gate.console(line); };
  return { gate, opens, specs, refusals, pasteCa };
}

describe("hub transport on the firmware", () => {
  it("tls without a CA: the link does not start, no socket is opened, hub show says why, the refusal is audited", () => {
    const { gate, opens, refusals } = rig(true);
    gate.console("hub transport tls");
    gate.console(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    gate.run(3000);
    assert.deepEqual(opens, [], "neither TLS nor a plain TCP fallback");
    assert.match(gate.console("hub show"), /link: +not started: transport tls and no CA: give the CA that signed the broker's certificate \(hub ca\)/);
    assert.deepEqual(refusals(), ["deny transport tls and no CA: give the CA tha"], "hub set starts the link: refused, audited (the detail's first 40 characters)");
  });

  it("tls with a CA on a board without TLS: the link does not start and never falls back to TCP", () => {
    const { gate, opens, refusals, pasteCa } = rig(false);
    gate.console("hub transport tls");
    pasteCa();
    gate.console(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    gate.run(3000);
    assert.deepEqual(opens, []);
    assert.match(gate.console("hub show"), /link: +not started: transport tls and this board has no TLS/);
    assert.ok(refusals().includes("deny transport tls and this board has no TLS"));
  });

  it("tls with a CA: the board's TLS socket with the CA and the host; a refused handshake in hub show, audited once per reason; cleared when secured", () => {
    const { gate, opens, specs, refusals, pasteCa } = rig(true, true);
    gate.console("hub transport tls");
    pasteCa();
    gate.console(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    gate.run(3000);
    assert.ok(opens.length >= 1 && opens.every((o) => o === "tls hub.example.org:8883"), opens.join(", "));
    const spec = specs[specs.length - 1];
    assert.deepEqual(spec.check(), { host: "hub.example.org", ca: caDerFromText(CA_PEM) }, "the clock lost at a power cut is untrusted: no date check");
    const before = refusals().length;
    spec.onRefused("the broker's certificate does not name hub.example.org");
    spec.onRefused("the broker's certificate does not name hub.example.org");
    assert.match(gate.console("hub show"), /link: +.*; refused: the broker's certificate does not name hub\.example\.org/);
    assert.deepEqual(refusals().slice(before), ["deny the broker's certificate does not name h"], "a broker refused again and again is audited once");
    spec.onSecured();
    assert.doesNotMatch(gate.console("hub show"), /refused:/);
  });

  it("tcp: the board's TCP socket, never TLS; then tls with the clock trusted: the certificate's dates are checked by it", () => {
    const { gate, opens, specs, pasteCa } = rig(true);
    gate.console(`hub set hub.example.org 1883 7 ${toHex(KEY_A)}`);
    gate.run(3000);
    assert.ok(opens.length >= 1 && opens.every((o) => o === "tcp hub.example.org:1883"), opens.join(", "));
    assert.equal(specs.length, 0);
    gate.console("hub transport tls");
    pasteCa();
    const now = specs[specs.length - 1].check().now;
    const clock = gate.firmware!.board.clock.now();
    assert.ok(now !== undefined && Math.abs(now - clock) < 60_000, `now ${now}, clock ${clock}`);
  });
});
