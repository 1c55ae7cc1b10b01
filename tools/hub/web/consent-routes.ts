// The consent register (who consents now, withdrawals with each gate's
// erasure, done or pending, and the time from withdrawal to the last one) and
// one resident's printable subject report.
import type { FastifyInstance } from "fastify";
import { roleAllows } from "../../../src/core/console/roles";
import { formatLocal } from "../../../src/core/time/posix-tz";
import { access } from "./access";
import { Html, html } from "./html";
import { jsonForScript } from "./assets";
import { consentEvents, consentRegister, fleetErasures, type FleetErasure, type Withdrawal } from "./consent-data";
import type { Translate } from "./i18n";
import { parseId, RESIDENT_ID_MAX } from "./params";
import { residentById } from "./residents-data";
import type { OfficeContext } from "./server";


export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}

/** Time from a withdrawal to its last erasure, or undefined while one is pending or none was needed. */
export function lastErasureDelay(w: Withdrawal): number | undefined {
  if (w.erasures.length === 0 || w.erasures.some((e) => e.erasedAt === undefined)) return undefined;
  return Math.max(...w.erasures.map((e) => e.erasedAt! - w.at));
}

/** Time from an order to the last gate's receipt, or undefined while a gate is pending. */
export function fleetErasureDelay(o: FleetErasure): number | undefined {
  if (o.gates.some((g) => !g.done)) return undefined;
  return Math.max(0, ...o.gates.map((g) => g.doneAt! - o.orderedAt));
}

export function consentRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const when = (ms: number) => formatLocal(ms, ctx.zone);
  const ordersTable = (t: Translate, orders: FleetErasure[]) => html`<div class="table-wrap"><table><thead><tr><th scope="col">${t("subject")}</th><th scope="col">${t("origin")}</th><th scope="col">${t("at")}</th><th scope="col">${t("erasure")}</th><th scope="col">${t("lastErasure")}</th></tr></thead>
<tbody>${orders.map((o) => {
      const delay = fleetErasureDelay(o);
      return html`<tr data-order="${o.orderId}"><td><a href="/consent/${o.resident}">${o.resident}</a></td><td>${o.originGate === undefined ? t("originOffice") : t("originGate", { gate: o.originGate })}</td><td>${when(o.orderedAt)}</td>
<td>${o.gates.map((g) => html`<div>${g.done ? t(g.held ? "receiptErased" : "receiptNone", { gate: g.gate, delay: duration(Math.max(0, g.doneAt! - o.orderedAt)) }) : t("pendingAt", { gate: g.gate, state: g.online ? t("online") : t("offline") })}</div>`)}</td>
<td>${delay === undefined ? "–" : duration(delay)}</td></tr>`;
    })}</tbody></table></div>`;

  app.get("/consent", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const reg = await consentRegister(ctx.db, ctx.compoundId);
    const pending = reg.withdrawals.reduce((n, w) => n + w.erasures.filter((e) => e.erasedAt === undefined).length, 0);
    const done = reg.withdrawals.map((w) => ({ w, delay: lastErasureDelay(w) })).filter((d) => d.delay !== undefined);
    const chart = done.length ? html`<h2>${t("erasureDelays")}</h2><div id="chart-erasure" class="chart" role="img" aria-label="${t("erasureDelays")}"></div>
<script type="application/json" data-chart="chart-erasure">${new Html(jsonForScript({ title: t("erasureDelays"), unit: t("seconds"), labels: done.map((d) => when(d.w.at).slice(0, 16)), series: [{ name: t("lastErasure"), values: done.map((d) => Math.round(d.delay! / 1000)) }] }))}</script>
<script src="/assets/charts.js" defer></script>` : html``;
    return ctx.send(reply, request.view, t("consent"), html`<p>${t("consentSummary", { residents: reg.residents, consenting: reg.consenting.length, others: reg.residents - reg.consenting.length, withdrawals: reg.withdrawals.length, pending })}</p>
<h2>${t("consentingNow")}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("subject")}</th><th scope="col">${t("gate")}</th><th scope="col">${t("at")}</th></tr></thead>
<tbody>${reg.consenting.map((c) => html`<tr><td><a href="/consent/${c.resident}">${c.resident}</a></td><td>${c.gate}</td><td>${when(c.at)}</td></tr>`)}</tbody></table></div>
<h2>${t("withdrawals")}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("subject")}</th><th scope="col">${t("gate")}</th><th scope="col">${t("at")}</th><th scope="col">${t("erasure")}</th><th scope="col">${t("lastErasure")}</th></tr></thead>
<tbody>${reg.withdrawals.map((w) => {
      const delay = lastErasureDelay(w);
      return html`<tr><td><a href="/consent/${w.resident}">${w.resident}</a></td><td>${w.gate}</td><td>${when(w.at)}</td>
<td>${w.erasures.length ? w.erasures.map((e) => html`<div>${e.erasedAt === undefined ? t("pendingAt", { gate: e.gate, state: e.online ? t("online") : t("offline") }) : t("erasedAfter", { gate: e.gate, delay: duration(e.erasedAt - w.at) })}</div>`) : t("nothingHeld")}</td>
<td>${delay === undefined ? "–" : duration(delay)}</td></tr>`;
    })}</tbody></table></div>${chart}
<h2>${t("fleetErasures")}</h2>${ordersTable(t, await fleetErasures(ctx.db, ctx.compoundId))}`, 200, { charts: done.length > 0 });
  });

  app.get("/consent/:id", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const id = parseId((request.params as Record<string, unknown>).id, RESIDENT_ID_MAX) ?? 0;
    const r = id ? await residentById(ctx.db, ctx.compoundId, id) : undefined;
    const events = id ? await consentEvents(ctx.db, ctx.compoundId, id) : [];
    if (!r && events.length === 0) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    await ctx.audit(request, "subject report", `resident ${id}`);
    return ctx.send(reply, request.view, `${t("subjectReport")} · ${t("id")} ${id}`, html`<p>${t("subjectIntro")}</p>
${r ? html`<dl><dt>${t("unit")}</dt><dd>${r.unit}</dd><dt>${t("role")}</dt><dd>${t(r.role)}</dd><dt>${t("status")}</dt><dd>${t(r.status)}</dd>
<dt>${t("cards")}</dt><dd>${r.cards.length}</dd><dt>${t("pin")}</dt><dd>${r.hasPin ? t("pinSet") : t("pinNone")}</dd></dl>` : ""}
<h2>${t("events")}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("at")}</th><th scope="col">${t("gate")}</th><th scope="col">${t("kind")}</th><th scope="col">${t("detail")}</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${when(e.time)}</td><td>${e.gate}</td><td>${e.kind}</td><td>${e.detail}</td></tr>`)}</tbody></table></div>
<h2>${t("fleetErasures")}</h2>${ordersTable(t, await fleetErasures(ctx.db, ctx.compoundId, id))}
${roleAllows(request.session!.user.role, "operator") ? html`<form method="post" action="/consent/${id}/withdraw" class="noprint"><input type="hidden" name="_csrf" value="${request.session!.csrf}"><button>${t("withdrawEverywhere")}</button></form>` : ""}`);
  });

  // A withdrawal made at the office: every gate erases the resident's template and answers with a signed receipt.
  app.post("/consent/:id/withdraw", access("operator"), async (request, reply) => {
    const id = parseId((request.params as Record<string, unknown>).id, RESIDENT_ID_MAX);
    if (!id) return ctx.send(reply, request.view, request.view.t("notFound"), html`<p>${request.view.t("notFound")}</p>`, 404);
    const order = await ctx.hub.withdrawConsent(ctx.compoundId, id);
    await ctx.audit(request, "consent withdraw", `resident ${id} order ${Buffer.from(order).toString("hex")}`);
    return reply.redirect(`/consent/${id}`, 303);
  });
}
