// npm run hub -- [options]: the hub in one command. By default everything is
// embedded (PGlite under .hub/db, aedes on 127.0.0.1:1884); --database and
// --broker point it at PostgreSQL and Mosquitto instead.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startEmbeddedBroker } from "./broker";
import { openPglite, openPostgres, type Db } from "./db";
import { startHubService, type HubService } from "./service";
import type { Hub } from "./hub";
import { addUser, userCount } from "./web/accounts";
import { buildOffice } from "./web/server";

/** The office page, with a first installer account when there is none. */
async function startOffice(hub: Hub, db: Db, dir: string, compoundId: number, timeZone: string, port: number) {
  if (!Number.isInteger(compoundId) || compoundId < 1) throw new Error("--compound must be a positive integer.");
  const [known] = await db.query("select 1 from compound where id = $1", [compoundId]);
  if (!known) await hub.addCompound(compoundId, `Compound ${compoundId}`);
  if ((await userCount(db)) === 0) {
    const password = randomBytes(12).toString("base64url");
    await addUser(db, "admin", "installer", password, Date.now());
    writeFileSync(path.join(dir, "office-admin-password"), `${password}\n`, { mode: 0o600 });
  }
  const { app } = await buildOffice({ db, hub, compoundId, timeZone });
  const address = await app.listen({ host: "127.0.0.1", port });
  return { app, url: address };
}

export const USAGE = `usage: npm run hub -- [options]
  --data <dir>           where the embedded database and the hub's signing key live (default .hub)
  --database <url>       PostgreSQL instead of the embedded PGlite (postgres://user@host:port/db)
  --broker <url>         an external MQTT broker (mqtt:// or mqtts://) instead of the embedded aedes
  --port <n>             the embedded broker's port on 127.0.0.1 (default 1884; 0 picks a free one)
  --partitions <n>       share the gates with other hub processes over the same database
  --web <port>           the office page on 127.0.0.1 (default 8080; 0 picks a free one; "off": none)
  --compound <id>        the compound the office page manages (default 1)
  --time-zone <posix>    the compound's local time for dates on the page (default CST-8, China)
  --home-assistant       publish Home Assistant MQTT discovery for each gate's door, lock and alarms (docs/hub.md)
  -h, --help             this text
The hub's Ed25519 signing key is <data>/hub.key (32 random bytes, created on first start, mode 600):
provision its public key (printed at start) on every gate.
On first start the office page gets one installer account, "admin", whose random password is
written to <data>/office-admin-password (mode 600); log in and change it.`;

/** The signing seed: read, or created once (never in the database). */
export function signingSeed(dir: string): Uint8Array {
  const file = path.join(dir, "hub.key");
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const seed = new Uint8Array(readFileSync(file));
  if (seed.length !== 32) throw new Error(`${file} must hold exactly 32 bytes.`);
  return seed;
}

export interface HubStackOptions {
  /** Where the embedded database, the signing key and the office's first password live. */
  dataDir: string;
  /** PostgreSQL instead of the embedded PGlite. */
  database?: string;
  /** An external broker instead of the embedded aedes. */
  broker?: string;
  /** The embedded broker's port on 127.0.0.1 (0: a free one). */
  brokerPort: number;
  partitions?: number;
  /** The office page's port on 127.0.0.1 (0: a free one), or "off". */
  web: number | "off";
  compound: number;
  timeZone: string;
  /** Home Assistant MQTT discovery (home-assistant.ts); off by default. */
  homeAssistant?: boolean;
  onError?: (error: Error) => void;
  onDrop?: (why: string, topic: string) => void;
}

export interface HubStack {
  service: HubService;
  db: Db;
  brokerUrl: string;
  /** The embedded broker's port, when it is embedded. */
  brokerPort?: number;
  officeUrl?: string;
  close(): Promise<void>;
}

/** The hub with its database, broker and office page, as `npm run hub` runs it (and `npm start -- --gates N`). */
export async function startHubStack(o: HubStackOptions): Promise<HubStack> {
  mkdirSync(o.dataDir, { recursive: true });
  const seed = signingSeed(o.dataDir);
  const db = o.database ? await openPostgres({ connectionString: o.database }) : await openPglite(path.join(o.dataDir, "db"));
  const embedded = o.broker ? undefined : await startEmbeddedBroker(o.brokerPort);
  const brokerUrl = o.broker ?? embedded!.url;
  const service = await startHubService({
    db, brokerUrl, signingSeed: seed,
    partitions: o.partitions ? { count: o.partitions } : undefined,
    onError: o.onError, onDrop: o.onDrop, homeAssistant: o.homeAssistant,
  });
  const office = o.web === "off" ? undefined : await startOffice(service.hub, db, o.dataDir, o.compound, o.timeZone, o.web);
  return {
    service, db, brokerUrl, brokerPort: embedded?.port, officeUrl: office?.url,
    async close() {
      await office?.app.close();
      await service.close();
      await embedded?.close();
      await db.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: ".hub" }, database: { type: "string" }, broker: { type: "string" },
      port: { type: "string", default: "1884" }, partitions: { type: "string" }, help: { type: "boolean", short: "h" },
      web: { type: "string", default: "8080" }, compound: { type: "string", default: "1" }, "time-zone": { type: "string", default: "CST-8" },
      "home-assistant": { type: "boolean", default: false },
    },
  });
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  const stack = await startHubStack({
    dataDir: values.data, database: values.database, broker: values.broker, brokerPort: Number(values.port),
    partitions: values.partitions ? Number(values.partitions) : undefined,
    web: values.web === "off" ? "off" : Number(values.web), compound: Number(values.compound), timeZone: values["time-zone"],
    homeAssistant: values["home-assistant"],
    onError: (e) => process.stderr.write(`hub: ${e.message}\n`),
    onDrop: (why, topic) => process.stderr.write(`hub: dropped ${topic}: ${why}\n`),
  });
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.once("SIGINT", () => { void stop(); });
  process.once("SIGTERM", () => { void stop(); });
  process.stdout.write(`hub ready: broker ${stack.brokerUrl}, database ${stack.db.kind}, hub public key ${Buffer.from(stack.service.hub.publicKey).toString("hex")}${stack.officeUrl ? `, office ${stack.officeUrl}` : ""}\n`);
}

// Run only as the entry point (npm run hub), not when the simulator imports startHubStack.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
