// What the fleet bench counts of the hub's load: statements through its
// database (a Db wrapper) and traffic through the embedded broker (aedes in
// this process, counted as it publishes; bytes on its TCP sockets).
import net from "node:net";
import { Aedes } from "aedes";
import type { Db, Sql } from "../../hub/db";

export interface DbLoad {
  statements: number;
  transactions: number;
  /** Summed time from issuing a statement to its answer (queueing included), ms. */
  busyMs: number;
}

/** The same Db, counting every statement and transaction it carries. */
export function countingDb(db: Db, load: DbLoad): Db {
  const wrap = (sql: Sql): Sql => ({
    async query<R>(text: string, params?: unknown[]) {
      const start = performance.now();
      try { return await sql.query<R>(text, params); } finally { load.statements++; load.busyMs += performance.now() - start; }
    },
    async exec(text: string) {
      const start = performance.now();
      try { await sql.exec(text); } finally { load.statements++; load.busyMs += performance.now() - start; }
    },
  });
  const counted = (d: Db): Db => ({
    kind: d.kind, ...wrap(d),
    transaction: (fn) => { load.transactions++; return d.transaction((tx) => fn(wrap(tx))); },
    get urgent() { return urgent; },
    hold: (ms) => d.hold(ms),
    close: () => d.close(),
  });
  const urgent = counted(db.urgent);
  return counted(db);
}

export interface BrokerLoad {
  /** PUBLISH packets clients sent the broker, and their payload bytes. */
  published: number;
  payloadBytes: number;
  /** Of those, inventory parts (gates reporting what they hold). */
  inventoryParts: number;
  /** Bytes on the broker's TCP sockets (both directions), closed sockets included. */
  tcpIn: number;
  tcpOut: number;
}

/** A client connection the broker lost without a DISCONNECT (its will was due), and what the broker saw. */
export interface BrokerDrop { at: number; clientId: string; reason: string }

export interface CountingBroker {
  url: string;
  port: number;
  load(): BrokerLoad;
  /** Connections lost without a DISCONNECT since the broker started (the bench asks why a gate's link dropped). */
  drops(): BrokerDrop[];
  close(): Promise<void>;
}

/** aedes on a loopback port, as tools/hub/broker.ts starts it, with its traffic counted. */
export async function startCountingBroker(): Promise<CountingBroker> {
  const broker = await Aedes.createBroker();
  const counts = { published: 0, payloadBytes: 0, inventoryParts: 0, closedIn: 0, closedOut: 0 };
  broker.on("publish", (packet, client) => {
    if (!client) return; // the broker's own ($SYS, wills are attributed to no client)
    counts.published++;
    counts.payloadBytes += packet.payload.length;
    if (packet.topic.endsWith("/inventory")) counts.inventoryParts++;
  });
  const drops: BrokerDrop[] = [];
  const why = new Map<string, string>();
  broker.on("keepaliveTimeout", (client) => why.set(client.id, "keepalive timeout"));
  broker.on("clientError", (client, error) => { if (!why.has(client.id)) why.set(client.id, `client error: ${error.message}`); });
  broker.on("connectionError", (client, error) => { if (!why.has(client.id)) why.set(client.id, `connection error: ${error.message}`); });
  broker.on("clientDisconnect", (client) => {
    const reason = why.get(client.id);
    why.delete(client.id);
    // aedes marks a client that sent DISCONNECT (no will published): only the others are drops.
    if (reason !== undefined || !(client as unknown as { _disconnected?: boolean })._disconnected) drops.push({ at: performance.now(), clientId: client.id, reason: reason ?? "closed by the client's side" });
  });
  const server = net.createServer(broker.handle);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => { sockets.delete(s); counts.closedIn += s.bytesRead; counts.closedOut += s.bytesWritten; });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`, port,
    load() {
      let tcpIn = counts.closedIn, tcpOut = counts.closedOut;
      for (const s of sockets) { tcpIn += s.bytesRead; tcpOut += s.bytesWritten; }
      return { published: counts.published, payloadBytes: counts.payloadBytes, inventoryParts: counts.inventoryParts, tcpIn, tcpOut };
    },
    drops: () => drops.slice(),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
