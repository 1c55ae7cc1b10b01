// Partitions of the fleet between hub processes over one database. Gate g
// belongs to partition g mod `partitions`; a process acts for a gate (takes
// its acks, sends its sets) only while it holds that partition's lease. Each
// tick renews the leases held, hands back those above a fair share (so a new
// process gets work) and takes free or expired ones. A killed process's
// leases expire after `ttlMs` and the others take its gates: nothing a
// process holds in memory is needed to carry on.
import { num, type Db } from "./db";

export interface LeaseOptions {
  holder: string;
  partitions?: number;
  ttlMs?: number;
  now?: () => number;
}

export class Leases {
  readonly holder: string;
  readonly partitions: number;
  readonly #db: Db;
  readonly #ttl: number;
  readonly #now: () => number;
  #held = new Set<number>();
  #until = 0;

  constructor(db: Db, options: LeaseOptions) {
    this.#db = db;
    this.holder = options.holder;
    this.partitions = options.partitions ?? 16;
    this.#ttl = options.ttlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** True while this process holds the lease of the gate's partition (and the lease has not run out). */
  owns = (gateId: number): boolean => this.#held.has(gateId % this.partitions) && this.#now() < this.#until;

  get held(): number[] { return [...this.#held].sort((a, b) => a - b); }

  async tick(): Promise<void> {
    const now = this.#now(), until = now + this.#ttl;
    await this.#db.query("insert into hub_presence (holder, expires_at) values ($1, $2) on conflict (holder) do update set expires_at = excluded.expires_at", [this.holder, until]);
    const [live] = await this.#db.query<{ n: unknown }>("select count(*) as n from hub_presence where expires_at > $1", [now]);
    const share = Math.ceil(this.partitions / Math.max(1, num(live.n)));
    const renewed = await this.#db.query<{ partition: unknown }>("update partition_lease set expires_at = $2 where holder = $1 and expires_at > $3 returning partition", [this.holder, until, now]);
    const held = new Set(renewed.map((r) => num(r.partition)));
    for (const p of [...held].sort((a, b) => b - a)) {
      if (held.size <= share) break;
      await this.#db.query("update partition_lease set expires_at = 0 where partition = $1 and holder = $2", [p, this.holder]);
      held.delete(p);
    }
    for (let p = 0; p < this.partitions && held.size < share; p++) {
      if (held.has(p)) continue;
      const taken = await this.#db.query(
        `insert into partition_lease (partition, holder, expires_at) values ($1, $2, $3)
         on conflict (partition) do update set holder = excluded.holder, expires_at = excluded.expires_at
         where partition_lease.expires_at <= $4 returning partition`, [p, this.holder, until, now]);
      if (taken.length) held.add(p);
    }
    this.#held = held;
    this.#until = until;
  }

  /** Hands every lease back (a clean shutdown), so others need not wait for them to expire. */
  async release(): Promise<void> {
    await this.#db.query("update partition_lease set expires_at = 0 where holder = $1", [this.holder]);
    await this.#db.query("delete from hub_presence where holder = $1", [this.holder]);
    this.#held.clear();
  }
}
