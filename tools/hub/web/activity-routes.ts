// Activity: entries through the gates per hour of the compound's day over the
// last seven days, by how people came in (card, PIN, code, face, exit button),
// drawn by the chart script with the same figures in a table beneath.
import type { FastifyInstance } from "fastify";
import { AUDIT_KINDS, decodeRecord, type AuditKind } from "../../../src/core/audit/audit-record";
import { bytes } from "../db";
import { jsonForScript } from "./assets";
import { access } from "./access";
import { Html, html } from "./html";
import type { OfficeContext } from "./server";

const WAYS = ["card", "pin", "code", "face", "exit"] as const satisfies readonly AuditKind[];
const WINDOW_MS = 7 * 86_400_000;
const WAY_LABEL = { card: "wayCard", pin: "wayPin", code: "wayCode", face: "wayFace", exit: "wayExit" } as const;

export async function entriesPerHour(ctx: OfficeContext, now: number): Promise<Record<string, number[]>> {
  const codes = WAYS.map((k) => AUDIT_KINDS.indexOf(k));
  const rows = await ctx.db.query<{ record: unknown }>(
    `select r.record from audit_record r join gate g on g.id = r.gate_id
     where g.compound_id = $1 and length(r.record) >= 55 and get_byte(r.record, 17) = any($2::integer[]) and get_byte(r.record, 18) = 1`,
    [ctx.compoundId, codes]);
  const out: Record<string, number[]> = Object.fromEntries(WAYS.map((w) => [w, new Array<number>(24).fill(0)]));
  for (const row of rows) {
    try {
      const r = decodeRecord(bytes(row.record));
      if (r.time <= now - WINDOW_MS || r.time > now) continue;
      const hour = new Date(r.time + ctx.zone.offsetMs(r.time)).getUTCHours();
      out[r.kind][hour]++; // r.kind is one of WAYS: the SQL selected only those kinds
    } catch { /* undecodable: the audit view shows it */ }
  }
  return out;
}

export function activityRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  app.get("/activity", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const perHour = await entriesPerHour(ctx, ctx.now());
    const labels = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);
    const series = WAYS.map((w) => ({ name: t(WAY_LABEL[w]), values: perHour[w] }));
    const total = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
    return ctx.send(reply, request.view, t("activity"), html`<p>${t("entriesTotal", { count: total })}</p>
<div id="chart-entries" class="chart" role="img" aria-label="${t("entriesPerHour")}"></div>
<script type="application/json" data-chart="chart-entries">${new Html(jsonForScript({ title: t("entriesPerHour"), labels, series, unit: t("entries") }))}</script>
<details><summary>${t("entriesPerHour")}</summary><div class="table-wrap"><table><thead><tr><th scope="col">${t("hour")}</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
<tbody>${labels.map((l, h) => html`<tr><td>${l}</td>${series.map((s) => html`<td>${s.values[h]}</td>`)}</tr>`)}</tbody></table></div></details>
<script src="/assets/charts.js" defer></script>`, 200, { charts: true });
  });
}
