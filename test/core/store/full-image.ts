// A store filled until it refuses writes, with the mix a gate holds: resident
// and card records, PIN hashes, sealed templates, consent records, a
// hash-chain-like audit stream, and the churn (updates, deletes) that leaves
// garbage for compaction. Portable: benchmarks build it inside XS too.
import { isOptgateError } from "../../../src/core/errors";
import type { Flash } from "../../../src/core/store/flash";
import { LogStore } from "../../../src/core/store/log-store";
import { secretBytes, seededRandom } from "./helpers";

export function fillStore(flash: Flash, templates = 40): { store: LogStore; records: number } {
  const store = LogStore.open(flash, { random: seededRandom(11) });
  const value = (n: number, length: number) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = (n * 31 + i) & 0xff;
    return out;
  };
  let records = 0;
  try {
    for (let n = 0; ; n++) {
      const ops: Parameters<LogStore["commit"]>[0] = [
        { put: `res/${n}`, value: value(n, 64) },
        { put: `pin/${n}`, value: value(n + 1, 48) },
        { put: `card/${n}`, value: value(n + 2, 24) },
        { append: "audit", data: value(n + 3, 55) }, // an audit record's size (src/core/audit/audit-record.ts)
      ];
      if (n < templates) ops.push({ put: `tpl/${n}`, value: secretBytes(n, 512), sealed: true }, { put: `con/${n}`, value: value(n, 80) });
      if (n % 5 === 4) ops.push({ delete: `card/${n - 3}` });
      store.commit(ops);
      records += ops.length;
      if (n % 3 === 0) store.put(`res/${n >> 1}`, value(n, 64));
    }
  } catch (error) {
    if (!isOptgateError(error, "E_STORE_FULL")) throw error;
  }
  return { store, records };
}
