// Gates: one line each (connected, desired against applied version, last
// refusal, alarms), and per gate the difference between what it should hold
// and what it reported, its audit chains as witnessed, and its alarms.
import type { FastifyInstance } from "fastify";
import { formatLocal } from "../../../src/core/time/posix-tz";
import { access } from "./access";
import { jsonForScript } from "./assets";
import { cameraOnTable, minutes } from "./camera-data";
import { Html, html } from "./html";
import { GATE_ID_MAX, parseId } from "./params";
import { clockOffset, gateAlarms, gateChains, gateList, gateLogAlarms, GATE_ALARM_KINDS } from "./gates-data";
import type { OfficeContext } from "./server";

const WEEK_MS = 7 * 86_400_000;
const CAMERA_DAYS = 14;
/** Beyond this the gate's clock is shown as off (the gate's own drift check uses minutes too). */
const CLOCK_TRUST_MS = 120_000;

function formatOffsetSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${s >= 0 ? "+" : ""}${s} s`;
}

export function gateRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const when = (ms: number | undefined) => (ms === undefined ? "–" : formatLocal(ms, ctx.zone));

  app.get("/gates", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const [gates, camera] = await Promise.all([gateList(ctx.db, ctx.compoundId), cameraOnTable(ctx.db, ctx.compoundId, ctx.zone, ctx.now(), CAMERA_DAYS)]);
    const labels = camera.days.map((d) => d.slice(5));
    const series = camera.gates.map((g) => ({ name: `${t("gate")} ${g.gate}${g.estimated ? " ~" : ""}`, values: g.ms.map((ms) => Number(minutes(ms))) }));
    return ctx.send(reply, request.view, t("gates"), html`<div class="table-wrap"><table><thead><tr><th scope="col">${t("gate")}</th><th scope="col">${t("name")}</th><th scope="col">${t("connection")}</th>
<th scope="col">${t("desired")}</th><th scope="col">${t("applied")}</th><th scope="col">${t("refused")}</th><th scope="col">${t("alarms")}</th><th scope="col">${t("firmware")}</th></tr></thead>
<tbody>${gates.map((g) => html`<tr><td><a href="/gates/${g.id}">${g.id}</a></td><td>${g.name}</td><td>${g.online ? t("online") : t("offline")}</td>
<td>${g.desiredVersion}</td><td>${g.appliedVersion}${g.appliedVersion === g.desiredVersion ? html` (${t("inSync")})` : ""}</td><td>${g.refusedReason ?? "–"}</td><td>${g.alarms}</td><td data-firmware>${g.firmware ?? "–"}</td></tr>`)}</tbody></table></div>
<h2>${t("cameraOn")}</h2><p>${t("cameraBound")}</p>
<div id="chart-camera" class="chart" role="img" aria-label="${t("cameraOn")}"></div>
<script type="application/json" data-chart="chart-camera">${new Html(jsonForScript({ title: t("cameraOn"), labels, series, unit: t("minutes") }))}</script>
<details><summary>${t("cameraOn")}</summary><div class="table-wrap"><table data-camera><thead><tr><th scope="col">${t("day")}</th>${camera.gates.map((g) => html`<th scope="col">${t("gate")} ${g.gate}${g.estimated ? " ~" : ""}</th>`)}</tr></thead>
<tbody>${camera.days.map((day, i) => html`<tr><td>${day}</td>${camera.gates.map((g) => html`<td>${minutes(g.ms[i])}</td>`)}</tr>`)}</tbody></table></div></details>
<script src="/assets/charts.js" defer></script>`, 200, { charts: true });
  });

  app.get("/gates/:id", access("auditor"), async (request, reply) => {
    const { t } = request.view;
    const id = parseId((request.params as Record<string, unknown>).id, GATE_ID_MAX) ?? -1;
    const gate = (await gateList(ctx.db, ctx.compoundId)).find((g) => g.id === id);
    if (!gate) return ctx.send(reply, request.view, t("notFound"), html`<p>${t("notFound")}</p>`, 404);
    const now = ctx.now();
    const [cmp, chains, alarms, clock, logAlarms] = await Promise.all([ctx.hub.compare(id), gateChains(ctx.db, id), gateAlarms(ctx.db, id), clockOffset(ctx.db, id), gateLogAlarms(ctx.db, id, now - WEEK_MS, now)]);
    const ids = (list: number[]) => (list.length ? list.map((r, i) => html`${i ? ", " : ""}<a href="/residents/${r}">${r}</a>`) : "–");
    return ctx.send(reply, request.view, `${t("gate")} ${gate.id} · ${gate.name}`, html`
<dl><dt>${t("connection")}</dt><dd>${gate.online ? t("online") : t("offline")}</dd><dt>${t("firmware")}</dt><dd>${gate.firmware ?? "–"}</dd>
<dt>${t("desired")}</dt><dd>${gate.desiredVersion}</dd><dt>${t("applied")}</dt><dd>${gate.appliedVersion}</dd>
<dt>${t("lastAck")}</dt><dd>${when(gate.ackedAt)}</dd><dt>${t("refused")}</dt><dd>${gate.refusedReason ?? "–"}</dd>
<dt>${t("clock")}</dt><dd data-clock>${clock === undefined ? "–" : html`${t(Math.abs(clock.offsetMs) <= CLOCK_TRUST_MS ? "clockOk" : "clockOff", { offset: formatOffsetSeconds(clock.offsetMs) })}`}</dd></dl>
<h2>${t("gateAlarms")}</h2>
<ul>${GATE_ALARM_KINDS.map((k) => html`<li data-alarm="${k}">${k}: ${logAlarms[k]}</li>`)}</ul>
<h2>${t("difference")}</h2>
${cmp.reportedVersion === undefined ? html`<p>${t("noInventory")}</p>` : html`<p>${t("inventoryAt", { version: cmp.reportedVersion })}</p>
<dl><dt>${t("missing")}</dt><dd data-diff="missing">${ids(cmp.missing)}</dd><dt>${t("extra")}</dt><dd data-diff="extra">${ids(cmp.extra)}</dd><dt>${t("different")}</dt><dd data-diff="different">${ids(cmp.different)}</dd></dl>`}
<h2>${t("chains")}</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("log")}</th><th scope="col">${t("head")}</th><th scope="col">${t("held")}</th><th scope="col">${t("at")}</th></tr></thead>
<tbody>${chains.map((c) => html`<tr><td>${c.log}</td><td>#${c.headSeq} <code>${c.headHash.slice(0, 16)}…</code> ${c.recordsVerified ? t("verified") : t("unverified")}</td><td>${c.held}</td><td>${when(c.receivedAt)}</td></tr>`)}</tbody></table></div>
<h2>${t("alarms")}</h2>
${alarms.length ? html`<ul>${alarms.map((a) => html`<li>${when(a.raisedAt)} · ${a.log} · ${a.kind} #${a.seq}: ${a.detail}</li>`)}</ul>` : html`<p>${t("noAlarms")}</p>`}
<p><a href="/audit/export/${gate.id}">${t("export")}</a></p>`);
  });
}
