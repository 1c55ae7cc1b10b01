// The hub's groups, schedules and holidays on the whole firmware (host board
// chip models, Node, real TCP to the embedded broker), sent by a test hub that
// signs its own sets: applied with their set and version in one store group,
// shown by the console's lists, audited (actor hub), enforced at the card
// reader; an invalid one refuses the whole set and changes nothing; all of it
// survives a power cut; the hub's next set wins over a technician's local edit.
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { encodeChange, type Change, type Segment } from "../../src/core/access/changes";
import { Ed25519Signer } from "../../src/core/ed25519";
import { decodeMessage, encodeChangeSet, keyIdOf, type Ack } from "../../src/core/sync/messages";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import { FleetRig, type RigGate } from "./fleet-rig";

const COMPOUND = 1, GATE = 4;
const DAY_MS = 86_400_000;
const CARD = "04c1d2e3";

/** Every day, the same minutes. */
const everyDay = (s: Segment): Segment[][] => Array.from({ length: 7 }, () => [s]);

describe("firmware: groups, schedules and holidays from the hub", function () {
  this.timeout(180_000);
  const hubKey = new Ed25519Signer(new Uint8Array(32).fill(31));
  let broker: EmbeddedBroker, rig: FleetRig, g: RigGate, hub: MqttClient;
  const acks: Ack[] = [];
  const topic = (leaf: string) => `optgate/${COMPOUND}/${GATE}/${leaf}`;
  const publish = (leaf: string, payload: Uint8Array) => new Promise<void>((resolve, reject) => hub.publish(topic(leaf), Buffer.from(payload), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
  /** Sends a signed incremental set and waits for the gate's answer to it. */
  const send = async (version: number, changes: Change[], full = false): Promise<Ack> => {
    const bytes = encodeChangeSet({
      gateId: GATE, version, base: full ? 0 : version - 1, full, part: 0, parts: 1, issuedAt: Date.now(),
      keyId: keyIdOf(hubKey.publicKey), changes: changes.map(encodeChange),
    }, (b) => hubKey.sign(b));
    const seen = acks.length;
    await publish("sync", bytes);
    await rig.until(`the ack of v${version}`, () => acks.slice(seen).some((a) => a.status !== "status" && a.about === version));
    return acks.slice(seen).find((a) => a.about === version)!;
  };
  /** The gate's local minute of the day now (its zone), to place windows around it. */
  const minuteNow = () => {
    const now = g.firmware.board.clock.now();
    const local = now + g.firmware.core.access.policy.zone.offsetMs(now);
    return Math.floor((local % DAY_MS) / 60_000);
  };
  const localDay = () => {
    const now = g.firmware.board.clock.now();
    return Math.floor((now + g.firmware.core.access.policy.zone.offsetMs(now)) / DAY_MS);
  };
  const around = (before: number, after: number): Segment => {
    const m = minuteNow();
    return { from: (m - before + 1440) % 1440, to: ((m + after) % 1440) || 1440 };
  };
  const card = async () => {
    const before = g.decisions.length;
    await rig.card(g, CARD);
    return g.decisions.slice(before).find((d) => d.via === "card");
  };
  const lists = async () => (await rig.technician(g, ["group list", "schedule list", "holiday list"])).map((s) => s.trim());
  const resident = (id: number, groups: number): Change => ({
    kind: "add-resident", id, role: 1, status: 0, groups, from: 0, until: 0xffffffff, unit: `U${id}`, cards: [Uint8Array.from(Buffer.from(id === 7 ? CARD : `04c1d2${id.toString(16).padStart(2, "0")}`, "hex"))], codes: [],
  });

  before(async () => {
    broker = await startEmbeddedBroker();
    rig = await FleetRig.open();
    hub = mqtt.connect(broker.url, { clientId: `test-hub-${process.pid}`, protocolVersion: 4 });
    await new Promise<void>((resolve) => hub.once("connect", () => resolve()));
    await new Promise<void>((resolve, reject) => hub.subscribe(topic("ack"), { qos: 1 }, (e) => (e ? reject(e) : resolve())));
    hub.on("message", (t, payload) => {
      if (t === topic("ack") && payload.length) acks.push(decodeMessage(new Uint8Array(payload)).message as Ack);
    });
    g = rig.boot(GATE);
    g.firmware.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [hubKey.publicKey] });
    await rig.until("connected", () => g.firmware.fleet?.state === "catching-up" || g.firmware.fleet?.state === "online");
  });

  after(async () => {
    rig?.close();
    await new Promise<void>((resolve) => hub?.end(true, {}, () => resolve()));
    await broker?.close();
  });

  it("applies a set carrying a group's schedule and the holidays: shown by the console, audited as the hub's, enforced", async () => {
    const ack = await send(1, [
      resident(7, 1 << 3),
      { kind: "set-schedule", group: 3, schedule: { name: "night", week: everyDay(around(120, 120)), holiday: [] } },
      { kind: "set-holidays", days: [localDay() + 30, localDay() + 31] },
    ]);
    assert.equal(ack.status, "applied");
    assert.equal(g.firmware.core.registry.has(7), true);
    const [groups, schedules, holidays] = await lists();
    assert.match(groups, /night\s+night\.1\s+1/, groups);
    assert.match(schedules, /night\.1\s+mon,tue,wed,thu,fri,sat,sun/, schedules);
    assert.equal(holidays.split("\n").filter((l) => l.includes("(hub)")).length, 2, holidays);
    const audit = g.firmware.core.audit.entries().filter((e) => e.kind === "policy-changed");
    assert.match(audit.at(-1)!.detail, /^hub: group night bit 3, holidays 2/);
    assert.equal(audit.at(-1)!.actorKind, "system");
  });

  it("admits the card inside the group's hours and refuses it outside", async () => {
    await send(2, [{ kind: "set-schedule", group: 3, schedule: { name: "night", week: everyDay(around(60, 60)), holiday: [] } }]);
    assert.deepEqual([(await card())?.grant], [true]);
    await send(3, [{ kind: "set-schedule", group: 3, schedule: { name: "night", week: everyDay(around(-120, 180)), holiday: [] } }]);
    const refused = await card();
    assert.deepEqual([refused?.grant, refused?.reason], [false, "outside-schedule"]);
  });

  it("refuses a whole set whose schedule the console would refuse: nothing of it applies", async () => {
    const groupsBefore = await lists();
    const ack = await send(4, [
      resident(9, 1 << 3),
      // Bit 0 is the gate's default group "all": the hub may not rename it.
      { kind: "set-schedule", group: 0, schedule: { name: "staff", week: everyDay({ from: 0, to: 1440 }), holiday: [] } },
    ]);
    assert.deepEqual([ack.status, ack.reason, ack.applied], ["refused", "apply-failed", 3]);
    assert.equal(g.firmware.core.registry.has(9), false, "the resident in the same set did not apply either");
    assert.deepEqual(await lists(), groupsBefore);
    assert.equal((await card())?.grant, false, "the schedule in force is still v3's");
  });

  it("keeps what the hub set across a power cut, and the hub's next set wins over a local edit", async () => {
    await send(4, [{ kind: "set-schedule", group: 3, schedule: { name: "night", week: everyDay(around(60, 60)), holiday: [{ from: 0, to: 1440 }] } }]);
    const shown = await lists();
    const flash = g.flash;
    rig.cut(g);
    g = rig.boot(GATE, flash);
    g.firmware.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [hubKey.publicKey] });
    await rig.run(300);
    assert.deepEqual(await lists(), shown, "the same groups, schedules and holidays after the reboot");
    assert.equal(g.firmware.damageLines().length, 0, g.firmware.damageLines().join("; "));
    assert.equal((await card())?.grant, true);
    // A technician makes the hub's group a local one, open around the clock...
    await rig.technician(g, ["group add night"]);
    assert.match((await lists())[0], /night\s+always/);
    // ...until the hub next says what it is.
    await rig.until("online again", () => g.firmware.fleet?.state === "online" || g.firmware.fleet?.state === "catching-up");
    await send(5, [{ kind: "set-schedule", group: 3, schedule: { name: "night", week: everyDay(around(-120, 180)), holiday: [] } }]);
    assert.match((await lists())[0], /night\s+night\.1/);
    assert.equal((await card())?.grant, false);
  });

  it("a full resync replaces the groups and holidays; bit 0 keeps its name, and leaving a group out removes it", async () => {
    await rig.technician(g, ["schedule set day --days mon --from 08:00 --to 09:00", "group add local --schedules day"]);
    const ack = await send(6, [
      resident(7, 1 << 5),
      { kind: "set-schedule", group: 0, schedule: { name: "all", week: everyDay(around(60, 60)), holiday: [] } },
      { kind: "set-schedule", group: 5, schedule: { name: "day-staff", week: everyDay(around(60, 60)), holiday: [] } },
      { kind: "set-holidays", days: [] },
    ], true);
    assert.equal(ack.status, "applied");
    const [groups, schedules, holidays] = await lists();
    assert.deepEqual(groups.split("\n").filter((l) => /\s\d+\s*$/.test(l)).map((l) => l.split(/\s+/)[0]), ["all", "day-staff"], groups);
    assert.doesNotMatch(schedules, /night|^day\s/m);
    assert.doesNotMatch(holidays, /\(hub\)/);
    assert.equal((await card())?.grant, true);
    await send(7, [{ kind: "set-schedule", group: 5, schedule: null }]);
    assert.deepEqual([(await card())?.reason], ["no-access-group"]);
  });

  // The adversary (or a careless office): a set that shuts every group at every minute, today a
  // holiday closed too. Cards are refused as the hub says, but nobody is kept in: the exit opens.
  // The most the hub takes (tools/hub/schedules.ts HUB_SETTINGS_BUDGET: 22 holidays with a group of two
  // windows) fits the real firmware's settings record; 60 holidays did not, and the gate refused the set.
  it("takes the hub's largest holiday list with a group, over its own config", async () => {
    await rig.technician(g, ["config set timezone CET-1CEST,M3.5.0,M10.5.0/3"]);
    const week = Array.from({ length: 7 }, (_, d) => (d < 5 ? [{ from: 1320, to: 360 }] : [{ from: 0, to: 1440 }]));
    const ack = await send(8, [
      { kind: "set-schedule", group: 3, schedule: { name: "night", week, holiday: [{ from: 600, to: 720 }] } },
      { kind: "set-holidays", days: Array.from({ length: 22 }, (_, i) => localDay() + 100 + i * 3) },
    ]);
    assert.deepEqual([ack.status, ack.reason], ["applied", "none"], g.firmware.core.audit.entries().filter((e) => e.kind === "sync-refused").map((e) => e.detail).join("; "));
  });

  it("a set that closes every group around the clock refuses the card but never blocks the exit", async () => {
    const closed: Segment[][] = Array.from({ length: 7 }, () => []);
    const ack = await send(9, [
      resident(7, 1 | (1 << 5)),
      { kind: "set-schedule", group: 0, schedule: { name: "all", week: closed, holiday: [] } },
      { kind: "set-schedule", group: 5, schedule: { name: "day-staff", week: closed, holiday: [] } },
      { kind: "set-holidays", days: [localDay() - 1, localDay(), localDay() + 1] },
    ], true);
    assert.equal(ack.status, "applied");
    assert.equal((await card())?.grant, false);
    const before = g.decisions.length;
    g.host.setExitButton(true);
    await rig.run(300);
    g.host.setExitButton(false);
    await rig.run(600);
    const exit = g.decisions.slice(before).find((d) => d.via === "exit");
    assert.equal(exit?.grant, true, "the exit button opens");
  });
});
