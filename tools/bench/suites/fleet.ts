// The fleet under load (issue 20, "Load"; tools/bench/fleet/run.ts): 50 gates
// (protocol-level gates in Node and real firmware gates in XS), 20,000
// residents, on loopback with the embedded broker, once on PGlite and once on
// PostgreSQL (127.0.0.1:5432) when it answers. Scale with FLEET_GATES,
// FLEET_XS, FLEET_RESIDENTS, FLEET_RATE (changes per minute), FLEET_WINDOW_S; FLEET_POSTGRES=0 skips
// PostgreSQL, FLEET_PHASE_TIMEOUT_S bounds each wait.
import { runFleetBench, type Erasure, type FleetBenchOptions, type FleetBenchResult, type Lag } from "../fleet/run";
import type { BenchRow, BenchSuite } from "../harness";
import { reachable } from "../../hub/reachable";

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

export const GOALS = { erasureMs: 5_000, newGateMs: 60_000 };


const met = (ok: boolean) => (ok ? "goal met" : "GOAL MISSED");
const s = (ms: number) => Math.round(ms / 100) / 10;

/** The result as bench rows (times in s or ms, loads per phase). */
export function fleetRows(r: FleetBenchResult): BenchRow[] {
  const db = r.database === "pglite" ? "PGlite" : "PostgreSQL";
  const at = `${r.residents.toLocaleString("en-US")} residents`;
  const rows: BenchRow[] = [
    { case: `${db}: full resync of ${r.protocolGates - 1 + Math.max(0, r.xsGates - 1)} gates, ${at}`, value: s(r.fleetSyncMs), unit: "s", note: "every gate's applied ack at the hub" },
    { case: `${db}: new protocol gate, initial sync, ${at}`, value: s(r.newGate.protocolMs), unit: "s", target: "<= 60 s", note: `${met(r.newGate.protocolMs <= GOALS.newGateMs)}; registering it at the hub took ${s(r.newGate.protocolReconcileMs)} s of that` },
  ];
  if (r.newGate.xsMs !== undefined) {
    rows.push(
      { case: `${db}: new XS firmware gate, initial sync, ${at}`, value: s(r.newGate.xsMs), unit: "s", target: "<= 60 s", note: `${met(r.newGate.xsMs <= GOALS.newGateMs)}; boot and registration ${s(r.newGate.xsReconcileMs!)} s of that` },
      { case: `${db}:   XS computrons per resident synced`, value: r.newGate.xsComputronsPerResident!, unit: "computrons", note: "all the firmware did from provisioning to the last ack (verify, apply, store, ticks) / residents" },
    );
  }
  const lag = (name: string, l: Lag, note = "") => ({ case: `${db}: ${name}`, value: Math.round(l.p50), unit: "ms p50", note: `p95 ${Math.round(l.p95)} ms, p99 ${Math.round(l.p99)} ms, max ${Math.round(l.max)} ms${note}` });
  const c = r.changes;
  rows.push(lag(`change saved -> last gate's ack (${c.issued} changes, ${Math.round(c.perMinute)}/min)`, c.lag,
    `; ${c.versions} sets for ${c.gates} gates (${(c.issued * c.gates / Math.max(1, c.versions)).toFixed(1)} changes per set)${c.unacked ? `; ${c.unacked} never acknowledged by every gate` : ""}`));
  rows.push(lag("  an edit, until saved", c.save, " (the next edit waits for it)"));
  rows.push(lag("  to the last protocol gate's ack", c.lagProtocol));
  if (c.lagXs) rows.push(lag("  to the XS gates' ack", c.lagXs));
  const erasure = (name: string, e: Erasure, note = "") => ({
    case: `${db}: ${name} (${e.gates} gates)`, value: Math.round(e.ms), unit: "ms", target: "<= 5 s",
    note: `${met(e.done && e.ms <= GOALS.erasureMs)}; last protocol gate ${s(e.protocolMs)} s${e.xsMs !== undefined ? `, XS gate(s) ${s(e.xsMs)} s` : ""}${note}`,
  });
  rows.push(erasure("withdrawal -> every gate's erasure receipt", r.erasure));
  const u = r.erasureUnderInventories;
  rows.push(erasure("  the same while the gates' inventories arrive", u, `; the broker took ${u.inventoryParts} inventory parts meanwhile`));
  for (const p of r.phases) {
    const perS = (n: number) => Math.round(n / (p.wallMs / 1000));
    rows.push({
      case: `${db}: load, ${p.phase}`, value: p.db.statements, unit: "statements",
      note: `${s(p.wallMs)} s; ${perS(p.db.statements)}/s, ${p.db.transactions} transactions, mean ${(p.db.busyMs / Math.max(1, p.db.statements)).toFixed(2)} ms; broker ${p.broker.published} messages in, ${(p.broker.tcpIn / 1e6).toFixed(2)} MB in, ${(p.broker.tcpOut / 1e6).toFixed(2)} MB out`,
    });
  }
  rows.push({ case: `${db}: rows at the end`, value: r.rows.desired_record, unit: "desired records", note: Object.entries(r.rows).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ") });
  rows.push({ case: `${db}: gate links lost during the run`, value: r.linkDrops.length, unit: "drops", note: r.linkDrops.join("; ") || "none" });
  rows.push({ case: `${db}: gates behind or diverged at the end`, value: r.behind.length + r.diverged.length, unit: "gates", note: r.errors.length ? `${r.errors.length} errors, first: ${r.errors[0]}` : "no errors" });
  return rows;
}

const suite: BenchSuite = {
  name: "fleet",
  async run(): Promise<BenchRow[]> {
    const options: FleetBenchOptions = {
      gates: env("FLEET_GATES", 50), xsGates: env("FLEET_XS", 1), residents: env("FLEET_RESIDENTS", 20_000),
      changesPerMinute: env("FLEET_RATE", 1000), windowMs: env("FLEET_WINDOW_S", 60) * 1000,
      phaseTimeoutMs: env("FLEET_PHASE_TIMEOUT_S", 300) * 1000,
      log: (line) => process.stderr.write(`fleet: ${new Date().toISOString().slice(11, 19)} ${line}\n`),
    };
    const rows = process.env.FLEET_PGLITE === "0" ? [{ case: "PGlite: skipped (FLEET_PGLITE=0)", value: 0, unit: "" }] : fleetRows(await runFleetBench(options));
    const pg = { host: process.env.PGHOST ?? "127.0.0.1", port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? "postgres", database: process.env.PGDATABASE ?? "test" };
    if (process.env.FLEET_POSTGRES === "0") rows.push({ case: "PostgreSQL: skipped (FLEET_POSTGRES=0)", value: 0, unit: "" });
    else if (await reachable(pg.host, pg.port)) rows.push(...fleetRows(await runFleetBench({ ...options, postgres: pg })));
    else rows.push({ case: `PostgreSQL: skipped, not reachable at ${pg.host}:${pg.port}`, value: 0, unit: "" });
    return rows;
  },
};

export default suite;
