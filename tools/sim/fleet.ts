// npm start -- --gates N: the hub (embedded PGlite and aedes, the office page)
// and N simulated gates, each the real firmware in XS with its own flash
// image, joined over real TCP. Each gate is registered at the hub with its
// public key and seal key (codes issued at the office are sealed to it) and
// provisioned with the broker and the hub's key, as an
// installer would with `hub show` at the hub and `hub set` at the gate.
// The simulator also plays the installer's host for the compound PIN key
// (tools/optgate pin-key): one key per fleet, in <dataDir>/compound-1.pinkey
// (beside the hub's directory, never in it), sealed to each gate and
// installed, so a PIN set at gate 1 opens gate 2.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { DEMO_RESIDENTS } from "../../boards/host/demo-compound";
import type { HostEvent } from "../../boards/host/protocol";
import { parseResidentId } from "../../src/core/access/types";
import { startHubStack, type HubStack } from "../hub/main";
import { newKeyFile, readKeyFile, sealFor } from "../optgate/pin-key";
import type { SimEmbedder } from "./face-model";
import { startSimulator, type Simulator } from "./simulator";

export const FLEET_COMPOUND = 1;

export interface FleetSimOptions {
  gates: number;
  /** Hub data and the gates' flash images (default .sim/fleet). */
  dataDir: string;
  /** Start from erased images and an empty hub database. */
  fresh?: boolean;
  /** The embedded broker's port (0: a free one). */
  brokerPort?: number;
  /** The office page's port (0: a free one; "off": none). */
  web?: number | "off";
  timeZone?: string;
  /** Real time (interactive); tests move time themselves. */
  realtime?: boolean;
  log?: (line: string) => void;
  /** The face model every gate runs (as --embedder). */
  embedder?: SimEmbedder;
  /** Simulated time at boot (as --time). */
  startTime?: number;
  onEvent?: (gateId: number, event: HostEvent) => void;
}

export interface FleetSim {
  hub: HubStack;
  gates: Simulator[];
  close(): Promise<void>;
}

export async function startFleetSim(o: FleetSimOptions): Promise<FleetSim> {
  if (!Number.isInteger(o.gates) || o.gates < 1 || o.gates > 16) throw new Error("--gates takes 1..16.");
  const log = o.log ?? (() => undefined);
  mkdirSync(o.dataDir, { recursive: true });
  const hubDir = path.join(o.dataDir, "hub");
  // Afresh means the hub too: its database knows the gates' old keys.
  if (o.fresh) rmSync(hubDir, { recursive: true, force: true });
  const freshHub = !existsSync(path.join(hubDir, "db"));
  const hub = await startHubStack({
    dataDir: hubDir, brokerPort: o.brokerPort ?? 1884, web: o.web ?? 8080, compound: FLEET_COMPOUND, timeZone: o.timeZone ?? "CST-8",
    onError: (e) => log(`hub: ${e.message}`), onDrop: (why, topic) => log(`hub: dropped ${topic}: ${why}`),
  });
  const gates: Simulator[] = [];
  const keyFile = path.join(o.dataDir, `compound-${FLEET_COMPOUND}.pinkey`);
  if (o.fresh) rmSync(keyFile, { force: true });
  if (!existsSync(keyFile)) newKeyFile(keyFile);
  const pinKey = readKeyFile(keyFile);
  try {
    const h = hub.service.hub;
    const [known] = await hub.db.query("select 1 from compound where id = $1", [FLEET_COMPOUND]);
    if (!known) await h.addCompound(FLEET_COMPOUND, `Compound ${FLEET_COMPOUND}`);
    // The demo compound's residents, once, at the hub: every gate gets them (face stays per gate: consent is given at a gate).
    if (freshHub) await h.putResidents(FLEET_COMPOUND, DEMO_RESIDENTS.map((r) => ({
      id: parseResidentId(r.id), unit: r.unit, role: r.role, groups: 1, cards: [Uint8Array.from(Buffer.from(r.card, "hex"))],
      ...(r.validDays ? { validUntil: Date.now() + r.validDays * 86_400_000 } : {}),
    })));
    for (let id = 1; id <= o.gates; id++) {
      const sim = await startSimulator({ image: path.join(o.dataDir, `gate-${id}.flash`), fresh: o.fresh, gateId: id, demo: "fleet", realtime: o.realtime, embedder: o.embedder, startTime: o.startTime,
        ...(o.onEvent ? { onEvent: (event: HostEvent) => o.onEvent!(id, event) } : {}) });
      gates.push(sim);
      const { publicKey, sealKey } = sim.identity();
      const [row] = await hub.db.query<{ public_key: Uint8Array; seal_key: Uint8Array | null }>("select public_key, seal_key from gate where id = $1", [id]);
      if (!row) await h.addGate({ id, compoundId: FLEET_COMPOUND, name: `Gate ${id}`, publicKey, ...(sealKey ? { sealKey } : {}) });
      else if (row.seal_key === null && sealKey && Buffer.compare(Buffer.from(row.public_key), Buffer.from(publicKey)) === 0) await h.setSealKey(id, sealKey);
      else if (Buffer.compare(Buffer.from(row.public_key), Buffer.from(publicKey)) !== 0) {
        throw new Error(`gate ${id}'s key changed (its image was replaced) but the hub knows the old one: start again with --fresh`);
      }
      await sim.provisionHub({ compoundId: FLEET_COMPOUND, host: "127.0.0.1", port: hub.brokerPort!, hubKeys: [h.publicKey] });
      if (sealKey) await sim.installPinKey(sealFor(pinKey, { gateId: id, compoundId: FLEET_COMPOUND, sealKeyHex: Buffer.from(sealKey).toString("hex") }));
      log(`gate ${id}: registered (key ${Buffer.from(publicKey).toString("hex").slice(0, 16)}...) and provisioned`);
    }
  } catch (error) {
    for (const g of gates) await g.close();
    await hub.close();
    throw error;
  }
  return {
    hub, gates,
    async close() {
      for (const g of gates) await g.close();
      await hub.close();
    },
  };
}
