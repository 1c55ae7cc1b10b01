// Visitor codes issued at the hub, end to end: real firmwares (host board chip
// models, Node) over real TCP to the embedded broker and a real hub on PGlite
// (and PostgreSQL where it runs). A code the hub draws reaches both gates only
// sealed to each; each gate keeps only its keyed hash on flash; it admits at
// both keypads; a one-time code used at gate 1 stops at gate 2 within seconds
// (the use travels up as an audit record, the removal down as a change set);
// a revoked code stops everywhere.
import assert from "node:assert/strict";
import { bytes, type Db } from "../../tools/hub/db";
import type { HubService } from "../../tools/hub/service";
import { hashCode } from "../../src/core/access/secrets";
import { CHANGE_KINDS } from "../../src/core/access/changes";
import { DATABASES } from "../tools/hub/servers";
import { containsBytes } from "./byte-scan";
import { openHubFleet, type FleetRig, type HubFleet, type RigGate } from "./fleet-rig";

const COMPOUND = 1;
const SEED = new Uint8Array(32).fill(45);
const VISITOR = 31;
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

for (const kind of DATABASES) {
  const suite = kind.skip ? describe.skip : describe;
  suite(`codes issued at the hub, hub on ${kind.name}${kind.skip ? ` (${kind.skip})` : ""}`, function () {
    this.timeout(180_000);
    let fleet: HubFleet, db: Db, service: HubService, rig: FleetRig;
    let g1: RigGate, g2: RigGate;
    const gates = () => [g1, g2];

    /** Types the code at the gate's keypad; returns the keypad decision. */
    const typeCode = async (gate: RigGate, code: string) => {
      const before = gate.decisions.length;
      await rig.keys(gate, `#${code}#`);
      await rig.run(300);
      const decision = gate.decisions.slice(before).find((d) => d.via === "code");
      assert.ok(decision, `a code decision at gate ${gate.gateId}: ${JSON.stringify(gate.decisions.slice(before))}`);
      return decision;
    };
    const issue = async (uses: number) => service.hub.codes.issue(COMPOUND, VISITOR, { validUntil: Date.now() + 86_400_000, uses }, "test-operator");
    const heldAt = (gate: RigGate, code: string) => gate.firmware.core.registry.findCode(code) !== undefined;

    before(async () => {
      fleet = await openHubFleet({ openDb: kind.open, compoundId: COMPOUND, compoundName: "Codes test", signingSeed: SEED, clientId: `hub-codes-${kind.name}`, gateIds: [1, 2], sealKeys: true });
      ({ db, service, rig, gates: [g1, g2] } = fleet);
      // A visitor whose only way in is the codes the office issues.
      await service.hub.putResidents(COMPOUND, [{ id: VISITOR, unit: "VISIT", role: "visitor", groups: 1, cards: [] }]);
      await rig.until("both gates online with the visitor", () => gates().every((g) => g.firmware.fleet?.state === "online" && g.firmware.core.registry.has(VISITOR)));
      await rig.until("both clocks trusted (hub time)", () => gates().every((g) => g.firmware.core.access.clockTrusted(rig.now)));
    });

    after(async () => { await fleet?.close(); });

    it("admits at both gates' keypads, with only the keyed hash on either gate's flash", async () => {
      const { code, gates: sentTo } = await issue(2);
      assert.match(code, /^[0-9]{8}$/);
      assert.deepEqual(sentTo, [1, 2]);
      await rig.until("the code at both gates", () => gates().every((g) => heldAt(g, code)));
      const seals = (await db.query<{ gate_id: unknown; sealed: unknown }>("select gate_id, sealed from code_seal")).map((r) => bytes(r.sealed));
      assert.equal(seals.length, 2, "one sealed copy per gate, nothing else kept");
      for (const g of gates()) {
        const image = g.flash.image;
        assert.equal(containsBytes(image, ascii(code)), false, `gate ${g.gateId}: no code digits on flash`);
        for (const sealed of seals) assert.equal(containsBytes(image, sealed.subarray(40, 72)), false, `gate ${g.gateId}: no sealed copy on flash`);
        // The scan sees the registry stream: the gate's own hash of the code is there.
        assert.equal(containsBytes(image, hashCode(g.firmware.store.get("device/pin-key")!, code)), true, `gate ${g.gateId}: the keyed hash is on flash`);
        assert.ok(!g.logs.some((line) => line.includes(code)), "no code in the gate's log");
      }
      for (const g of gates()) {
        const d = await typeCode(g, code);
        assert.deepEqual([d.grant, d.resident], [true, `R000${VISITOR}`], `admitted at gate ${g.gateId}`);
      }
      // Both uses seen at the hub: the code is used up, and taken away everywhere.
      await rig.until("the used-up code removed at both gates", () => gates().every((g) => !heldAt(g, code)), 20_000);
      const [listed] = await service.hub.codes.list(COMPOUND, VISITOR);
      assert.deepEqual([listed.usesSeen, listed.endedWhy, listed.gates], [2, "used", []]);
    });

    it("a one-time code used at gate 1 is refused at gate 2 within seconds", async () => {
      const { code } = await issue(1);
      await rig.until("the code at both gates", () => gates().every((g) => heldAt(g, code)));
      const before = g1.decisions.length;
      await rig.keys(g1, `#${code}`);
      g1.host.pressKey("#");
      const decided = () => g1.decisions.slice(before).find((d) => d.via === "code");
      await rig.until("gate 1's decision", () => decided() !== undefined, 2_000);
      const usedAt = rig.now, usedAtReal = Date.now();
      g1.host.releaseKey("#");
      assert.equal(decided()?.grant, true, "admitted at gate 1");
      await rig.until("the code gone at gate 2", () => !heldAt(g2, code), 10_000);
      process.stdout.write(`      (one-time code removed at gate 2 ${rig.now - usedAt} simulated ms, ${Date.now() - usedAtReal} real ms after its use at gate 1)\n`);
      const d = await typeCode(g2, code);
      assert.deepEqual([d.grant, d.reason], [false, "unknown-code"]);
      assert.equal((await typeCode(g1, code)).grant, false, "and not again at gate 1");
    });

    it("a revoked code stops at every gate", async () => {
      const { code, id } = await issue(5);
      await rig.until("the code at both gates", () => gates().every((g) => heldAt(g, code)));
      assert.equal(await service.hub.codes.revoke(COMPOUND, id), true);
      assert.equal(await service.hub.codes.revoke(COMPOUND, id), false, "revoked once");
      await rig.until("the code gone at both gates", () => gates().every((g) => !heldAt(g, code)), 10_000);
      for (const g of gates()) assert.equal((await typeCode(g, code)).grant, false, `refused at gate ${g.gateId}`);
      for (const g of gates()) {
        // Its five uses ended in one stored change (end-code), not one use-code per use.
        const hash = hashCode(g.firmware.store.get("device/pin-key")!, code);
        assert.equal(containsBytes(g.flash.image, Uint8Array.of(CHANGE_KINDS.indexOf("end-code"), ...hash)), true, `gate ${g.gateId}: one end-code on flash`);
        assert.equal(containsBytes(g.flash.image, Uint8Array.of(CHANGE_KINDS.indexOf("use-code"), ...hash)), false, `gate ${g.gateId}: no use-code on flash`);
      }
      assert.equal((await db.query("select 1 from code_seal where code_id = $1", [id])).length, 0, "its sealed copies are dropped");
      for (const id_ of [1, 2]) {
        const s = await service.hub.gate(id_);
        assert.equal(s?.appliedVersion, s?.desiredVersion, `gate ${id_} applied every set (no refusal)`);
      }
    });

    // An office that typed gate 1's seal key for gate 2: the hub cannot tell (it never opens what it
    // seals). Gate 2 leaves that code out and says so, and the rest of its sync goes on.
    it("a code sealed to a wrong key is left out at that gate, audited, and the gate's sync goes on", async () => {
      await service.hub.setSealKey(2, g1.firmware.gateIdentity()!.sealKey!);
      const { code } = await issue(1);
      await rig.until("the code at gate 1", () => heldAt(g1, code));
      await rig.until("gate 2's audit of the code it could not open", () => g2.firmware.core.audit.entries().some((e) => e.kind === "sync-refused" && e.detail === `code for R000${VISITOR} E_SEAL_OPEN`));
      assert.equal(heldAt(g2, code), false);
      await service.hub.putResidents(COMPOUND, [{ id: 40, unit: "1-401", role: "owner", groups: 1, cards: [Uint8Array.of(4, 0x40, 0x40, 0x40)] }]);
      await rig.until("the next resident at gate 2", () => g2.firmware.core.registry.has(40), 20_000);
      await rig.until("gate 2 acknowledged its desired version", async () => { const s = await service.hub.gate(2); return s?.appliedVersion === s?.desiredVersion; }, 20_000);
      await service.hub.setSealKey(2, g2.firmware.gateIdentity()!.sealKey!);
    });
  });
}
