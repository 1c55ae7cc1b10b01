// One SQL surface over the two databases the hub runs on: PGlite (embedded,
// the default for `npm start` and tests) and PostgreSQL through `pg`
// (production, several hub processes). Both are real Postgres, so the same
// SQL and the same migration files serve both; only connecting differs.
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

export interface Sql {
  /** One statement with $1.. parameters. */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Several statements, no parameters (migration files). */
  exec(text: string): Promise<void>;
}

export interface Db extends Sql {
  readonly kind: "pglite" | "postgres";
  /**
   * The same database, for work someone is waiting on (a withdrawal's
   * erasure): where statements queue (PGlite), its statements and
   * transactions go before those of everyone else still waiting.
   */
  readonly urgent: Db;
  /**
   * Where statements queue, keeps everything but urgent work waiting until
   * the returned release is called or `ms` have passed: a withdrawal under
   * way has the database to itself. Elsewhere it holds nothing.
   */
  hold(ms: number): () => void;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Byte columns and parameters as Uint8Array on both drivers (pg hands out Buffers). */
function params(values: unknown[] | undefined): unknown[] | undefined {
  return values?.map((v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v));
}

export async function openPglite(dataDir?: string): Promise<Db> {
  const db = await PGlite.create(dataDir);
  return wrapPglite(db, () => db.close());
}

/**
 * Turns at a database that runs one thing at a time, urgent ones first.
 * PGlite serves its callers first come, first served: a withdrawal's
 * erasure queued behind fifty gates' inventories of 20,000 residents and
 * took 26 s (the fleet bench). Handing it one statement or transaction at a
 * time costs nothing it could have run side by side.
 */
export class Turns {
  #busy = false;
  #holds = 0;
  readonly #waiting = { urgent: [] as (() => void)[], normal: [] as (() => void)[] };

  async run<T>(urgent: boolean, op: () => Promise<T>): Promise<T> {
    if (this.#busy || (!urgent && this.#holds > 0)) await new Promise<void>((resolve) => this.#waiting[urgent ? "urgent" : "normal"].push(resolve));
    this.#busy = true;
    try {
      return await op();
    } finally {
      // The turn passes straight to the next caller: no one arriving meanwhile slips in before it.
      const next = this.#next();
      if (next) next(); else this.#busy = false;
    }
  }

  /** Normal work waits (urgent work goes on) until the release is called or `ms` have passed. */
  hold(ms: number): () => void {
    this.#holds++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.#holds--;
      if (this.#busy) return;
      const next = this.#next();
      if (next) { this.#busy = true; next(); }
    };
    const timer = setTimeout(release, ms);
    timer.unref?.();
    return release;
  }

  #next(): (() => void) | undefined {
    return this.#waiting.urgent.shift() ?? (this.#holds > 0 ? undefined : this.#waiting.normal.shift());
  }
}

/** A Db over an open PGlite; `close` decides what closing means (tests share one instance). */
export function wrapPglite(db: PGlite, close: () => Promise<void>): Db {
  const wrap = (q: Pick<PGlite, "query" | "exec">): Sql => ({
    async query<R>(text: string, values?: unknown[]) { return (await q.query<R>(text, values)).rows; },
    async exec(text: string) { await q.exec(text); },
  });
  const turns = new Turns(), direct = wrap(db);
  const view = (urgent: boolean): Db => ({
    kind: "pglite",
    query: (text, values) => turns.run(urgent, () => direct.query(text, values)),
    exec: (text) => turns.run(urgent, () => direct.exec(text)),
    transaction: (fn) => turns.run(urgent, () => db.transaction((tx) => fn(wrap(tx)))),
    get urgent() { return urgentView; },
    hold: (ms) => turns.hold(ms),
    close,
  });
  const urgentView = view(true);
  return view(false);
}

export interface PostgresOptions {
  connectionString?: string;
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  /** Tables live in this schema (created if missing): lets tests share one database. */
  schema?: string;
  max?: number;
  /** Told when an idle connection breaks (the database restarted, the network dropped). */
  onError?: (error: Error) => void;
}

export async function openPostgres(options: PostgresOptions): Promise<Db> {
  const { schema, onError, ...rest } = options;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`Schema name "${schema}" must be lower-case letters, digits and _.`);
  if (schema) {
    const admin = new pg.Client(rest);
    await admin.connect();
    try { await admin.query(`create schema if not exists ${schema}`); } finally { await admin.end(); }
  }
  const pool = new pg.Pool({ ...rest, max: options.max ?? 4, options: schema ? `-c search_path=${schema}` : undefined });
  // An idle connection that breaks is an 'error' event on the pool: unhandled, it would end the
  // process. The pool drops that connection and the next query opens a new one.
  pool.on("error", (error) => onError?.(error));
  const wrap = (q: pg.Pool | pg.PoolClient): Sql => ({
    async query<R>(text: string, values?: unknown[]) { return (await q.query(text, params(values))).rows as R[]; },
    async exec(text: string) { await q.query(text); },
  });
  const db: Db = {
    kind: "postgres",
    ...wrap(pool),
    // Statements run side by side on the pool's connections: nothing queues to jump.
    get urgent() { return db; },
    hold: () => () => undefined,
    async transaction(fn) {
      const client = await pool.connect();
      // A connection that breaks mid-transaction also emits 'error' on the client: the failing
      // query reports it; unheard, the event would end the process.
      let broken: Error | undefined;
      const onBroken = (error: Error) => { broken = error; onError?.(error); };
      client.on("error", onBroken);
      try {
        await client.query("begin");
        const result = await fn(wrap(client));
        await client.query("commit");
        return result;
      } catch (error) {
        if (!broken) await client.query("rollback").catch(() => {});
        throw error;
      } finally {
        client.off("error", onBroken);
        // A broken connection is discarded, not handed to the next caller.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
  return db;
}

/**
 * Whether a failed statement is worth running again as it is: the database
 * could not be reached or dropped the connection (a restart, a network cut),
 * or PostgreSQL chose this transaction to break a deadlock or a serialization
 * conflict. Anything else (a constraint, a bug) fails the same way again.
 */
export function worthRetrying(error: unknown): boolean {
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"].includes(code)) return true;
  // SQLSTATE class 08 (connection exception), 57P01-03 (shut down), 40001 and 40P01 (serialization, deadlock).
  if (/^(08...|57P0[1-3]|40001|40P01)$/.test(code)) return true;
  return typeof e.message === "string" && /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect/i.test(e.message);
}

/** A bigint/numeric column as a JS number (pg hands out int8 as text, PGlite as number or bigint). */
export function num(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`Column value ${String(v)} is not a safe integer.`);
  return n;
}

/** A bytea column as a plain Uint8Array. */
export function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  throw new Error("Column value is not bytes.");
}
