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
import { NorFlash } from "../../../boards/host/nor-flash";
import { loadRegistry } from "../../../src/app/persistence";
import { LogStore } from "../../../src/core/store/log-store";

/**
 * The registry's typed-array bytes after the boot path (LogStore.open +
 * loadRegistry) replays n residents with two cards each, added at the
 * console one by one (so the stream also carries the stored size): as it
 * boots, and on an image without the stored size (older firmware: the tables
 * grow by 1.5x during replay).
 */
function bootPath(n: number): { boot: number; withoutSize: number } {
  const random = { fill: (b: Uint8Array) => { b.fill(3); } };
  const options = { deviceKey: new Uint8Array(32).fill(7), random };
  const flash = new NorFlash(8 * 1024 * 1024);
  const loading = loadRegistry(LogStore.open(flash, { random }), options);
  for (let i = 1; i <= n; i++) loading.addResident({ unit: `B${i % 40}-${i % 1000}`, role: "owner", groups: 1, cards: [cardFor(i, 0), cardFor(i, 1)] });
  const booted = loadRegistry(LogStore.open(flash, { random }), options);
  if (booted.size !== n || booted.cardCount !== 2 * n) throw new Error(`boot path loaded ${booted.size} residents, ${booted.cardCount} cards`);
  const store = LogStore.open(flash, { random });
  store.delete("registry/size");
  return { boot: booted.byteLength, withoutSize: loadRegistry(store, options).byteLength };
}

const imports = `
import { AccessCore } from "./src/core/access/access-core";
import { AuditLog } from "./src/core/audit/audit-log";
import { AuditKey } from "./src/core/audit/chain-key";
import { Ed25519Signer } from "./src/core/ed25519";
import { sha256 } from "./src/core/crypto";
import { buildResidents, benchPolicy, cardFor, NOW } from "./test/core/access/scale-fixture";
`;

function setup(n: number): string {
  return `
const registry = buildResidents(${n});
const audit = new AuditLog({ capacity: 1024, key: new AuditKey(new Uint8Array(32).fill(7)) });
const core = new AccessCore({ registry, policy: benchPolicy, audit });
const signer = new Ed25519Signer(new Uint8Array(32).fill(9));
const statement = new Uint8Array(171);
const record = new Uint8Array(55);
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

/** One constant-time PIN check (compound-pin.ts pinMatchesUnder) under each kind of key, in XS computrons. */
export async function pinCheckCost(): Promise<{ device: number; compound: number }> {
  const pinImports = `
import { hashPin } from "./src/core/access/secrets";
import { compoundPinKey, hashCompoundPin, pinMatchesUnder } from "./src/core/access/compound-pin";
`;
  const pinSetup = `
const device = new Uint8Array(32).fill(7), salt = new Uint8Array(4).fill(1);
const ck = compoundPinKey(new Uint8Array(32).fill(5));
const keys = { device, compound: ck };
const dv = hashPin(device, salt, "583017"), cv = hashCompoundPin(ck.key, 42, salt, "583017");
`;
  return {
    device: await xsComputrons({ imports: pinImports, setup: pinSetup, op: `pinMatchesUnder(keys, 0, 42, salt, dv, "583017");`, n: 16 }),
    compound: await xsComputrons({ imports: pinImports, setup: pinSetup, op: `pinMatchesUnder(keys, ck.id, 42, salt, cv, "583017");`, n: 16 }),
  };
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
    const bareHash = await xsComputrons({ imports, setup: setup(100), op: "sha256(record);", n: 32 });
    const sign = await xsComputrons({ imports, setup: setup(100), op: "signer.sign(statement);", n: 2 });
    const pin = await pinCheckCost();
    for (const n of [100, 1_000, 20_000]) {
      rows.push({
        case: `card decision in XS, ${n.toLocaleString("en-US")} residents (incl. audit append)`,
        value: Math.round(cost[n]), unit: "computrons", baseline: cost[100], baselineName: "100 residents",
        target: n === 20_000 ? "≤ 1.5× of 100, < 50,000" : undefined,
      });
    }
    rows.push({ case: "  of which audit append (HMAC-SHA256 chain)", value: Math.round(append), unit: "computrons", baseline: bareHash, baselineName: "a bare SHA-256 of the record (the unkeyed chain)" });
    rows.push({ case: "signed audit head (Ed25519 in XS, BigInt; only on log export)", value: Math.round(sign), unit: "computrons", baseline: append, baselineName: "one audit append" });
    rows.push({ case: "card decision logic without the audit append, 20,000 residents", value: Math.round(cost[20_000] - append), unit: "computrons" });
    rows.push({ case: "PIN check in XS, verifier under the gate's own key", value: Math.round(pin.device), unit: "computrons" });
    rows.push({ case: "PIN check in XS, verifier under the compound key (resident id in the MAC)", value: Math.round(pin.compound), unit: "computrons", baseline: pin.device, baselineName: "the gate's own key" });

    const empty = await heap(0);
    const full = await heap(20_000);
    const slots = full.heapCount - empty.heapCount;
    const total = full.typed + slots * 16;
    rows.push({ case: "20,000 residents + 40,000 cards: typed arrays (registry.byteLength)", value: full.typed, unit: "bytes", note: `${(full.typed / 20_000).toFixed(1)} B per resident incl. 2 cards and both indexes` });
    rows.push({ case: "20,000 residents + 40,000 cards: live XS slots after gc() (meter currentHeapCount)", value: slots, unit: "slots", note: `${empty.heapCount} → ${full.heapCount}; × 16 B on the ESP32` });
    rows.push({ case: "20,000 residents + 40,000 cards: total on the board", value: total, unit: "bytes", target: "≤ 2 MB", note: `${(total / 20_000).toFixed(1)} B per resident` });

    const boot = bootPath(20_000);
    rows.push({
      case: "20,000 residents + 40,000 cards loaded through the boot path (store replay): typed arrays", value: boot.boot, unit: "bytes",
      baseline: full.typed, baselineName: "reserve(n, 2n)", target: "≤ 2 MB", note: `with the XS slots above: ${boot.boot + slots * 16} B`,
    });
    rows.push({
      case: "  same, image without the stored size (older firmware; that boot stores it)", value: boot.withoutSize, unit: "bytes",
      baseline: full.typed, baselineName: "reserve(n, 2n)", note: "tables grow by 1.5× during replay",
    });

    const registry = buildResidents(20_000);
    const core = new AccessCore({ registry, policy: benchPolicy, audit: new AuditLog({ capacity: 1024 }) });
    const uids = Array.from({ length: 16 }, (_, k) => cardFor(1 + ((k * 7919) % 20_000), k & 1));
    let i = 0;
    rows.push({ case: "card decision in Node, 20,000 residents (incl. audit append)", value: nsPerCall(() => core.decide({ kind: "card", uid: uids[i++ & 15] }, NOW), 2_000), unit: "ns" });
    return rows;
  },
};
export default suite;
