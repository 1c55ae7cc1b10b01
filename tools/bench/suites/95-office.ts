// The office page at 20,000 residents (PGlite in memory, the hub's schema):
// server time to render the first page of the resident list, a deep page
// (keyset, so it should cost the same), and a unit search, each against the
// bare SQL of one page measured in the same run. Issue 21's target: the first
// page in under 200 ms of server time.
import { Hub } from "../../hub/hub";
import { openPglite } from "../../hub/db";
import { addUser } from "../../hub/web/accounts";
import { residentPage } from "../../hub/web/residents-data";
import { buildOffice, SESSION_COOKIE } from "../../hub/web/server";
import type { BenchRow, BenchSuite } from "../harness";

const RESIDENTS = 20_000;

async function medianMs(fn: () => Promise<unknown>, rounds = 21): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const suite: BenchSuite = {
  name: "office",
  async run(): Promise<BenchRow[]> {
    const db = await openPglite();
    const hub = await Hub.open({ db, signingSeed: new Uint8Array(32).fill(1), publish: async () => {} });
    await hub.addCompound(1, "Bench");
    await db.query(`insert into resident (compound_id, id, unit, role, status, groups, valid_from, valid_until)
      select 1, n, 'B' || (n % 40) || '-' || n, 0, 0, 1, 0, 4294967295 from generate_series(1, ${RESIDENTS}) n`);
    await db.query(`insert into card (compound_id, uid, resident_id) select 1, decode(lpad(to_hex(n), 8, '0'), 'hex'), n from generate_series(1, ${RESIDENTS}) n`);
    await addUser(db, "bench", "auditor", "bench password 1", Date.now());
    const { app } = await buildOffice({ db, hub, compoundId: 1 });
    const login = await app.inject({ method: "POST", url: "/login", payload: "username=bench&password=bench+password+1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    const token = login.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await app.inject({ method: "GET", url: "/residents", cookies: { [SESSION_COOKIE]: token } })).body)![1];
    const get = (url: string) => async () => {
      const res = await app.inject({ method: "GET", url, cookies: { [SESSION_COOKIE]: token } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    };
    const sql = await medianMs(() => residentPage(db, 1, {}));
    const first = await medianMs(get("/residents"));
    const deep = await medianMs(get(`/residents?after=${RESIDENTS - 60}`));
    const search = await medianMs(async () => {
      const res = await app.inject({ method: "POST", url: "/residents/search", payload: `_csrf=${csrf}&unitPrefix=B7-`, cookies: { [SESSION_COOKIE]: token }, headers: { "content-type": "application/x-www-form-urlencoded" } });
      if (res.statusCode !== 200) throw new Error(`search: ${res.statusCode}`);
    });
    await app.close();
    await db.close();
    const base = { baseline: sql, baselineName: "one page's SQL" };
    return [
      { case: `one page's SQL (50 of ${RESIDENTS} residents, PGlite)`, value: +sql.toFixed(2), unit: "ms" },
      { case: "resident list, first page (session, SQL, count, render)", value: +first.toFixed(2), unit: "ms", ...base, target: "< 200 ms" },
      { case: `resident list, page ${RESIDENTS / 50} (keyset)`, value: +deep.toFixed(2), unit: "ms", ...base },
      { case: "unit prefix search (first 50 matches)", value: +search.toFixed(2), unit: "ms", ...base },
    ];
  },
};

export default suite;
