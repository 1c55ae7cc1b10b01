// The gate's TLS link for real: src/app/tls-socket.ts over Moddable's own TLS
// (ssl/session, modules/crypt/tls_419.json) and lin's embedded:io/socket/tcp,
// built by the real Moddable SDK for lin and run under mcsim, with the MQTT
// client and TcpMqttLink on top (test/moddable/tls-app/main.js), against Node
// servers started here with a PKI openssl makes now (no key is committed).
// The handshake, CONNECT/CONNACK and a QoS 1 PUBLISH over TLS; refused: a
// certificate from another CA, the right name signed by a same-named CA (with
// the real CA sent after it), a wrong host name, an expired certificate by a
// trusted clock, a plain MQTT broker, a TLS alert in place of the handshake.
// Runs where $MODDABLE names a built SDK.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { buildLin, moddableSdk, runUnderMcsim } from "../../tools/moddable/sdk";
import { repoRoot } from "../../tools/xs/bundle";
import { TestPki, type Issued } from "../support/test-pki";

/** The modules the test app reaches (what esbuild finds from tls-app/main.js), by the specifiers the firmware uses. */
const APP_MODULES = [
  "src/app/tls-socket", "src/app/mqtt-tcp-link",
  "src/core/errors", "src/core/crypto", "src/core/net-address", "src/core/console/utf8-decode",
  "src/core/tls/der", "src/core/tls/x509", "src/core/tls/broker-check", "src/core/tls/ca-certificate",
  "src/core/mqtt/client", "src/core/mqtt/decode", "src/core/mqtt/encode", "src/core/mqtt/faults", "src/core/mqtt/inbound",
  "src/core/mqtt/outbound", "src/core/mqtt/packets", "src/core/mqtt/stream-decoder", "src/core/mqtt/topic", "src/core/mqtt/utf8",
];

interface Broker {
  port: number;
  /** What arrived on the wire, before any decryption. */
  wire: Buffer[];
  /** MQTT packets received (decrypted for TLS servers): first byte and the whole packet. */
  packets: Buffer[];
  /** The cipher suites the TLS server negotiated, one per connection. */
  ciphers?: string[];
  close(): void;
}

/** QoS 0 messages each TLS broker sends right after its CONNACK. */
const BURST = 40;

/** Answers CONNECT with CONNACK and BURST messages, and a QoS 1 PUBLISH with PUBACK. */
function mqttResponder(socket: net.Socket | tls.TLSSocket, packets: Buffer[]): void {
  let pending = Buffer.alloc(0);
  socket.on("data", (data: Buffer) => {
    pending = Buffer.concat([pending, data]);
    while (pending.length >= 2) {
      let length = 0, mult = 1, at = 1;
      for (; at < 5 && at < pending.length; at++) {
        length += (pending[at] & 0x7f) * mult;
        mult *= 128;
        if (!(pending[at] & 0x80)) break;
      }
      const total = at + 1 + length;
      if (pending.length < total) return;
      const packet = pending.subarray(0, total);
      pending = pending.subarray(total);
      packets.push(Buffer.from(packet));
      const type = packet[0] >> 4;
      if (type === 1) {
        socket.write(Buffer.from([0x20, 2, 0, 0]));
        // A burst of QoS 0 PUBLISHes, one TLS record each, arriving together: the gate must read them all.
        for (let i = 0; i < BURST; i++) socket.write(Buffer.from([0x30, 2 + 5 + 1, 0, 5, ...Buffer.from("burst"), i]));
      }
      if (type === 3 && (packet[0] & 0x06) === 2) {
        const topicLength = packet.readUInt16BE(at + 1);
        const id = packet.subarray(at + 3 + topicLength, at + 5 + topicLength);
        socket.write(Buffer.concat([Buffer.from([0x40, 2]), id]));
      }
    }
  });
  socket.on("error", () => {});
}

function listen(server: net.Server, wire: Buffer[], packets: Buffer[]): Promise<Broker> {
  server.on("connection", (socket: net.Socket) => socket.on("data", (d: Buffer) => wire.push(Buffer.from(d))));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    resolve({ port: (server.address() as net.AddressInfo).port, wire, packets, close: () => server.close() });
  }));
}

/** A TLS broker behind a TCP relay that records the bytes on the wire toward it (what an eavesdropper sees). */
async function tlsBroker(certPem: string, keyPem: string, ciphers: string | undefined = "ECDHE-RSA-AES128-GCM-SHA256"): Promise<Broker> {
  const wire: Buffer[] = [], packets: Buffer[] = [], negotiated: string[] = [];
  // By default TLS 1.2 with a forward-secret suite only, as docs/hub.md has Mosquitto configured.
  const server = tls.createServer({ cert: certPem, key: keyPem, minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ...(ciphers ? { ciphers } : {}) }, (s) => {
    negotiated.push(s.getCipher().name);
    mqttResponder(s, packets);
  });
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relay = net.createServer((inbound) => {
    const outbound = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    inbound.on("data", (d: Buffer) => { wire.push(Buffer.from(d)); outbound.write(d); });
    outbound.on("data", (d: Buffer) => inbound.write(d));
    for (const s of [inbound, outbound]) s.on("error", () => { inbound.destroy(); outbound.destroy(); });
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  const broker = await listen(relay, [], packets);
  return { ...broker, wire, ciphers: negotiated, close: () => { relay.close(); server.close(); } };
}

/** A broker without TLS, answering whatever arrives as if it were CONNECT. */
function plainBroker(): Promise<Broker> {
  const wire: Buffer[] = [], packets: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on("data", () => s.write(Buffer.from([0x20, 2, 0, 0])));
    s.on("error", () => {});
  });
  return listen(server, wire, packets);
}

/** Answers the ClientHello with a fatal handshake_failure alert record. */
function alertServer(): Promise<Broker> {
  const wire: Buffer[] = [], packets: Buffer[] = [];
  const server = net.createServer((s) => {
    s.once("data", () => s.write(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])));
    s.on("error", () => {});
  });
  return listen(server, wire, packets);
}

describe("the gate's TLS link in a Moddable lin build (ssl/session) against Node TLS servers", function () {
  this.timeout(900_000);
  const pki = new TestPki();
  const brokers: Broker[] = [];
  const results = new Map<string, string>();
  let good: Broker, openSslDefaults: Broker, forgedBroker: Broker, plain: Broker, alert: Broker;
  let ca: Issued;

  before(async function () {
    const sdk = moddableSdk();
    if (!sdk) this.skip();
    ca = pki.ca("site-ca", "/CN=optgate site CA");
    pki.ca("twin-ca", "/CN=optgate site CA");
    const other = pki.ca("other-ca", "/CN=another CA");
    const hub = pki.leaf("hub", "site-ca", ["DNS:hub.example.org"]);
    const forged = pki.leaf("forged", "twin-ca", ["DNS:hub.example.org"]);
    good = await tlsBroker(hub.certPem, hub.keyPem);
    openSslDefaults = await tlsBroker(hub.certPem, hub.keyPem, undefined);
    forgedBroker = await tlsBroker(forged.certPem + ca.certPem, forged.keyPem);
    plain = await plainBroker();
    alert = await alertServer();
    brokers.push(good, openSslDefaults, forgedBroker, plain, alert);
    const b64 = (der: Uint8Array) => Buffer.from(der).toString("base64");
    const scenarios = [
      { name: "good", host: "hub.example.org", port: good.port, ca: b64(ca.der) },
      { name: "good-trusted-clock", host: "hub.example.org", port: good.port, ca: b64(ca.der), now: Date.now() },
      { name: "openssl-default-ciphers", host: "hub.example.org", port: openSslDefaults.port, ca: b64(ca.der) },
      { name: "wrong-ca", host: "hub.example.org", port: good.port, ca: b64(other.der) },
      { name: "forged", host: "hub.example.org", port: forgedBroker.port, ca: b64(ca.der) },
      { name: "wrong-host", host: "evil.example.org", port: good.port, ca: b64(ca.der) },
      { name: "expired", host: "hub.example.org", port: good.port, ca: b64(ca.der), now: Date.UTC(2200, 0, 1) },
      { name: "plain", host: "hub.example.org", port: plain.port, ca: b64(ca.der) },
      { name: "alert", host: "hub.example.org", port: alert.port, ca: b64(ca.der) },
    ];
    const app = path.join(repoRoot, "build/moddable/tls-lin/app");
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, "config.js"), `export default ${JSON.stringify({ burst: BURST, scenarios })};\n`);
    const root = JSON.parse((await import("node:fs")).readFileSync(path.join(repoRoot, "manifest.json"), "utf8")) as { modules: Record<string, string | string[]> };
    const abs = (p: string) => path.join(repoRoot, p);
    const modules: Record<string, string | string[]> = { "*": abs("test/moddable/tls-app/main"), "tls-test-config": "./config" };
    for (const m of APP_MODULES) modules[m] = abs(m);
    for (const key of Object.keys(root.modules).filter((k) => k.startsWith("@noble/"))) {
      modules[key] = ([] as string[]).concat(root.modules[key]).map((p) => abs(p));
    }
    writeFileSync(path.join(app, "manifest.json"), JSON.stringify({
      include: ["$(MODDABLE)/examples/manifest_base.json", "$(MODDABLE)/modules/io/manifest.json", "$(MODDABLE)/modules/crypt/tls_419.json"],
      creation: { main: "main", stack: 2048, chunk: { initial: 196608, incremental: 65536 }, heap: { initial: 8192, incremental: 1024 } },
      typescript: { tsconfig: { compilerOptions: { target: "es2022", lib: ["es2022"], strict: true, skipLibCheck: true, types: [abs("src/types/moddable-tls")] } } },
      modules,
    }, null, 2));
    const mcSo = await buildLin(sdk, app, path.join(repoRoot, "build/moddable/tls-lin/out"));
    const logs = await runUnderMcsim(sdk, mcSo, (lines) => lines.join("").includes("TLS-TEST DONE"), 240_000);
    const text = logs.join("");
    for (const m of text.matchAll(/TLS-TEST (\S+) ?(.*)\n/g)) results.set(m[1], m[2]);
    if (!results.has("DONE")) throw new Error(`the app did not finish:\n${text}`);
    results.set("ciphers", `forward-secret only: ${good.ciphers?.join(", ")}; OpenSSL's defaults: ${openSslDefaults.ciphers?.join(", ")}`);
    process.stdout.write(`      ${[...results].filter(([k]) => k !== "DONE").map(([k, v]) => `${k}: ${v}`).join("\n      ")}\n`);
  });
  after(() => {
    for (const b of brokers) b.close();
    pki.dispose();
  });

  it("connects: TLS 1.2 handshake, CONNECT with the gate's credential, CONNACK, 40 records in a burst all read, a QoS 1 PUBLISH acknowledged", () => {
    assert.match(results.get("good") ?? "", /^connected /);
    assert.match(results.get("good-trusted-clock") ?? "", /^connected /);
    assert.match(results.get("openssl-default-ciphers") ?? "", /^connected /);
    assert.ok(good.ciphers?.length && good.ciphers.every((c) => c === "ECDHE-RSA-AES128-GCM-SHA256"), "ECDHE with AES-GCM, as docs/hub.md configures Mosquitto");
    const connect = good.packets.find((p) => p[0] === 0x10);
    assert.ok(connect && connect.includes(Buffer.from("gate-7-1")) && connect.includes(Buffer.from("pw-secret")), "CONNECT with user and password, decrypted by the server");
    assert.ok(good.packets.some((p) => p[0] >> 4 === 3 && p.includes(Buffer.from("optgate/7/1/test"))), "the PUBLISH arrived");
    const wire = Buffer.concat(good.wire);
    assert.equal(wire[0], 0x16, "the first byte on the wire is a TLS handshake record");
    assert.equal(wire.includes(Buffer.from("pw-secret")), false, "the password is not on the wire in clear");
    assert.equal(wire.includes(Buffer.from("gate-7-1")), false, "nor the user name");
  });

  it("refuses a certificate from another CA, and the right name signed by a same-named CA sent with the real CA", () => {
    assert.match(results.get("wrong-ca") ?? "", /^refused the broker's certificate is not issued by the CA set with hub ca /);
    assert.match(results.get("forged") ?? "", /^refused the broker's certificate is not signed by the CA set with hub ca /);
    assert.equal(forgedBroker.packets.length, 0, "no MQTT packet reached the forging server");
  });

  it("refuses a certificate for another host name, and an expired one by a trusted clock", () => {
    assert.match(results.get("wrong-host") ?? "", /^refused the broker's certificate does not name evil\.example\.org /);
    assert.match(results.get("expired") ?? "", /^refused the broker's certificate expired on /);
  });

  it("never talks MQTT in clear: a plain broker and a TLS alert both refuse the link, and neither sees the credential", () => {
    assert.match(results.get("plain") ?? "", /^refused the broker did not answer in TLS \(a plain MQTT port\?\) /);
    assert.match(results.get("alert") ?? "", /^refused the TLS handshake failed \(alert: 2, 40\) /);
    for (const b of [plain, alert]) {
      const wire = Buffer.concat(b.wire);
      assert.equal(wire[0], 0x16, "a ClientHello, not CONNECT");
      assert.equal(wire.includes(Buffer.from("pw-secret")), false);
      assert.equal(wire.includes(Buffer.from("gate-7-1")), false);
    }
  });
});
