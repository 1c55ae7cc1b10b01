// Adversarial tests of the gate's fleet link on the whole firmware (host board
// chip models, Node, real TCP): what must survive power cuts and long offline
// stretches on the gate's own flash. The portable attacks on the link itself
// are in fleet-attack.test.ts.
import assert from "node:assert/strict";
import net from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { decodeRecord } from "../../src/core/audit/audit-record";
import { Ed25519Signer } from "../../src/core/ed25519";
import { decodeMessage, encodeChangeSet, encodeTimeGrant, keyIdOf } from "../../src/core/sync/messages";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import { FleetRig, type RigGate } from "./fleet-rig";

const PIN = "13572468";

/** A local port nothing listens on: the gate's broker is away. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("firmware hub link under attack", function () {
  this.timeout(120_000);
  let rig: FleetRig;

  beforeEach(async () => { rig = await FleetRig.open(); });
  afterEach(() => rig?.close());

  it("keeps every withdrawal notice made while the broker is away across a power cut, not just the first few", async () => {
    const port = await deadPort();
    const hubKey = new Uint8Array(32).fill(3);
    let g = rig.boot(5);
    g.firmware.provisionHub({ compoundId: 1, host: "127.0.0.1", port, hubKeys: [hubKey] });
    await rig.run(200);
    const fleet = g.firmware.fleet!;
    const withdrawals = 40;
    for (let i = 0; i < withdrawals; i++) fleet.withdrawnHere(100 + i, false, new Uint8Array(16).fill(i));
    assert.match(fleet.status(), new RegExp(`${withdrawals} withdrawal notice\\(s\\) to deliver`));
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(5, flash);
    await rig.run(200);
    assert.deepEqual(g.logs.filter((l) => /notice/.test(l)), [], "nothing about lost notices");
    assert.match(g.firmware.fleet!.status(), new RegExp(`${withdrawals} withdrawal notice\\(s\\) to deliver`), `every notice is still on flash to reach the hub: ${g.firmware.fleet!.status()}`);
  });

  it("erases at boot the templates a set took away before a power cut, also when the hub link cannot start", async () => {
    let g = rig.boot(7);
    const core = g.firmware.core;
    const id = core.registry.addResident({ unit: "2-201", role: "owner", groups: 1, cards: [Uint8Array.of(0x04, 0xf2, 0, 1)], pin: PIN });
    const label = `R${String(id).padStart(5, "0")}`;
    await rig.technician(g, [`notice set --purpose "Open the gate by face" --method "On-board model" --scope ${core.gateName} --retention 365`]);
    await rig.technician(g, [`consent grant ${label}`, "yes"]);
    await rig.keys(g, `#8#${id}#${PIN}#`);
    g.host.camera.scene = { kind: "genuine", identity: 707 };
    const enrolled = await rig.technician(g, [`face enrol ${label}`, "go"]);
    g.host.camera.scene = undefined;
    assert.match(enrolled[1], /enrolled under notice/, enrolled.join(""));
    // What flash holds when power goes right after a hub set removing the resident was stored
    // (sync-persistence.ts: the set, its version and the template to erase in one group) and
    // before the erasure ran; and the hub settings are gone (an installer's hub off, or damage).
    const u32 = new Uint8Array(4);
    new DataView(u32.buffer).setUint32(0, id);
    g.firmware.store.commit([{ append: "sync/erase", data: u32 }]);
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(7, flash);
    await rig.run(200);
    assert.equal(g.firmware.fleet, undefined, "no hub link");
    assert.equal(g.firmware.core.gallery.entry(label), undefined, "the template is erased at boot all the same");
    assert.equal(g.firmware.core.vault.get(label), undefined);
  });
});

/** Someone holding a hub key and the hub's broker credential (or the broker itself), speaking to one real gate. */
describe("firmware hub link, a hostile publisher on the gate's topics", function () {
  this.timeout(180_000);
  const COMPOUND = 1, GATE = 6;
  const hubKey = new Ed25519Signer(new Uint8Array(32).fill(21));
  let broker: EmbeddedBroker, rig: FleetRig, g: RigGate, hub: MqttClient;
  const requests: Uint8Array[] = [];
  const topic = (leaf: string) => `optgate/${COMPOUND}/${GATE}/${leaf}`;
  const publish = (leaf: string, payload: Uint8Array) => new Promise<void>((resolve, reject) => hub.publish(topic(leaf), Buffer.from(payload), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
  const grant = (time: number) => {
    const { nonce } = decodeMessage(requests.at(-1)!).message as { nonce: Uint8Array };
    return encodeTimeGrant({ gateId: GATE, nonce, time, keyId: keyIdOf(hubKey.publicKey) }, (b) => hubKey.sign(b));
  };
  const securitySeq = () => g.firmware.core.audit.security.head().seq;
  const securitySince = (seq: number) => g.firmware.core.audit.entries().filter((e) => e.log === "security" && e.seq > seq);
  /** Waits for a fresh time request, answers it with `time`, and lets the gate handle the answer. */
  const answer = async (time: (now: number) => number) => {
    const asked = requests.length;
    await rig.until("a time request", () => requests.length > asked, 60_000);
    await publish("time", grant(time(g.firmware.board.clock.now())));
    await rig.run(500);
  };

  beforeEach(async () => {
    broker = await startEmbeddedBroker();
    rig = await FleetRig.open();
    hub = mqtt.connect(broker.url, { clientId: `hostile-${process.pid}`, protocolVersion: 4 });
    await new Promise<void>((resolve) => hub.once("connect", () => resolve()));
    await new Promise<void>((resolve, reject) => hub.subscribe(topic("time-req"), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    requests.length = 0;
    hub.on("message", (t, payload) => { if (t === topic("time-req")) requests.push(new Uint8Array(payload)); });
    g = rig.boot(GATE);
    g.firmware.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [hubKey.publicKey] });
    await rig.until("connected", () => g.firmware.fleet?.state === "catching-up");
  });

  afterEach(async () => {
    rig?.close();
    await new Promise<void>((resolve) => hub?.end(true, {}, () => resolve()));
    await broker?.close();
  });

  it("a signed time grant cannot set the clock before the newest audit record, nor move a trusted clock by more than a day", async () => {
    const core = g.firmware.core;
    assert.ok(core.access.clockTrusted(g.firmware.board.clock.now()), "the rig's gate starts with a trusted clock");
    await rig.technician(g, ["hub show"]); // records at the gate's time: the watermark
    assert.ok(core.audit.watermark > rig.now - 60_000);
    const seq = securitySeq();
    await answer(() => core.audit.watermark - 3600_000);
    const before = Math.abs(g.firmware.board.clock.now() - rig.now);
    assert.ok(before < 60_000, "clock not moved back");
    assert.equal(g.firmware.fleet!.state, "online", "the hub answered: face is no longer held");
    g.firmware.fleet!.stop();
    g.firmware.fleet!.start();
    await answer((now) => now + 3 * 86_400_000);
    assert.ok(Math.abs(g.firmware.board.clock.now() - rig.now) < 60_000, "clock not moved three days ahead");
    const refused = securitySince(seq).filter((e) => e.kind === "sync-refused").map((e) => e.detail);
    assert.deepEqual(refused, ["time: hub time is before the newest audi", "time: over a day from a trusted clock: c"]);
  });

  it("a hub key walking a trusted clock forward a day an hour for a day moves it not at all; each refusal audited", async () => {
    const DAY = 86_400_000;
    await answer((now) => now);
    assert.equal(g.firmware.fleet!.state, "online");
    const seq = securitySeq();
    for (let hour = 1; hour <= 24; hour++) {
      await rig.jump(3600_000);
      // Just under the one-grant cap: each of these moved the clock before (24 days in a day).
      await answer((now) => now + DAY - 60_000);
    }
    const ahead = g.firmware.board.clock.now() - rig.now;
    assert.ok(Math.abs(ahead) < 20 * 60_000, `clock ${Math.round(ahead / 60_000)} min off after a day of it`);
    assert.ok(g.firmware.core.access.clockTrusted(g.firmware.board.clock.now()), "the refusals' records did not push the watermark past the clock");
    const refused = securitySince(seq).filter((e) => e.kind === "sync-refused").map((e) => e.detail);
    assert.equal(refused.length, 24);
    for (const detail of refused) assert.match(detail, /^time: \+86340s vs own clock, max \d+s$/);
    // A genuine correction of a couple of minutes still goes through.
    await rig.jump(3600_000);
    await answer((now) => now + 120_000);
    assert.ok(Math.abs(g.firmware.board.clock.now() - rig.now - 120_000) < 5000, "corrected by two minutes");
  });

  // The walk's bound must survive a reboot: grants never write the RTC, so after a power cut the RTC
  // reads the gate's own count, which is behind the records written at the hub-moved time. The clock
  // is then untrusted (before the newest audit record), though the RTC kept time: that must not make
  // the hub's next grant a trusted set with no bound (it took a year ahead: every renter's card refused).
  it("a hub key cannot turn its bounded correction into an unbounded set by way of a power cut", async () => {
    await answer((now) => now + 4 * 60_000); // inside the slack: taken
    assert.ok(g.firmware.board.clock.now() - rig.now > 3 * 60_000, "moved four minutes ahead");
    await rig.technician(g, ["hub show"]); // records at the moved time: the watermark is ahead of the RTC
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(GATE, flash);
    const core = g.firmware.core;
    assert.ok(!core.access.clockTrusted(g.firmware.board.clock.now()), "back on the RTC's count, behind the newest record");
    await answer((now) => now + 23 * 3600_000); // under the one-grant cap, so the total bound is what refuses it
    const off = g.firmware.board.clock.now() - rig.now;
    assert.ok(Math.abs(off) < 10 * 60_000, `clock ${Math.round(off / 60_000)} min off after the grant`);
    const refused = core.audit.entries().filter((e) => e.log === "security" && e.kind === "sync-refused").map((e) => e.detail);
    assert.ok(refused.some((d) => /^time: \+\d+s vs own clock/.test(d ?? "")), `refusal audited: ${refused.join(" | ")}`);
    // The genuine answer (the hub's time, still ahead of the RTC by what it corrected) is taken, and the clock is trusted again.
    g.firmware.fleet!.stop();
    g.firmware.fleet!.start();
    await answer((now) => now + 4 * 60_000);
    assert.ok(core.access.clockTrusted(g.firmware.board.clock.now()), "trusted again after a genuine grant");
    assert.ok(Math.abs(g.firmware.board.clock.now() - rig.now - 4 * 60_000) < 60_000);
  });

  it("a flood of garbage and forgeries on the gate's topics: card entry goes on, the security log gains a bounded number of records", async () => {
    const core = g.firmware.core;
    const resident = core.registry.addResident({ unit: "1-101", role: "owner", groups: 1, cards: [Uint8Array.of(0x04, 0xf1, 0x00, 0x01)] });
    const seq = securitySeq();
    const forged = intruderSets();
    const total = 1500;
    let sent = 0;
    const flood = (async () => {
      for (let i = 0; i < total; i++) {
        const leaf = ["sync", "erase", "time"][i % 3];
        await publish(leaf, i % 10 === 0 ? forged[i % forged.length] : Uint8Array.of(0x4f, 0x47, 0x53, 0x31, i & 0xff, 9, 9));
        sent++;
      }
    })();
    await rig.until("the flood under way", () => sent > 100);
    const before = g.decisions.length;
    await rig.card(g, "04f10001");
    const decision = g.decisions.slice(before).find((d) => d.via === "card");
    assert.deepEqual([decision?.grant, decision?.resident], [true, `R${String(resident).padStart(5, "0")}`], "the card opens during the flood");
    await rig.until("the flood sent", () => sent === total, 120_000);
    await flood;
    await rig.run(2000);
    const records = securitySince(seq);
    assert.ok(records.length <= 61, `${records.length} security records for ${total} refused messages`);
    assert.equal(g.firmware.fleet!.counts.refused > 0, true);
    assert.deepEqual(core.registry.ids(), [resident], "nothing forged applied");
  });

  it("resumes the audit upload after a power cut from where the broker acknowledged it, not from the first record", async () => {
    const batches: { log: string; seqs: number[] }[] = [];
    await new Promise<void>((resolve, reject) => hub.subscribe(topic("audit"), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    hub.on("message", (t, payload) => {
      if (t !== topic("audit")) return;
      const m = decodeMessage(new Uint8Array(payload)).message as { log: string; records: Uint8Array[] };
      batches.push({ log: m.log, seqs: m.records.map((r) => decodeRecord(r).seq) });
    });
    await answer((now) => now);
    await rig.until("the security chain uploaded from its first record", () => batches.some((b) => b.log === "security" && b.seqs.includes(1)), 120_000);
    await rig.run(3000);
    const before = batches.length;
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(GATE, flash);
    await rig.technician(g, ["hub show"]); // new security records (login, logout)
    await rig.until("records uploaded after the reboot", () => batches.slice(before).some((b) => b.log === "security"), 120_000);
    const again = batches.slice(before).filter((b) => b.log === "security").flatMap((b) => b.seqs);
    assert.ok(!again.includes(1), `the upload did not start over: ${again.slice(0, 5).join(",")}...`);
  });

  function intruderSets(): Uint8Array[] {
    const intruder = new Ed25519Signer(new Uint8Array(32).fill(22));
    return [1, 2, 3].map((v) => encodeChangeSet({ gateId: GATE, version: v, base: v - 1, full: false, part: 0, parts: 1, issuedAt: Date.now(), keyId: keyIdOf(intruder.publicKey), changes: [Uint8Array.of(1)] }, (b) => intruder.sign(b)));
  }
});
