// The production broker set-up, for real: a private Mosquitto started from the
// generated configuration (TLS only, no anonymous clients, one credential and
// ACL per gate). A gate cannot read or write another gate's topics; the hub
// and a gate still converge over it. Skipped with one line without the
// mosquitto, mosquitto_passwd and openssl programs.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { MAX_MESSAGE_BYTES, MAX_PACKET_BYTES } from "../../../src/core/sync/messages";
import { MAX_INFLIGHT, MAX_KEEPALIVE_S, gateUser, mosquittoAcl, mosquittoConf } from "../../../tools/hub/mosquitto";
import { startHubService } from "../../../tools/hub/service";
import { ProtocolGate, connectGate } from "../../../tools/hub/protocol-gate";
import { DATABASES } from "./servers";
import { deviceKey, gateSeed, person, random } from "./fleet";

const missing = ["mosquitto", "mosquitto_passwd", "openssl"].filter((p) => spawnSync(p, ["-h"]).error);
const COMPOUND = 1;

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => { s.destroy(); resolve(true); });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`Mosquitto did not listen on ${port}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("production Mosquitto configuration text", () => {
  const conf = mosquittoConf({ port: 8883, caFile: "/c/ca", certFile: "/c/crt", keyFile: "/c/key", passwordFile: "/c/pw", aclFile: "/c/acl", maxConnections: 200 });
  const lines = conf.split("\n");
  const value = (option: string) => lines.filter((l) => l.startsWith(`${option} `)).map((l) => l.slice(option.length + 1));

  it("bounds packets, keepalives, in-flight and queued messages for 3.1.1 clients", () => {
    assert.deepEqual(value("max_packet_size"), [String(MAX_PACKET_BYTES)]);
    assert.ok(MAX_PACKET_BYTES >= MAX_MESSAGE_BYTES + 5 + 2 + 64 + 2, "room for the largest message, its fixed header, topic and packet id");
    assert.ok(MAX_PACKET_BYTES <= MAX_MESSAGE_BYTES + 1024, "and not much more: the gate's own buffer is this size");
    assert.deepEqual(value("max_keepalive"), [String(MAX_KEEPALIVE_S)]);
    assert.ok(MAX_KEEPALIVE_S >= 60, "the hub's mqtt.js asks 60 s, a gate 30 s");
    assert.deepEqual(value("max_inflight_messages"), [String(MAX_INFLIGHT)]);
    assert.deepEqual(value("max_queued_messages"), ["10000"]);
    assert.deepEqual(value("max_queued_bytes"), [String(1000 * MAX_PACKET_BYTES)]);
    assert.deepEqual(value("allow_zero_length_clientid"), ["false"]);
    assert.deepEqual(value("persistent_client_expiration"), ["30d"]);
    assert.deepEqual(value("allow_anonymous"), ["false"]);
  });

  it("has one TLS listener with its own connection limit, and the global limits before it", () => {
    const listener = lines.findIndex((l) => l.startsWith("listener "));
    assert.deepEqual(lines.filter((l) => l.startsWith("listener ")), ["listener 8883 0.0.0.0"]);
    assert.ok(lines.indexOf(`max_packet_size ${MAX_PACKET_BYTES}`) < listener, "a global option (per_listener_settings false)");
    assert.deepEqual(lines.slice(listener + 1).filter((l) => l).sort(), ["cafile /c/ca", "certfile /c/crt", "ciphers ECDHE-RSA-AES128-GCM-SHA256", "keyfile /c/key", "max_connections 200", "protocol mqtt", "tls_version tlsv1.2"]);
    assert.match(mosquittoConf({ port: 1, caFile: "a", certFile: "b", keyFile: "c", passwordFile: "d", aclFile: "e" }), /^max_connections 1024$/m);
  });
});

describe("production Mosquitto: TLS, one credential and ACL per gate", () => {
  if (missing.length) { it.skip(`skipped: ${missing.join(", ")} not installed`); return; }
  let dir: string, port: number, broker: ChildProcess, ca: Buffer;
  const clients: MqttClient[] = [];
  const passwords: Record<string, string> = { hub: "hub-secret", [gateUser(COMPOUND, 10)]: "pw-10", [gateUser(COMPOUND, 11)]: "pw-11", ha: "pw-ha" };

  const connect = async (user: string | undefined, over: IClientOptions = {}) => {
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
      protocolVersion: 4, ca, username: user, password: user ? passwords[user] : undefined, reconnectPeriod: 0, connectTimeout: 3000, ...over,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "optgate-mosquitto-"));
    writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
    // RSA, as a broker the gates reach must be (Moddable's TLS takes only an RSA server key).
    const rsa = ["-newkey", "rsa:2048", "-nodes"];
    run("openssl", ["req", "-x509", ...rsa, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=optgate test CA"], dir);
    run("openssl", ["req", ...rsa, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"], dir);
    run("openssl", ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext"], dir);
    for (const [user, password] of Object.entries(passwords)) run("mosquitto_passwd", ["-b", ...(user === "hub" ? ["-c"] : []), "passwd", user, password], dir);
    writeFileSync(path.join(dir, "acl"), mosquittoAcl("hub", [{ compound: COMPOUND, gate: 10 }, { compound: COMPOUND, gate: 11 }], { user: "ha" }));
    port = await freePort();
    writeFileSync(path.join(dir, "mosquitto.conf"), mosquittoConf({
      host: "127.0.0.1", port, caFile: path.join(dir, "ca.crt"), certFile: path.join(dir, "server.crt"), keyFile: path.join(dir, "server.key"),
      passwordFile: path.join(dir, "passwd"), aclFile: path.join(dir, "acl"),
    }));
    // Mosquitto started as root drops to its own user: let it read the test's files.
    chmodSync(dir, 0o755);
    for (const f of readdirSync(dir)) chmodSync(path.join(dir, f), 0o644);
    ca = Buffer.from(spawnSync("cat", [path.join(dir, "ca.crt")]).stdout);
    broker = spawn("mosquitto", ["-c", path.join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    await waitForPort(port);
  });

  after(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    if (broker?.pid) broker.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("speaks only the forward-secret suite the gates use", async () => {
    // TLS 1.2, as the gate speaks it (TLS 1.3's suites are all forward-secret).
    const hub = await connect("hub", { maxVersion: "TLSv1.2" } as IClientOptions);
    const socket = (hub as unknown as { stream: import("node:tls").TLSSocket }).stream;
    assert.equal(socket.getCipher().standardName, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    // A client offering only RSA key exchange (what a recorded session could be opened from later) is refused.
    await assert.rejects(connect("hub", { ciphers: "AES128-GCM-SHA256", maxVersion: "TLSv1.2" } as IClientOptions));
  });

  it("refuses anonymous clients, wrong passwords and plain TCP", async () => {
    await assert.rejects(connect(undefined));
    await assert.rejects(connect(gateUser(COMPOUND, 10), { password: "wrong" }));
    await assert.rejects(mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, username: "hub", password: passwords.hub, reconnectPeriod: 0, connectTimeout: 2000 }));
  });

  it("a gate writes only its own gate->hub topics and reads only its own hub->gate topics", async () => {
    const hub = await connect("hub");
    const seen: string[] = [];
    hub.on("message", (t, p) => seen.push(`${t} ${p.toString()}`));
    await hub.subscribeAsync("optgate/#", { qos: 1 });
    const g10 = await connect(gateUser(COMPOUND, 10)), g11 = await connect(gateUser(COMPOUND, 11));
    // Another gate's ack, and a hub->gate topic: both must go nowhere. Then its own ack.
    await g10.publishAsync("optgate/1/11/ack", "forged", { qos: 1 });
    await g10.publishAsync("optgate/1/10/sync", "forged", { qos: 1 });
    await g10.publishAsync("optgate/1/10/ack", "own", { qos: 1 });
    for (let i = 0; i < 100 && !seen.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ["optgate/1/10/ack own"], "the broker delivers in order: nothing forged came before");

    // Mosquitto 2.0 may grant the subscription; read access is checked for every message delivered.
    await g10.subscribeAsync({ "optgate/1/11/sync": { qos: 1 }, "optgate/1/10/sync": { qos: 1 } });
    const got10: string[] = [], got11: string[] = [];
    g10.on("message", (t) => got10.push(t));
    g11.on("message", (t) => got11.push(t));
    await g11.subscribeAsync("optgate/1/11/sync", { qos: 1 });
    await hub.publishAsync("optgate/1/11/sync", "for 11", { qos: 1 });
    await hub.publishAsync("optgate/1/10/sync", "for 10", { qos: 1 });
    for (let i = 0; i < 100 && (!got10.length || !got11.length); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got10, ["optgate/1/10/sync"]);
    assert.deepEqual(got11, ["optgate/1/11/sync"]);
  });

  it("Home Assistant's user reads the hub's discovery and states, and nothing of the fleet; a gate cannot write them", async () => {
    const hub = await connect("hub"), ha = await connect("ha"), g10 = await connect(gateUser(COMPOUND, 10));
    const got: string[] = [];
    ha.on("message", (t, p) => got.push(`${t} ${p.toString()}`));
    await ha.subscribeAsync({ "homeassistant/#": { qos: 1 }, "optgate-ha/#": { qos: 1 }, "optgate/#": { qos: 1 } });
    await g10.publishAsync("optgate-ha/1/10/door", "forged", { qos: 1 });
    await ha.publishAsync("optgate/1/10/sync", "from ha", { qos: 1 });
    await hub.publishAsync("optgate/1/10/sync", "fleet", { qos: 1 });
    await hub.publishAsync("homeassistant/sensor/optgate_1_10/door/config", "config", { qos: 1 });
    await hub.publishAsync("optgate-ha/1/10/door", "normal", { qos: 1 });
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got, ["homeassistant/sensor/optgate_1_10/door/config config", "optgate-ha/1/10/door normal"]);
  });

  it("erasure: a gate reads only its own orders and writes only its own receipts and notices", async () => {
    const hub = await connect("hub");
    const seen: string[] = [];
    hub.on("message", (t, p) => { if (/erase|withdrawn/.test(t)) seen.push(`${t} ${p.toString()}`); });
    await hub.subscribeAsync("optgate/#", { qos: 1 });
    const g10 = await connect(gateUser(COMPOUND, 10));
    await g10.publishAsync("optgate/1/11/erased", "forged", { qos: 1 });
    await g10.publishAsync("optgate/1/11/withdrawn", "forged", { qos: 1 });
    await g10.publishAsync("optgate/1/10/erase", "forged", { qos: 1 });
    await g10.publishAsync("optgate/1/10/withdrawn", "own", { qos: 1 });
    await g10.publishAsync("optgate/1/10/erased", "own", { qos: 1 });
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ["optgate/1/10/withdrawn own", "optgate/1/10/erased own"]);

    const got: string[] = [];
    g10.on("message", (t) => { if (t.endsWith("/erase")) got.push(t); });
    await g10.subscribeAsync({ "optgate/1/11/erase": { qos: 1 }, "optgate/1/10/erase": { qos: 1 } });
    await hub.publishAsync("optgate/1/11/erase", "for 11", { qos: 1 });
    await hub.publishAsync("optgate/1/10/erase", "for 10", { qos: 1 });
    for (let i = 0; i < 100 && !got.length; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // room for a wrongly delivered "for 11" to show up
    assert.deepEqual(got, ["optgate/1/10/erase"]);
  });

  it("takes a gate's largest message, closes the connection of a bigger packet", async () => {
    const hub = await connect("hub");
    const sizes: number[] = [];
    hub.on("message", (t, p) => { if (t === "optgate/1/10/inventory") sizes.push(p.length); });
    await hub.subscribeAsync("optgate/1/10/inventory", { qos: 1 });
    const g10 = await connect(gateUser(COMPOUND, 10));
    await g10.publishAsync("optgate/1/10/inventory", Buffer.alloc(MAX_MESSAGE_BYTES, 1), { qos: 1 });
    for (let i = 0; i < 100 && !sizes.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(sizes, [MAX_MESSAGE_BYTES]);
    const closed = new Promise<void>((resolve) => g10.once("close", () => resolve()));
    g10.publish("optgate/1/10/inventory", Buffer.alloc(MAX_PACKET_BYTES + 1, 2), { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(sizes, [MAX_MESSAGE_BYTES], "the oversized packet went nowhere");
    // max_keepalive binds 3.1.1 clients only from Mosquitto 2.0.12 on (2.0.11 applies it to v5); a gate's 30 s is under it either way.
    await connect(gateUser(COMPOUND, 10), { keepalive: 30 });
  });

  it("the hub and a gate converge over TLS, each with its own credential", async () => {
    const db = await DATABASES[0].open();
    const service = await startHubService({
      db, brokerUrl: `mqtts://127.0.0.1:${port}`, signingSeed: new Uint8Array(32).fill(5), clientId: "optgate-hub-acl-test",
      mqtt: { ca, username: "hub", password: passwords.hub },
    });
    try {
      await service.hub.addCompound(COMPOUND, "TLS compound");
      const gate = new ProtocolGate({ compoundId: COMPOUND, gateId: 10, seed: gateSeed(10), hubKeys: [service.hub.publicKey], deviceKey, random, now: () => Date.now() });
      const connected = await connectGate(`mqtts://127.0.0.1:${port}`, gate, COMPOUND, 10, { ca, username: gateUser(COMPOUND, 10), password: passwords[gateUser(COMPOUND, 10)] });
      clients.push(connected.client);
      await service.hub.addGate({ id: 10, compoundId: COMPOUND, name: "tls gate", publicKey: gate.signer.publicKey });
      await service.hub.putResidents(COMPOUND, [person(1), person(2)]);
      for (let i = 0; i < 200; i++) {
        const g = await service.hub.gate(10);
        if (g && g.desiredVersion > 0 && g.appliedVersion === g.desiredVersion) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(gate.registry.ids(), [1, 2]);
      assert.equal((await service.hub.gate(10))?.appliedVersion, 1);
    } finally {
      await service.close();
      await db.close();
    }
  });
});
