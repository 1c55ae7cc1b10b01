// The fleet load bench (issue 20, "Load"): a hub on PGlite or PostgreSQL with
// the embedded broker, a fleet of protocol-level and XS firmware gates, and
// the compound's residents; then a new gate's initial sync, a window of
// resident changes with the lag to the last gate's ack, a withdrawal until
// every gate's erasure receipt, and the hub's database and broker load per
// phase. Times are wall-clock on loopback: figures, never assertions.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { decodeMessage } from "../../../src/core/sync/messages";
import { parseTopic } from "../../../src/core/sync/topics";
import { num, openPglite, openPostgres, type Db, type PostgresOptions } from "../../hub/db";
import { startHubService, type HubService } from "../../hub/service";
import { protocolGate, xsGate, type FleetGate } from "./gates";
import { countingDb, startCountingBroker, type BrokerLoad, type CountingBroker, type DbLoad } from "./load";
import { benchResident, seedResidents } from "./seed";

const COMPOUND = 1;

export interface FleetBenchOptions {
  /** Gates in all, XS ones included. */
  gates: number;
  /** Of those, real firmware gates in XS (the last one joins as the new gate). */
  xsGates: number;
  residents: number;
  changesPerMinute: number;
  windowMs: number;
  /** PostgreSQL instead of PGlite (a schema of its own, dropped afterwards). */
  postgres?: PostgresOptions;
  /** A protocol gate sends its inventory once its registry was quiet this long (the firmware's pace). */
  inventoryQuietMs?: number;
  /** The XS gates' flash (a RAM NOR flash). */
  xsFlashBytes?: number;
  /** Longest wait for any one phase to finish. */
  phaseTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface PhaseLoad {
  phase: string;
  wallMs: number;
  db: DbLoad;
  broker: BrokerLoad;
}

export interface Lag { count: number; p50: number; p95: number; p99: number; max: number }

/** A withdrawal until every gate's receipt; `protocolMs`, `xsMs`: to the last receipt of each kind of gate. */
export interface Erasure { gates: number; ms: number; done: boolean; protocolMs: number; xsMs?: number }

export interface FleetBenchResult {
  database: "pglite" | "postgres";
  protocolGates: number;
  xsGates: number;
  residents: number;
  /** The fleet's full resync of the seeded residents: every gate at its desired version. */
  fleetSyncMs: number;
  newGate: { protocolMs: number; protocolReconcileMs: number; xsMs?: number; xsReconcileMs?: number; xsComputronsPerResident?: number };
  /** `save`: an edit's time until saved (the bench issues the next one after it); `versions`: the sets the edits became across the fleet (fewer than issued x gates when edits were coalesced). */
  changes: { issued: number; perMinute: number; save: Lag; lag: Lag; lagProtocol: Lag; lagXs?: Lag; unacked: number; versions: number; gates: number };
  erasure: Erasure;
  /** The same, issued once the gates' inventories of the changes were arriving; `inventoryParts`: those the broker took meanwhile. */
  erasureUnderInventories: Erasure & { inventoryParts: number };
  phases: PhaseLoad[];
  rows: Record<string, number>;
  /** Gates whose reported inventory differs from their desired state, after everything settled. */
  diverged: number[];
  /** Gates not at their desired version at the end. */
  behind: number[];
  /** Gate links lost during the run: the broker's account (no DISCONNECT) and the XS gates' own reasons. */
  linkDrops: string[];
  errors: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lagOf(values: number[]): Lag {
  const v = values.slice().sort((a, b) => a - b);
  const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : NaN);
  return { count: v.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: v.length ? v[v.length - 1] : NaN };
}

export async function runFleetBench(o: FleetBenchOptions): Promise<FleetBenchResult> {
  const log = o.log ?? (() => undefined);
  const timeout = o.phaseTimeoutMs ?? 300_000;
  const errors: string[] = [];
  const dir = o.postgres ? undefined : mkdtempSync(path.join(tmpdir(), "optgate-fleet-bench-"));
  const schema = `bench_fleet_${randomBytes(4).toString("hex")}`;
  const raw: Db = o.postgres ? await openPostgres({ ...o.postgres, schema, max: 8 }) : await openPglite(path.join(dir!, "db"));
  const dbLoad: DbLoad = { statements: 0, transactions: 0, busyMs: 0 };
  const benchStart = performance.now();
  const seconds = (at: number) => `${((at - benchStart) / 1000).toFixed(1)} s`;
  let broker: CountingBroker | undefined, service: HubService | undefined;
  const gates: FleetGate[] = [];
  try {
    broker = await startCountingBroker();
    service = await startHubService({
      db: countingDb(raw, dbLoad), brokerUrl: broker.url, signingSeed: new Uint8Array(32).fill(23), clientId: `optgate-bench-hub-${schema}`,
      onError: (e) => errors.push(`hub: ${e.message}`), onDrop: (why, t) => errors.push(`hub dropped ${t}: ${why}`),
    });
    const hub = service.hub;
    await hub.addCompound(COMPOUND, "Bench compound");

    // What the hub took from the gates, seen as it finished handling each message.
    const acks = new Map<number, { applied: number; at: number }[]>();
    const receipts: { gate: number; at: number }[] = [];
    /** Per gate, the version of the last inventory whose every part the hub has stored. */
    const inventoried = new Map<number, number>();
    const receive = hub.receive.bind(hub);
    hub.receive = async (topicText, payload) => {
      await receive(topicText, payload);
      const t = parseTopic(topicText);
      if (t?.leaf === "ack") {
        const m = decodeMessage(payload).message;
        if (m.type === "ack") (acks.get(t.gate) ?? acks.set(t.gate, []).get(t.gate)!).push({ applied: m.applied, at: performance.now() });
      }
      if (t?.leaf === "erased") receipts.push({ gate: t.gate, at: performance.now() });
      if (t?.leaf === "inventory") {
        const m = decodeMessage(payload).message;
        if (m.type === "inventory" && m.part === m.parts - 1) inventoried.set(t.gate, m.applied);
      }
    };
    const ackedAt = (gate: number, version: number) => acks.get(gate)?.find((a) => a.applied >= version)?.at;

    const phases: PhaseLoad[] = [];
    let mark = { at: performance.now(), db: { ...dbLoad }, broker: broker.load() };
    const endPhase = (phase: string) => {
      const now = { at: performance.now(), db: { ...dbLoad }, broker: broker!.load() };
      phases.push({
        phase, wallMs: now.at - mark.at,
        db: { statements: now.db.statements - mark.db.statements, transactions: now.db.transactions - mark.db.transactions, busyMs: now.db.busyMs - mark.db.busyMs },
        broker: { published: now.broker.published - mark.broker.published, payloadBytes: now.broker.payloadBytes - mark.broker.payloadBytes, inventoryParts: now.broker.inventoryParts - mark.broker.inventoryParts, tcpIn: now.broker.tcpIn - mark.broker.tcpIn, tcpOut: now.broker.tcpOut - mark.broker.tcpOut },
      });
      mark = now;
    };
    const until = async (what: string, done: () => Promise<boolean> | boolean) => {
      waitingFor = [];
      const begin = performance.now(), end = begin + timeout;
      let told = begin;
      log(`waiting for ${what}`);
      while (!(await done())) {
        const now = performance.now();
        if (now > end) throw new Error(`fleet bench: timed out waiting for ${what}${waitingFor.length ? `: ${waitingFor.slice(0, 5).join("; ")}` : ""}`);
        if (now - told > 30_000) { told = now; log(`still waiting for ${what} (${Math.round((now - begin) / 1000)} s): ${waitingFor.slice(0, 3).join("; ")}`); }
        await sleep(20);
      }
    };
    const states = () => raw.query<{ id: unknown; desired_version: unknown; applied_version: unknown; needs_full: boolean; inventory_version: unknown }>(
      "select id, desired_version, applied_version, needs_full, inventory_version from gate order by id");
    // The gates a wait is still waiting for, named when it times out.
    let waitingFor: string[] = [];
    const allSynced = async () => {
      waitingFor = (await states()).filter((g) => g.needs_full || num(g.applied_version) !== num(g.desired_version)).map((g) => `gate ${num(g.id)} at ${num(g.applied_version)} of ${num(g.desired_version)}`);
      return waitingFor.length === 0;
    };
    const allReported = async () => {
      waitingFor = (await states()).filter((g) => inventoried.get(num(g.id)) !== num(g.desired_version)).map((g) => `gate ${num(g.id)} inventory of ${inventoried.get(num(g.id)) ?? "none"}, desired ${num(g.desired_version)}`);
      return waitingFor.length === 0;
    };

    // The fleet, less one protocol gate and one XS gate that join later as new gates.
    const protocolCount = o.gates - o.xsGates, quiet = o.inventoryQuietMs ?? 12_500, flash = o.xsFlashBytes ?? 8 * 1024 * 1024;
    if (protocolCount < 1) throw new Error("The fleet bench needs at least one protocol gate.");
    for (let id = 1; id < protocolCount; id++) gates.push(await protocolGate(hub, broker.url, COMPOUND, id, quiet));
    for (let id = protocolCount + 1; id < o.gates; id++) gates.push(await xsGate(hub, broker.port, COMPOUND, id, flash));
    await until("every gate online", async () => (await raw.query<{ n: unknown }>("select count(*) as n from gate where online")).map((r) => num(r.n))[0] === gates.length);
    endPhase("gates join (empty compound)");

    log(`seeding ${o.residents} residents for ${gates.length} gates`);
    await seedResidents(raw, COMPOUND, o.residents);
    endPhase("bulk seed (not counted: bench's own statements)");
    let start = performance.now();
    for (const g of gates) await hub.resync(g.id);
    await until("the fleet's full resync", allSynced);
    const fleetSyncMs = performance.now() - start;
    log(`fleet synced in ${(fleetSyncMs / 1000).toFixed(1)} s`);
    endPhase(`full resync of ${gates.length} gates`);
    await until("every gate's inventory", allReported).catch((e: Error) => errors.push(e.message));
    endPhase("inventories after the resync");

    // A new protocol gate: registered (the hub reconciles its desired state and sends it), then connected.
    const desiredOf = async (id: number) => num((await raw.query<{ v: unknown }>("select desired_version as v from gate where id = $1", [id]))[0].v);
    start = performance.now();
    gates.push(await protocolGate(hub, broker.url, COMPOUND, protocolCount, quiet));
    const protocolReconcileMs = performance.now() - start;
    const pv = await desiredOf(protocolCount);
    await until("the new protocol gate's sync", () => ackedAt(protocolCount, pv) !== undefined);
    const newGate: FleetBenchResult["newGate"] = { protocolMs: ackedAt(protocolCount, pv)! - start, protocolReconcileMs };
    log(`new protocol gate synced in ${(newGate.protocolMs / 1000).toFixed(1)} s`);
    endPhase("new protocol gate");
    if (o.xsGates > 0) {
      start = performance.now();
      const g = await xsGate(hub, broker.port, COMPOUND, o.gates, flash);
      gates.push(g);
      newGate.xsReconcileMs = performance.now() - start;
      const before = g.computrons!(), xv = await desiredOf(o.gates);
      await until("the new XS gate's sync", () => ackedAt(o.gates, xv) !== undefined);
      newGate.xsMs = ackedAt(o.gates, xv)! - start;
      newGate.xsComputronsPerResident = Math.round((g.computrons!() - before) / o.residents);
      log(`new XS gate synced in ${(newGate.xsMs / 1000).toFixed(1)} s`);
      endPhase("new XS gate (boot included)");
    }
    await until("every gate's inventory", allReported).catch((e: Error) => errors.push(e.message));
    endPhase("inventories after the new gates");

    // Resident changes at the given rate, one after the other (a change is one office edit, which
    // returns once saved: its sets follow, coalesced with the edits saved meanwhile).
    const pending: { savedAt: number; versions: Map<number, number> }[] = [], saves: number[] = [];
    const every = 60_000 / o.changesPerMinute;
    const versionsBefore = (await states()).reduce((sum, g) => sum + num(g.desired_version), 0);
    start = performance.now();
    for (let i = 0; performance.now() - start < o.windowMs; i++) {
      const due = start + i * every - performance.now();
      if (due > 0) await sleep(due);
      const editAt = performance.now();
      await hub.putResidents(COMPOUND, [benchResident(1 + ((i * 7919) % o.residents), i + 1)], { awaitSend: false });
      const savedAt = performance.now();
      saves.push(savedAt - editAt);
      pending.push({ savedAt, versions: new Map((await states()).map((g) => [num(g.id), num(g.desired_version)])) });
      if (i % 100 === 99) log(`${i + 1} changes in ${Math.round((performance.now() - start) / 1000)} s`);
    }
    const issuedMs = performance.now() - start, partsAtWindowEnd = broker.load().inventoryParts;
    await until("every change acknowledged", allSynced).catch((e: Error) => errors.push(e.message));
    const lags: number[] = [], lagsP: number[] = [], lagsX: number[] = [];
    let unacked = 0;
    const xsIds = new Set(gates.filter((g) => g.kind === "xs").map((g) => g.id));
    for (const change of pending) {
      const times = [...change.versions].map(([gate, v]) => ({ gate, at: ackedAt(gate, v) }));
      if (times.some((t) => t.at === undefined)) { unacked++; continue; }
      const last = (keep: (gate: number) => boolean) => Math.max(...times.filter((t) => keep(t.gate)).map((t) => t.at!)) - change.savedAt;
      lags.push(last(() => true));
      lagsP.push(last((g) => !xsIds.has(g)));
      if (xsIds.size) lagsX.push(last((g) => xsIds.has(g)));
    }
    const versions = (await states()).reduce((sum, g) => sum + num(g.desired_version), 0) - versionsBefore;
    const changes: FleetBenchResult["changes"] = {
      issued: pending.length, perMinute: pending.length / (issuedMs / 60_000), save: lagOf(saves), lag: lagOf(lags), lagProtocol: lagOf(lagsP), unacked, versions, gates: gates.length,
      ...(xsIds.size ? { lagXs: lagOf(lagsX) } : {}),
    };
    endPhase(`${pending.length} changes, ${Math.round(changes.perMinute)}/min`);

    // A withdrawal at the office until every gate's signed receipt is in; then a second one once the
    // gates' inventories of the changes pour in, the heaviest moment for the hub's database.
    const withdraw = async (residentId: number): Promise<FleetBenchResult["erasure"]> => {
      receipts.length = 0;
      start = performance.now();
      log(`withdrawal of resident ${residentId}'s consent`);
      const order = await hub.withdrawConsent(COMPOUND, residentId);
      const pendingErasures = async () => num((await raw.query<{ n: unknown }>("select count(*) as n from erasure where order_id = $1 and state = 'pending'", [order]))[0].n);
      let done = true;
      await until("every erasure receipt", async () => (await pendingErasures()) === 0).catch((e: Error) => { done = false; errors.push(e.message); });
      const lastReceipt = (keep: (gate: number) => boolean) => Math.max(...receipts.filter((r) => keep(r.gate)).map((r) => r.at)) - start;
      return {
        gates: new Set(receipts.map((r) => r.gate)).size, ms: lastReceipt(() => true), done,
        protocolMs: lastReceipt((g) => !xsIds.has(g)), ...(xsIds.size ? { xsMs: lastReceipt((g) => xsIds.has(g)) } : {}),
      };
    };
    const erasure = await withdraw(1);
    endPhase("withdrawal");
    const parts = () => broker!.load().inventoryParts;
    await until("the gates' inventories under way", () => parts() - partsAtWindowEnd >= gates.length).catch((e: Error) => errors.push(e.message));
    const partsBefore = parts();
    const erasureUnderInventories = { ...(await withdraw(2)), inventoryParts: parts() - partsBefore };
    endPhase("withdrawal during the inventories");

    await until("every gate's final inventory", async () => (await allSynced()) && allReported()).catch((e: Error) => errors.push(e.message));
    endPhase("inventories after the changes");
    const diverged: number[] = [], behind: number[] = [];
    for (const g of await states()) {
      if (g.needs_full || num(g.applied_version) !== num(g.desired_version)) behind.push(num(g.id));
      const c = await hub.compare(num(g.id));
      if (c.missing.length || c.extra.length || c.different.length) diverged.push(num(g.id));
    }
    const rows: Record<string, number> = {};
    for (const table of ["resident", "card", "desired_record", "change_set", "ack_log", "inventory", "erasure"]) {
      rows[table] = num((await raw.query<{ n: unknown }>(`select count(*) as n from ${table}`))[0].n);
    }
    for (const g of gates) errors.push(...g.errors().map((e) => `gate ${g.id}: ${e}`));
    const linkDrops = [
      ...broker.drops().map((d) => `${seconds(d.at)}: broker lost ${d.clientId}: ${d.reason}`),
      ...gates.flatMap((g) => (g.linkDrops?.() ?? []).map((d) => `${seconds(d.at)}: XS gate ${g.id} went offline: ${d.reason}`)),
    ];
    return {
      database: raw.kind, protocolGates: protocolCount, xsGates: o.xsGates, residents: o.residents,
      fleetSyncMs, newGate, changes, erasure, erasureUnderInventories, phases, rows, diverged, behind, linkDrops, errors,
    };
  } finally {
    for (const g of gates) await g.close().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await broker?.close();
    if (o.postgres) await raw.exec(`drop schema ${schema} cascade`).catch(() => undefined);
    await raw.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
