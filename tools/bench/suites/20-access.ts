// Access core at scale: card decision cost in XS computrons at 100, 1,000 and
// 20,000 residents (two cards each), the audit append inside it, and the
// memory of 20,000 residents + 40,000 cards, both as typed-array bytes
// (registry.byteLength) and as XS heap growth from the xsnap meter.
// Residents are loaded through registry.apply() with precomputed PIN hashes
// (the replay path a store uses at boot), so no HMAC runs while building.
import { bundleForXs, repoRoot } from "../../xs/bundle";
import { runScriptInXs } from "../../xs/run";
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { AccessCore } from "../../../src/core/access/access-core";
import { AuditLog } from "../../../src/core/audit/audit-log";
import { benchPolicy, buildResidents, cardFor, NOW } from "../../../test/core/access/scale-fixture";

const imports = `
import { AccessCore } from "./src/core/access/access-core";
import { AuditLog } from "./src/core/audit/audit-log";
import { buildResidents, benchPolicy, cardFor, NOW } from "./test/core/access/scale-fixture";
`;

function setup(n: number): string {
  return `
const registry = buildResidents(${n});
const audit = new AuditLog({ capacity: 1024 });
const core = new AccessCore({ registry, policy: benchPolicy, audit });
const events = [];
for (let k = 0; k < 16; k++) events.push({ kind: "card", uid: cardFor(1 + ((k * 7919) % ${n}), k & 1) });
const entry = { time: NOW, actorKind: "resident", actor: 1, kind: "card", decision: "grant", reason: "granted" };
`;
}

/**
 * Builds the registry, keeps it reachable, collects garbage, and reads the
 * live slot count from the xsnap meter; typed-array bytes (XS chunks, not
 * slots) come from registry.byteLength.
 */
async function heap(n: number): Promise<{ heapCount: number; typed: number }> {
  const contents = `${imports}
(globalThis as any).keep = buildResidents(${n});
const bytes = (globalThis as any).keep.byteLength;
issueCommand(new Uint8Array([bytes >>> 24, bytes >>> 16 & 255, bytes >>> 8 & 255, bytes & 255]).buffer);
(globalThis as any).gc();`;
  const script = await bundleForXs("bench-heap.ts", { contents, resolveDir: repoRoot });
  let typed = 0;
  const result = await runScriptInXs(script, { onCommand: (b) => { typed = (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]) >>> 0; } });
  return { heapCount: result.meter.currentHeapCount, typed };
}

const suite: BenchSuite = {
  name: "access",
  async run() {
    const rows: BenchRow[] = [];
    const cost: Record<number, number> = {};
    for (const n of [100, 1_000, 20_000]) {
      cost[n] = await xsComputrons({ imports, setup: setup(n), op: "core.decide(events[i & 15], NOW);", n: 32 });
    }
    const append = await xsComputrons({ imports, setup: setup(100), op: "audit.append(entry);", n: 32 });
    for (const n of [100, 1_000, 20_000]) {
      rows.push({
        case: `card decision in XS, ${n.toLocaleString("en-US")} residents (incl. audit append)`,
        value: Math.round(cost[n]), unit: "computrons", baseline: cost[100], baselineName: "100 residents",
        target: n === 20_000 ? "≤ 1.5× of 100, < 50,000" : undefined,
      });
    }
    rows.push({ case: "  of which audit append (1 SHA-256 block)", value: Math.round(append), unit: "computrons" });
    rows.push({ case: "card decision logic without the audit append, 20,000 residents", value: Math.round(cost[20_000] - append), unit: "computrons" });

    const empty = await heap(0);
    const full = await heap(20_000);
    const slots = full.heapCount - empty.heapCount;
    const total = full.typed + slots * 16;
    rows.push({ case: "20,000 residents + 40,000 cards: typed arrays (registry.byteLength)", value: full.typed, unit: "bytes", note: `${(full.typed / 20_000).toFixed(1)} B per resident incl. 2 cards and both indexes` });
    rows.push({ case: "20,000 residents + 40,000 cards: live XS slots after gc() (meter currentHeapCount)", value: slots, unit: "slots", note: `${empty.heapCount} → ${full.heapCount}; × 16 B on the ESP32` });
    rows.push({ case: "20,000 residents + 40,000 cards: total on the board", value: total, unit: "bytes", target: "≤ 2 MB", note: `${(total / 20_000).toFixed(1)} B per resident` });

    const registry = buildResidents(20_000);
    const core = new AccessCore({ registry, policy: benchPolicy, audit: new AuditLog({ capacity: 1024 }) });
    const uids = Array.from({ length: 16 }, (_, k) => cardFor(1 + ((k * 7919) % 20_000), k & 1));
    let i = 0;
    rows.push({ case: "card decision in Node, 20,000 residents (incl. audit append)", value: nsPerCall(() => core.decide({ kind: "card", uid: uids[i++ & 15] }, NOW), 2_000), unit: "ns" });
    return rows;
  },
};
export default suite;
