// The databases and brokers the hub tests run against: PGlite and the
// embedded aedes broker always; PostgreSQL (127.0.0.1:5432, database test) and
// Mosquitto (127.0.0.1:1883) when they answer, else skipped with one line.
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { openPostgres, wrapPglite, type Db } from "../../../tools/hub/db";
import { startEmbeddedBroker } from "../../../tools/hub/broker";
import { reachable } from "../../../tools/hub/reachable";

export const POSTGRES = { host: process.env.PGHOST ?? "127.0.0.1", port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? "postgres", database: process.env.PGDATABASE ?? "test" };
export const MOSQUITTO = { host: process.env.MQTT_HOST ?? "127.0.0.1", port: Number(process.env.MQTT_PORT ?? 1883) };


export const postgresUp = await reachable(POSTGRES.host, POSTGRES.port);
export const mosquittoUp = await reachable(MOSQUITTO.host, MOSQUITTO.port);

let shared: Promise<PGlite> | undefined;
const freshSchema = () => `hub_test_${randomBytes(6).toString("hex")}`;

export interface DbKind {
  name: "PGlite" | "PostgreSQL";
  /** Why it is skipped, when it is. */
  skip?: string;
  /** A fresh, empty database (PostgreSQL: a schema of its own, dropped by close). */
  open(): Promise<Db>;
}

export const DATABASES: DbKind[] = [
  {
    name: "PGlite",
    // One instance for the whole run (starting PGlite takes seconds), a schema per test.
    async open() {
      shared ??= PGlite.create();
      const db = await shared;
      const schema = freshSchema();
      await db.exec(`create schema ${schema}; set search_path to ${schema}`);
      return wrapPglite(db, async () => { await db.exec(`set search_path to public; drop schema ${schema} cascade`); });
    },
  },
  {
    name: "PostgreSQL",
    skip: postgresUp ? undefined : `PostgreSQL not reachable at ${POSTGRES.host}:${POSTGRES.port} (.ci/run starts it)`,
    async open() {
      const schema = freshSchema();
      const db = await openPostgres({ ...POSTGRES, schema });
      const close = db.close;
      return { ...db, async close() { await db.exec(`drop schema ${schema} cascade`); await close(); } };
    },
  },
];

export interface BrokerKind {
  name: "aedes" | "Mosquitto";
  skip?: string;
  start(): Promise<{ url: string; close(): Promise<void> }>;
}

export const BROKERS: BrokerKind[] = [
  { name: "aedes", start: () => startEmbeddedBroker() },
  {
    name: "Mosquitto",
    skip: mosquittoUp ? undefined : `Mosquitto not reachable at ${MOSQUITTO.host}:${MOSQUITTO.port} (.ci/run starts it)`,
    async start() { return { url: `mqtt://${MOSQUITTO.host}:${MOSQUITTO.port}`, async close() {} }; },
  },
];

/** describe() for each database; a skipped one is one pending test naming why. */
export function forEachDatabase(title: string, body: (kind: DbKind) => void): void {
  for (const kind of DATABASES) {
    describe(`${title} (${kind.name})`, () => {
      if (kind.skip) { it.skip(`skipped: ${kind.skip}`); return; }
      body(kind);
    });
  }
}

export function forEachBroker(title: string, body: (kind: BrokerKind) => void): void {
  for (const kind of BROKERS) {
    describe(`${title} (${kind.name})`, () => {
      if (kind.skip) { it.skip(`skipped: ${kind.skip}`); return; }
      body(kind);
    });
  }
}
