// The bench's gates: protocol-level gates (the real sync core, erasure and
// Registry in Node, tools/hub/protocol-gate.ts) on their own MQTT clients,
// and real firmware gates in XS (the simulator, tools/sim/simulator.ts) on
// real TCP, each registered at the hub with its own key.
import { randomBytes } from "node:crypto";
import { NorFlash } from "../../../boards/host/nor-flash";
import type { Random } from "../../../src/core/ports";
import { inventorySteps } from "../../../src/core/sync/inventory";
import { ProtocolGate, connectGate, type ConnectedGate, type Outgoing, type ProtocolGateOptions } from "../../hub/protocol-gate";
import type { Hub } from "../../hub/hub";
import { nativeSigner, nativeVerify } from "../../hub/native-ed25519";
import { ramFlash } from "../../sim/flash";
import { startSimulator, type Simulator } from "../../sim/simulator";

/** Residents digested between yields. */
const DIGEST_SLICE = 64;

const random: Random = { fill: (b) => { b.set(randomBytes(b.length)); } };

/**
 * A protocol gate that reports its inventory as the firmware does
 * (src/app/fleet-link.ts): started again by every applied set and sent only
 * once the registry has been quiet for `quietMs` (the firmware digests 16
 * residents per 10 ms tick: 12.5 s at 20,000). ProtocolGate by default
 * answers every set with its whole inventory; computed and thrown away, that
 * was 20,000 SHA-256s per set per gate, in the hub's process, and it was what
 * made one edit cost the bench about 12 s at 50 gates (docs/sync.md).
 */
class BenchGate extends ProtocolGate {
  onApplied?: () => void;

  // Native signatures and checks: these gates stand for boards, and their CPU is not the hub's (it shares this process).
  constructor(options: ProtocolGateOptions) { super({ ...options, inventoryOnApply: false, verify: nativeVerify, signer: nativeSigner }); }

  override receive(topicText: string, payload: Uint8Array): Outgoing[] {
    const before = this.sync.applied;
    const out = super.receive(topicText, payload);
    if (this.sync.applied !== before) this.onApplied?.();
    return out;
  }
}

/**
 * The gate's inventory digested a slice at a time, yielding between slices,
 * as the firmware spreads it over its ticks. All at once, 49 gates' 20,000
 * SHA-256s each held the process (hub included) for seconds, and everything
 * the bench timed then, a withdrawal among them, measured that instead.
 * Undefined when a newer set made it stale (`stale`).
 */
async function digestInSteps(gate: BenchGate, stale: () => boolean): Promise<Outgoing[] | undefined> {
  const applied = gate.sync.applied;
  const steps = inventorySteps(gate.registry);
  for (;;) {
    for (let i = 0; i < DIGEST_SLICE; i++) {
      const next = steps.next();
      if (next.done) return gate.inventory(next.value, applied);
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (stale()) return undefined;
  }
}

export interface FleetGate {
  id: number;
  kind: "protocol" | "xs";
  /** XS computrons the firmware spent since boot (XS gates). */
  computrons?(): number;
  errors(): string[];
  /** Times the gate's hub link went offline, with the reason it gave (XS gates). */
  linkDrops?(): { at: number; reason: string }[];
  close(): Promise<void>;
}

export function gateSeed(gateId: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (gateId * 31 + i + 7) & 0xff);
}

/** A protocol gate registered at the hub (as an installer does first), then connected to the broker. */
export async function protocolGate(hub: Hub, brokerUrl: string, compoundId: number, id: number, inventoryQuietMs: number): Promise<FleetGate> {
  const gate = new BenchGate({ compoundId, gateId: id, seed: gateSeed(id), hubKeys: [hub.publicKey], deviceKey: new Uint8Array(32).fill(9), random, now: () => Date.now() });
  await hub.addGate({ id, compoundId, name: `bench gate ${id}`, publicKey: gate.signer.publicKey });
  const link: ConnectedGate = await connectGate(brokerUrl, gate, compoundId, id);
  let timer: NodeJS.Timeout | undefined, generation = 0;
  gate.onApplied = () => {
    clearTimeout(timer);
    const mine = ++generation;
    timer = setTimeout(() => {
      void digestInSteps(gate, () => mine !== generation)
        .then((out) => (out ? link.publish(out) : undefined))
        .catch((e: Error) => link.errors.push(e));
    }, inventoryQuietMs);
  };
  return {
    id, kind: "protocol",
    errors: () => link.errors.map((e) => e.message),
    async close() { clearTimeout(timer); await link.close(); },
  };
}

/** The firmware in XS on a RAM flash of `flashBytes`, running in real time, provisioned for the hub. */
export async function xsGate(hub: Hub, brokerPort: number, compoundId: number, id: number, flashBytes: number): Promise<FleetGate & { sim: Simulator }> {
  const sim = await startSimulator({ flash: ramFlash(new NorFlash(flashBytes)), gateId: id, demo: "fleet", realtime: true });
  await hub.addGate({ id, compoundId, name: `bench XS gate ${id}`, publicKey: sim.identity().publicKey });
  await sim.provisionHub({ compoundId, host: "127.0.0.1", port: brokerPort, hubKeys: [hub.publicKey] });
  // The status line is the firmware's own account: watch it for the link going offline, and why.
  const drops: { at: number; reason: string }[] = [];
  let online = false;
  const watch = setInterval(() => {
    const status = sim.fleetStatus ?? "";
    if (status.startsWith("online") || status.startsWith("catching-up")) online = true;
    else if (online && status.startsWith("offline")) {
      online = false;
      drops.push({ at: performance.now(), reason: /last problem: (\S+)/.exec(status)?.[1] ?? "no reason given" });
    }
  }, 100);
  return {
    id, kind: "xs", sim,
    computrons: () => sim.computrons,
    errors: () => (sim.dead ? [sim.dead.message] : []),
    linkDrops: () => drops.slice(),
    close: () => { clearInterval(watch); return sim.close(); },
  };
}
