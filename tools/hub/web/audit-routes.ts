// Audit records the gates streamed up, searched across gates (filters posted,
// never in the URL: a resident id is personal data), and one gate's export:
// every record the hub holds with the heads the gate signed, so anyone with
// the gate's public key can check the chain without trusting the hub.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AUDIT_KINDS, DECISIONS, decodeRecord, type AuditRecord } from "../../../src/core/audit/audit-record";
import { formatLocal } from "../../../src/core/time/posix-tz";
import { bytes, num } from "../db";
import { access } from "./access";
import { html } from "./html";
import { LOG_NAMES } from "./gates-data";
import { GATE_ID_MAX, parseId, RESIDENT_ID_MAX } from "./params";
import type { OfficeContext } from "./server";

const SHOWN = 200;

interface Filter { gate?: number; kind?: string; decision?: string; subject?: number; from?: number; until?: number }

function decoded(record: Uint8Array): AuditRecord | undefined {
  try { return decodeRecord(record); } catch { return undefined; }
}

export function auditRoutes(app: FastifyInstance, ctx: OfficeContext): void {
  const search = async (f: Filter) => {
    // Filters on fields inside the record are applied after decoding; the SQL narrows by gate and arrival.
    const params: unknown[] = [ctx.compoundId];
    let where = "g.compound_id = $1";
    if (f.gate !== undefined) { params.push(f.gate); where += ` and r.gate_id = $${params.length}`; }
    const rows = await ctx.db.query<{ gate_id: unknown; log: unknown; seq: unknown; record: unknown }>(
      `select r.gate_id, r.log, r.seq, r.record from audit_record r join gate g on g.id = r.gate_id where ${where}
       order by r.received_at desc, r.seq desc limit 5000`, params);
    const out: { gate: number; log: string; rec: AuditRecord }[] = [];
    for (const row of rows) {
      const rec = decoded(bytes(row.record));
      if (!rec) continue;
      if (f.kind && rec.kind !== f.kind) continue;
      if (f.decision && rec.decision !== f.decision) continue;
      if (f.subject !== undefined && rec.subject !== f.subject) continue;
      if (f.from !== undefined && rec.time < f.from) continue;
      if (f.until !== undefined && rec.time >= f.until) continue;
      out.push({ gate: num(row.gate_id), log: LOG_NAMES[num(row.log)] ?? String(row.log), rec });
      if (out.length >= SHOWN) break;
    }
    return out;
  };

  const view = async (request: FastifyRequest, f: Filter) => {
    const { t, session } = request.view;
    const found = await search(f);
    const option = (value: string, selected: string | undefined, label = value) => html`<option value="${value}" ${selected === value ? html`selected` : ""}>${label}</option>`;
    return html`<form method="post" action="/audit/search"><input type="hidden" name="_csrf" value="${session!.csrf}">
<label for="gate">${t("gate")}</label><input id="gate" name="gate" inputmode="numeric" value="${f.gate ?? ""}">
<label for="kind">${t("kind")}</label><select id="kind" name="kind">${option("", f.kind, t("anyValue"))}${AUDIT_KINDS.map((k) => option(k, f.kind))}</select>
<label for="decision">${t("decision")}</label><select id="decision" name="decision">${option("", f.decision, t("anyValue"))}${DECISIONS.map((d) => option(d, f.decision))}</select>
<label for="subject">${t("subject")}</label><input id="subject" name="subject" inputmode="numeric" value="${f.subject ?? ""}">
<p><button>${t("filter")}</button></p></form>
<div class="table-wrap"><table><thead><tr><th scope="col">${t("at")}</th><th scope="col">${t("gate")}</th><th scope="col">${t("log")}</th><th scope="col">${t("seq")}</th>
<th scope="col">${t("kind")}</th><th scope="col">${t("decision")}</th><th scope="col">${t("reason")}</th><th scope="col">${t("subject")}</th><th scope="col">${t("detail")}</th></tr></thead>
<tbody>${found.map(({ gate, log, rec }) => html`<tr><td>${formatLocal(rec.time, ctx.zone)}</td><td>${gate}</td><td>${log}</td><td>${rec.seq}</td><td>${rec.kind}</td><td>${rec.decision}</td><td>${rec.reason}</td><td>${rec.subject || "–"}</td><td>${rec.detail}</td></tr>`)}</tbody></table></div>`;
  };

  app.get("/audit", access("auditor"), async (request, reply) => ctx.send(reply, request.view, request.view.t("auditRecords"), await view(request, {})));
  app.post("/audit/search", access("auditor"), async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : v);
    const text = (v: unknown, allowed: readonly string[]) => (typeof v === "string" && allowed.includes(v) ? v : undefined);
    const f: Filter = { gate: parseId(trimmed(body.gate), GATE_ID_MAX), kind: text(body.kind, AUDIT_KINDS), decision: text(body.decision, DECISIONS), subject: parseId(trimmed(body.subject), RESIDENT_ID_MAX) };
    return ctx.send(reply, request.view, request.view.t("auditRecords"), await view(request, f));
  });

  app.get("/audit/export/:id", access("auditor"), async (request, reply) => {
    const id = parseId((request.params as Record<string, unknown>).id, GATE_ID_MAX) ?? -1;
    const [gate] = await ctx.db.query<{ public_key: unknown }>("select public_key from gate where id = $1 and compound_id = $2", [id, ctx.compoundId]);
    if (!gate) return reply.code(404).type("text/plain; charset=utf-8").send("Not found.");
    const heads = await ctx.db.query<{ log: unknown; anchor_seq: unknown; anchor_hash: unknown; head_seq: unknown; head_hash: unknown; digest: unknown; signature: unknown; signed_time: unknown; records_verified: boolean }>(
      "select log, anchor_seq, anchor_hash, head_seq, head_hash, digest, signature, signed_time, records_verified from audit_head where gate_id = $1 order by log", [id]);
    const records = await ctx.db.query<{ log: unknown; seq: unknown; record: unknown }>("select log, seq, record from audit_record where gate_id = $1 order by log, seq", [id]);
    const hex = (v: unknown) => Buffer.from(bytes(v)).toString("hex");
    await ctx.audit(request, "audit export", `gate ${id} records ${records.length}`);
    return reply.type("application/json; charset=utf-8").header("content-disposition", `attachment; filename="gate-${id}-audit.json"`).send(JSON.stringify({
      gate: id, gatePublicKey: hex(gate.public_key), exportedAt: ctx.now(),
      // The statement the gate signed (src/core/audit/head-signature.ts statementBytes), field by field.
      heads: heads.map((h) => ({
        gateId: id, log: LOG_NAMES[num(h.log)], anchor: { seq: num(h.anchor_seq), hash: h.anchor_hash === null ? null : hex(h.anchor_hash) },
        head: { seq: num(h.head_seq), hash: hex(h.head_hash) }, digest: hex(h.digest), time: h.signed_time === null ? null : Number(h.signed_time),
        signature: hex(h.signature), recordsVerified: h.records_verified,
      })),
      records: records.map((r) => ({ log: LOG_NAMES[num(r.log)], seq: num(r.seq), record: hex(r.record) })),
    }, null, 1));
  });
}
