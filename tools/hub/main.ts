// npm run hub -- [options]: the hub in one command. By default everything is
// embedded (PGlite under .hub/db, aedes on 127.0.0.1:1884); --database and
// --broker point it at PostgreSQL and Mosquitto instead.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedBroker } from "./broker";
import { openPglite, openPostgres } from "./db";
import { startHubService } from "./service";

export const USAGE = `usage: npm run hub -- [options]
  --data <dir>           where the embedded database and the hub's signing key live (default .hub)
  --database <url>       PostgreSQL instead of the embedded PGlite (postgres://user@host:port/db)
  --broker <url>         an external MQTT broker (mqtt:// or mqtts://) instead of the embedded aedes
  --port <n>             the embedded broker's port on 127.0.0.1 (default 1884; 0 picks a free one)
  --partitions <n>       share the gates with other hub processes over the same database
  -h, --help             this text
The hub's Ed25519 signing key is <data>/hub.key (32 random bytes, created on first start, mode 600):
provision its public key (printed at start) on every gate.`;

/** The signing seed: read, or created once (never in the database). */
function signingSeed(dir: string): Uint8Array {
  const file = path.join(dir, "hub.key");
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const seed = new Uint8Array(readFileSync(file));
  if (seed.length !== 32) throw new Error(`${file} must hold exactly 32 bytes.`);
  return seed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      data: { type: "string", default: ".hub" }, database: { type: "string" }, broker: { type: "string" },
      port: { type: "string", default: "1884" }, partitions: { type: "string" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) { process.stdout.write(`${USAGE}\n`); return; }
  mkdirSync(values.data, { recursive: true });
  const seed = signingSeed(values.data);
  const db = values.database ? await openPostgres({ connectionString: values.database }) : await openPglite(path.join(values.data, "db"));
  const embedded = values.broker ? undefined : await startEmbeddedBroker(Number(values.port));
  const brokerUrl = values.broker ?? embedded!.url;
  const service = await startHubService({
    db, brokerUrl, signingSeed: seed,
    partitions: values.partitions ? { count: Number(values.partitions) } : undefined,
    onError: (e) => process.stderr.write(`hub: ${e.message}\n`),
    onDrop: (why, topic) => process.stderr.write(`hub: dropped ${topic}: ${why}\n`),
  });
  const stop = async () => {
    await service.close();
    await embedded?.close();
    await db.close();
    process.exit(0);
  };
  process.once("SIGINT", () => { void stop(); });
  process.once("SIGTERM", () => { void stop(); });
  process.stdout.write(`hub ready: broker ${brokerUrl}, database ${db.kind}, hub public key ${Buffer.from(service.hub.publicKey).toString("hex")}\n`);
}

await main();
