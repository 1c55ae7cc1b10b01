// Where every sealed record still physically sits, live or dead, per key:
// what a secure delete must erase (split from log-store.ts).
export class SealedCopies {
  readonly #at = new Map<string, number[]>();
  readonly #ss: number;

  constructor(sectorSize: number) {
    this.#ss = sectorSize;
  }

  note(key: string, addr: number): void {
    const list = this.#at.get(key);
    if (list) list.push(addr);
    else this.#at.set(key, [addr]);
  }

  keys(): IterableIterator<string> {
    return this.#at.keys();
  }

  /** Sectors, each once, that `isLive` holds and that keep a copy of `key` other than the one at `liveAddr`. */
  deadSectors(key: string, liveAddr: number, isLive: (sector: number) => boolean): number[] {
    const out: number[] = [];
    for (const addr of this.#at.get(key) ?? []) {
      const s = Math.floor(addr / this.#ss);
      if (addr !== liveAddr && isLive(s) && !out.includes(s)) out.push(s);
    }
    return out;
  }

  /** Sector `v` was erased: forget the copies it held. */
  forgetSector(v: number): void {
    for (const [key, list] of this.#at) {
      const kept = list.filter((addr) => Math.floor(addr / this.#ss) !== v);
      if (kept.length) this.#at.set(key, kept);
      else this.#at.delete(key);
    }
  }
}
