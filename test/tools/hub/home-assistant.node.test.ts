// Home Assistant MQTT discovery (tools/hub/home-assistant.ts), end to end: a
// real firmware gate (host board chip models, Node, real TCP) and the hub on
// PGlite and the embedded aedes broker (MQTT 3.1.1). With the option on, the
// gate's retained discovery configs and states appear under homeassistant/ and
// optgate-ha/; a card let in shows as the lock's release, a forced door as the
// door's state and an alarm; nothing published names a resident, a unit or a
// card. Off (the default), nothing appears under either prefix.
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { DATABASES } from "./servers";
import { openHubFleet, type HubFleet } from "../../app/fleet-rig";

const COMPOUND = 4;
const CARD = "04c0aa21";
const UNIT = "C9-1701";
const RESIDENT = 3721;

/** Every retained or live message under the two prefixes, as a 3.1.1 client sees it. */
async function watch(url: string): Promise<{ client: MqttClient; seen: Map<string, string> }> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `ha-watch-${process.pid}-${Date.now()}`, clean: true });
  const seen = new Map<string, string>();
  client.on("message", (topic, payload) => { seen.set(topic, payload.toString("utf8")); });
  await client.subscribeAsync({ "homeassistant/#": { qos: 1 }, "optgate-ha/#": { qos: 1 } });
  return { client, seen };
}

for (const homeAssistant of [false, true]) {
  describe(`Home Assistant discovery ${homeAssistant ? "on" : "off (the default)"}, hub on PGlite and aedes`, function () {
    this.timeout(120_000);
    let fleet: HubFleet;
    const watchers: MqttClient[] = [];

    before(async () => {
      fleet = await openHubFleet({
        openDb: DATABASES[0].open, compoundId: COMPOUND, compoundName: "Home Assistant test", signingSeed: new Uint8Array(32).fill(46),
        clientId: `hub-ha-${homeAssistant}`, gateIds: [1], ...(homeAssistant ? { homeAssistant: true } : {}),
      });
      const [g] = fleet.gates;
      await fleet.service.hub.putResidents(COMPOUND, [{ id: RESIDENT, unit: UNIT, role: "owner", groups: 1, cards: [Uint8Array.from(Buffer.from(CARD, "hex"))] }]);
      await fleet.rig.until("online with the resident", () => g.firmware.fleet?.state === "online" && g.firmware.core.registry.has(RESIDENT));
    });
    after(async () => {
      for (const w of watchers) await w.endAsync();
      await fleet?.close();
    });

    if (!homeAssistant) {
      it("publishes nothing under homeassistant/ or optgate-ha/", async () => {
        const [g] = fleet.gates;
        await fleet.rig.card(g, CARD);
        await fleet.rig.until("the grant at the hub", async () => (await fleet.service.hub.auditCount(1)) > 0);
        const w = await watch(fleet.broker.url);
        watchers.push(w.client);
        await fleet.rig.run(500);
        assert.deepEqual([...w.seen.keys()], []);
      });
      return;
    }

    it("publishes each entity's retained config, with its state topic, read-only and MQTT 3.1.1", async () => {
      const w = await watch(fleet.broker.url);
      watchers.push(w.client);
      await fleet.rig.until("the configs retained", () => [...w.seen.keys()].filter((t) => t.endsWith("/config")).length === 5, 10_000);
      const node = `optgate_${COMPOUND}_1`;
      assert.deepEqual([...w.seen.keys()].filter((t) => t.endsWith("/config")).sort(), [
        `homeassistant/binary_sensor/${node}/alarm/config`, `homeassistant/binary_sensor/${node}/online/config`,
        `homeassistant/sensor/${node}/alarm-kind/config`, `homeassistant/sensor/${node}/door/config`, `homeassistant/sensor/${node}/released/config`,
      ]);
      for (const [topic, payload] of w.seen) {
        if (!topic.endsWith("/config")) continue;
        const config = JSON.parse(payload) as Record<string, unknown>;
        const object = topic.split("/")[3];
        assert.equal(config.state_topic, `optgate-ha/${COMPOUND}/1/${object}`);
        assert.equal(config.unique_id, `${node}_${object}`);
        assert.equal("command_topic" in config, false, "nothing in Home Assistant can act on the gate");
      }
      await fleet.rig.until("the online state retained", () => w.seen.has(`optgate-ha/${COMPOUND}/1/online`), 10_000);
      assert.equal(w.seen.get(`optgate-ha/${COMPOUND}/1/online`), "ON");
    });

    it("shows a card let in as the lock's release, a forced door as the door and an alarm", async () => {
      const w = await watch(fleet.broker.url);
      watchers.push(w.client);
      const [g] = fleet.gates;
      const state = (object: string) => w.seen.get(`optgate-ha/${COMPOUND}/1/${object}`);
      const before = Date.now();
      await fleet.rig.card(g, CARD);
      await fleet.rig.until("the release at Home Assistant", () => state("released") !== undefined, 20_000);
      assert.ok(Math.abs(Date.parse(state("released")!) - before) < 60_000, state("released"));
      assert.equal(state("door"), "normal");
      // Once the strike has closed again, the door opened with no release: forced.
      await fleet.rig.run(15_000);
      g.host.setDoor(true);
      await fleet.rig.run(2000);
      g.host.setDoor(false);
      await fleet.rig.until("the forced door at Home Assistant", () => state("door") === "forced", 20_000);
      assert.equal(state("alarm"), "ON");
      assert.equal(state("alarm-kind"), "door-forced");
    });

    it("says nothing personal in any topic or payload: no resident number, unit, card or person", async () => {
      const w = await watch(fleet.broker.url);
      watchers.push(w.client);
      await fleet.rig.until("the retained messages", () => w.seen.size >= 9, 10_000).catch(() => undefined);
      assert.ok(w.seen.size >= 9, `retained messages: ${[...w.seen.keys()].join(", ")}`);
      const label = `R${String(RESIDENT).padStart(5, "0")}`;
      for (const [topic, payload] of w.seen) {
        const text = `${topic} ${payload}`;
        for (const secret of [label, String(RESIDENT), UNIT, CARD, CARD.toUpperCase(), "owner", "tech"]) {
          assert.equal(text.includes(secret), false, `${topic} carries ${secret}: ${payload}`);
        }
        if (topic.endsWith("/config")) {
          const keys = Object.keys(JSON.parse(payload) as object).sort();
          for (const key of keys) assert.ok(["device", "device_class", "name", "object_id", "options", "payload_off", "payload_on", "state_topic", "unique_id"].includes(key), key);
        } else {
          assert.match(payload, /^(ON|OFF|normal|forced|held|door-forced|door-held|guessing-alarm|store-damage|audit-break|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)$/, `${topic}: ${payload}`);
        }
      }
    });
  });
}
