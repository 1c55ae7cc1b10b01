// PINs across gates, end to end: two real firmwares (host board chip models,
// Node) over real TCP to the embedded broker and a real hub on PGlite (and
// PostgreSQL where it runs). Both gates hold one compound PIN key, installed
// sealed to each. A PIN set at gate 1's console travels up as a gate-signed
// report (verifier only), the hub stores the verifier and sends it down to
// gate 2, where the PIN opens at the keypad. The hub's database never holds
// the PIN digits or the key. The adversary: a replayed report is refused; a
// verifier the hub makes up (it has no key), or one resident's verifier the
// hub moves to another, never opens.
import assert from "node:assert/strict";
import mqtt from "mqtt";
import { compoundPinKey } from "../../src/core/access/compound-pin";
import { fromHex, toHex } from "../../src/core/crypto";
import { decodePinReport } from "../../src/core/sync/pin-report";
import { topic } from "../../src/core/sync/topics";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../tools/hub/broker";
import { bytes, num, type Db } from "../../tools/hub/db";
import { startHubService, type HubService } from "../../tools/hub/service";
import { sealFor } from "../../tools/optgate/pin-key";
import { DATABASES } from "../tools/hub/servers";
import { containsBytes } from "./byte-scan";
import { FleetRig, killedHubLoses, type RigGate } from "./fleet-rig";

const COMPOUND = 1;
const SEED = new Uint8Array(32).fill(46);
const KEY = fromHex("5b1f0c7e2a9d3e4f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7");
const OWNER = 42, NEIGHBOUR = 43;
const PIN = "583017", NEW_PIN = "720461";
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** Every value in every table of the hub's schema, as bytes or text. */
async function everyValue(db: Db): Promise<unknown[]> {
  const tables = await db.query<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'");
  assert.ok(tables.length > 10, `the hub's tables: ${tables.map((t) => t.table_name).join(", ")}`);
  const out: unknown[] = [];
  for (const { table_name } of tables) for (const row of await db.query<Record<string, unknown>>(`select * from ${table_name}`)) out.push(...Object.values(row));
  return out;
}

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`PINs across gates under the compound key, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(180_000);
    let broker: EmbeddedBroker, db: Db, service: HubService, rig: FleetRig;
    let g1: RigGate, g2: RigGate;
    const gates = () => [g1, g2];
    const drops: string[] = [];
    const reports: Uint8Array[] = [];
    let watcher: mqtt.MqttClient;

    const keypad = async (gate: RigGate, who: number, pin: string) => {
      const before = gate.decisions.length;
      await rig.keys(gate, `${who}#${pin}#`);
      await rig.run(300);
      const decision = gate.decisions.slice(before).find((d) => d.via === "pin");
      assert.ok(decision, `a PIN decision at gate ${gate.gateId}: ${JSON.stringify(gate.decisions.slice(before))}`);
      return decision;
    };
    const verifierAt = (gate: RigGate, id: number) => {
      const v = gate.firmware.core.registry.pinVerifier(id);
      return v ? `${v.keyId ?? 0}:${toHex(v.salt)}:${toHex(v.hash)}` : "none";
    };
    const setPinAt = async (gate: RigGate, id: number, pin: string) => {
      const [, , again] = await rig.technician(gate, [`pin set R000${id}`, pin, pin]);
      assert.match(again, /PIN set for R000/, again);
    };

    before(async () => {
      broker = await startEmbeddedBroker();
      db = await kind.open();
      service = await startHubService({ db, brokerUrl: broker.url, signingSeed: SEED, clientId: `hub-pins-${kind.name}`, tickMs: 200, onDrop: (why) => drops.push(why) });
      await service.hub.addCompound(COMPOUND, "PINs test");
      watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
      await watcher.subscribeAsync(topic(COMPOUND, 1, "pin"), { qos: 1 });
      watcher.on("message", (_t, payload) => reports.push(new Uint8Array(payload)));
      rig = await FleetRig.open();
      g1 = rig.boot(1);
      g2 = rig.boot(2);
      for (const g of gates()) {
        const identity = g.firmware.gateIdentity()!;
        await service.hub.addGate({ id: g.gateId, compoundId: COMPOUND, name: `gate ${g.gateId}`, publicKey: identity.publicKey, sealKey: identity.sealKey });
        g.firmware.provisionHub({ compoundId: COMPOUND, host: "127.0.0.1", port: broker.port, hubKeys: [service.hub.publicKey] });
        // What the installer does with optgate pin-key install: the key sealed to this gate, typed at its console.
        const [out] = await rig.technician(g, [`pin key install ${sealFor(KEY, { gateId: g.gateId, compoundId: COMPOUND, sealKeyHex: toHex(identity.sealKey!) })}`]);
        assert.match(out, /Compound PIN key installed/, out);
      }
      await service.hub.putResidents(COMPOUND, [
        { id: OWNER, unit: "B3-1204", role: "owner", groups: 1, cards: [fromHex("04a1b2c3")] },
        { id: NEIGHBOUR, unit: "B3-1205", role: "owner", groups: 1, cards: [fromHex("04a1b2c4")] },
      ]);
      await rig.until("both gates online with the residents", () => gates().every((g) => g.firmware.fleet?.state === "online" && g.firmware.core.registry.has(NEIGHBOUR)));
      await rig.until("both clocks trusted (hub time)", () => gates().every((g) => g.firmware.core.access.clockTrusted(rig.now)));
    });

    after(async () => {
      rig?.close();
      await watcher?.endAsync();
      await service?.close();
      await broker?.close();
      await db?.close();
    });

    it("a PIN set at gate 1 opens gate 2; the hub keeps the verifier only, never the digits or the key", async () => {
      assert.equal((await keypad(g2, OWNER, PIN)).reason, "wrong-pin", "no PIN yet");
      await setPinAt(g1, OWNER, PIN);
      const made = verifierAt(g1, OWNER);
      assert.match(made, new RegExp(`^${compoundPinKey(KEY).id}:`), "made under the compound key");
      await rig.until("the verifier at gate 2", () => verifierAt(g2, OWNER) === made);
      assert.equal((await keypad(g2, OWNER, PIN)).reason, "granted");
      assert.equal((await keypad(g2, OWNER, "583018")).reason, "wrong-pin");
      assert.equal((await keypad(g1, OWNER, PIN)).reason, "granted", "and still at gate 1 (the hub's echo keeps it)");
      const [row] = await db.query<Record<string, unknown>>("select pin_salt, pin_hash, pin_key_id from resident where compound_id = $1 and id = $2", [COMPOUND, OWNER]);
      assert.equal(`${num(row.pin_key_id)}:${toHex(bytes(row.pin_salt))}:${toHex(bytes(row.pin_hash))}`, made);
      for (const value of await everyValue(db)) {
        if (value instanceof Uint8Array || Buffer.isBuffer(value)) {
          const b = bytes(value);
          assert.equal(containsBytes(b, ascii(PIN)), false, "the PIN digits in the hub's database");
          assert.equal(containsBytes(b, KEY.subarray(0, 16)), false, "the key in the hub's database");
        } else if (typeof value === "string") {
          assert.ok(!value.includes(PIN) && !value.includes(toHex(KEY).slice(0, 32)), `a text value holds the PIN or key: ${value}`);
        }
      }
      for (const g of gates()) assert.equal(containsBytes(g.flash.image, KEY), false, `gate ${g.gateId}: the key in clear on flash`);
      // On the wire: the report is the verifier, signed; no digits, no key.
      assert.equal(reports.length, 1);
      const { report } = decodePinReport(reports[0]);
      assert.equal(report.residentId, OWNER);
      assert.ok(!containsBytes(reports[0], ascii(PIN)) && !containsBytes(reports[0], KEY.subarray(0, 8)));
    });

    it("a PIN changed at gate 2 replaces it at gate 1; the old report replayed to the hub changes nothing", async () => {
      await setPinAt(g2, OWNER, NEW_PIN);
      const made = verifierAt(g2, OWNER);
      await rig.until("the new verifier at gate 1", () => verifierAt(g1, OWNER) === made);
      assert.equal((await keypad(g1, OWNER, NEW_PIN)).reason, "granted");
      assert.equal((await keypad(g1, OWNER, PIN)).reason, "wrong-pin");
      // Gate 1's first report again (a broker replay): the hub answers it as before and writes nothing, keeping the new PIN.
      const hub = killedHubLoses(service.hub);
      try {
        await watcher.publishAsync(topic(COMPOUND, 1, "pin"), Buffer.from(reports[0]), { qos: 1 });
        await rig.until("the replay handled", () => hub.handled.includes(topic(COMPOUND, 1, "pin")));
      } finally {
        hub.restore();
      }
      await rig.run(1000);
      assert.equal(verifierAt(g2, OWNER), made);
      assert.equal(verifierAt(g1, OWNER), made);
      assert.equal((await keypad(g1, OWNER, NEW_PIN)).reason, "granted");
      // A report forged in gate 1's name (another signer) and one on another gate's topic: dropped.
      const forged = reports[0].slice();
      forged[20] ^= 1;
      await watcher.publishAsync(topic(COMPOUND, 1, "pin"), Buffer.from(forged), { qos: 1 });
      await watcher.publishAsync(topic(COMPOUND, 2, "pin"), Buffer.from(reports[0]), { qos: 1 });
      await rig.until("both dropped", () => drops.some((d) => /signature does not verify/.test(d)) && drops.some((d) => /of gate 1 on gate 2's topic/.test(d)));
    });

    it("a report lost by a hub process killed after the broker had it: gate 1 keeps it until the hub answers, and gate 2 gets the PIN", async () => {
      const pin = "839517";
      // The hub's client has the report (the broker counts it delivered), then the process dies before its database does.
      const hub = killedHubLoses(service.hub, (t) => t === topic(COMPOUND, 1, "pin"));
      try {
        await setPinAt(g1, NEIGHBOUR, pin);
        const made = verifierAt(g1, NEIGHBOUR);
        await rig.until("the report lost", () => hub.lost === 1);
        await rig.run(2000);
        assert.notEqual(verifierAt(g2, NEIGHBOUR), made, "not at gate 2 yet");
        assert.equal(g1.firmware.store.keys("fleet/pin/").length, 1, "kept on flash: the broker having it is not enough");
        await rig.until("the report sent again, taken, at gate 2", () => verifierAt(g2, NEIGHBOUR) === made, 120_000);
        assert.equal((await keypad(g2, NEIGHBOUR, pin)).reason, "granted");
        await rig.until("answered: off gate 1's flash", () => g1.firmware.store.keys("fleet/pin/").length === 0);
      } finally {
        hub.restore();
      }
    });

    it("the adversary hub: a verifier it makes up, or one it moves to another resident, never opens", async () => {
      await rig.run(125_000); // the keypads' guessing counters leak the earlier wrong PINs (docs/guessing.md)
      const keyId = compoundPinKey(KEY).id;
      const owner = g1.firmware.core.registry.pinVerifier(OWNER)!;
      // The owner's verifier copied onto the neighbour: the MAC binds the resident, so the owner's PIN does not open as the neighbour.
      await service.hub.putResidents(COMPOUND, [{ id: NEIGHBOUR, unit: "B3-1205", role: "owner", groups: 1, cards: [fromHex("04a1b2c4")], pin: { salt: owner.salt, hash: owner.hash, keyId } }]);
      await rig.until("the moved verifier at both gates", () => gates().every((g) => g.firmware.core.registry.pinVerifier(NEIGHBOUR)?.keyId === keyId));
      for (const g of gates()) assert.equal((await keypad(g, NEIGHBOUR, NEW_PIN)).reason, "wrong-pin", `gate ${g.gateId}`);
      // Verifiers made up without the key (random bytes, zeroes, a real one with a bit flipped), each put on a
      // resident of its own who first set a real PIN at gate 1: that PIN, typed at either gate, is refused.
      const madeUp = [
        { salt: fromHex("01020304"), hash: fromHex("00112233445566778899aabbccddeeff") },
        { salt: new Uint8Array(4), hash: new Uint8Array(16) },
        { salt: owner.salt, hash: owner.hash.map((b) => b ^ 0x80) },
      ];
      for (let i = 0; i < madeUp.length; i++) {
        const id = 50 + i, card = [Uint8Array.of(4, 0xb0, 0, i)];
        await service.hub.putResidents(COMPOUND, [{ id, unit: `C${i}`, role: "owner", groups: 1, cards: card }]);
        await rig.until("the resident at both gates", () => gates().every((g) => g.firmware.core.registry.has(id)));
        await setPinAt(g1, id, PIN);
        const real = verifierAt(g1, id);
        await rig.until("the real verifier at gate 2", () => verifierAt(g2, id) === real);
        const v = madeUp[i];
        await service.hub.putResidents(COMPOUND, [{ id, unit: `C${i}`, role: "owner", groups: 1, cards: card, pin: { ...v, keyId } }]);
        const expected = `${keyId}:${toHex(v.salt)}:${toHex(v.hash)}`;
        await rig.until("the made-up verifier at both gates", () => gates().every((g) => verifierAt(g, id) === expected));
        for (const g of gates()) assert.equal((await keypad(g, id, PIN)).reason, "wrong-pin", `gate ${g.gateId}, made-up verifier ${i}`);
      }
      // The card still opens: a bad verifier costs the PIN, never the resident's other way in.
      const before = g2.decisions.length;
      await rig.card(g2, "04a1b2c3");
      assert.equal(g2.decisions.slice(before).find((d) => d.via === "card")?.reason, "granted");
    });
  });
}
