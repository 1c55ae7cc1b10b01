// The resident form: rendering it, and reading it back into the hub's
// ResidentInput with every mistake named. Dates are the compound's local days
// (valid from the start of the first, until the end of the last: the gate
// stores the end as the exclusive next midnight, as the console does).
import { ROLES, STATUSES, GROUP_COUNT, UNIT_MAX, MAX_CARDS_PER_RESIDENT, type Role, type Status } from "../../../src/core/access/types";
import type { TimeZone } from "../../../src/core/time/posix-tz";
import type { ResidentInput } from "../desired";
import { html, type Html } from "./html";
import type { Translate } from "./i18n";
import type { ResidentRow } from "./residents-data";

const DAY = 86_400_000;

export interface FormValues { unit: string; role: string; groups: string; validFrom: string; validUntil: string; cards: string }

export function localDay(ms: number | undefined, zone: TimeZone): string {
  if (ms === undefined) return "";
  return new Date(ms + zone.offsetMs(ms)).toISOString().slice(0, 10);
}

export function valuesOf(r: ResidentRow | undefined, zone: TimeZone): FormValues {
  if (!r) return { unit: "", role: "owner", groups: "1", validFrom: "", validUntil: "", cards: "" };
  const mask = [];
  for (let g = 0; g < GROUP_COUNT; g++) if (r.groups & (1 << g)) mask.push(g + 1);
  return {
    unit: r.unit, role: r.role, groups: mask.join(" "), cards: r.cards.join(" "),
    validFrom: localDay(r.validFrom, zone), validUntil: r.validUntil === undefined ? "" : localDay(r.validUntil - 1000, zone),
  };
}

/** A typed YYYY-MM-DD as its local midnight (wall clock, as if UTC). */
function parseDay(raw: string, what: string, errors: string[]): number | undefined {
  if (raw === "") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== raw || Number(m[1]) < 2000 || Number(m[1]) > 2099) {
    errors.push(`${what}: "${raw.slice(0, 20)}" is not a date (YYYY-MM-DD).`);
    return undefined;
  }
  return ms;
}

/** The form as the hub's input, or the list of what is wrong with it. */
export function readForm(body: Record<string, unknown>, id: number, status: Status, pin: ResidentInput["pin"], zone: TimeZone): { input?: ResidentInput; errors: string[]; values: FormValues } {
  const text = (name: string) => (typeof body[name] === "string" ? (body[name] as string).trim() : "");
  const values: FormValues = { unit: text("unit"), role: text("role"), groups: text("groups"), validFrom: text("validFrom"), validUntil: text("validUntil"), cards: text("cards") };
  const errors: string[] = [];
  if (!/^[\x20-\x7e]{1,}$/.test(values.unit) || values.unit.length > UNIT_MAX) errors.push(`Unit: 1 to ${UNIT_MAX} printable ASCII characters.`);
  if (!ROLES.includes(values.role as Role)) errors.push(`Role: one of ${ROLES.join(", ")}.`);
  let groups = 0;
  for (const g of values.groups.split(/[\s,]+/).filter(Boolean)) {
    const n = Number(g);
    if (!Number.isInteger(n) || n < 1 || n > GROUP_COUNT) errors.push(`Groups: "${g.slice(0, 10)}" is not a group number 1-${GROUP_COUNT}.`);
    else groups |= 1 << (n - 1);
  }
  const firstDay = parseDay(values.validFrom, "Valid from", errors);
  const lastDay = parseDay(values.validUntil, "Valid until", errors);
  const from = firstDay === undefined ? undefined : zone.toUtc(firstDay);
  const until = lastDay === undefined ? undefined : zone.toUtc(lastDay + DAY);
  if (from !== undefined && until !== undefined && from >= until) errors.push("Valid until is before valid from.");
  const cards: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const c of values.cards.split(/[\s,]+/).filter(Boolean)) {
    const hex = c.toLowerCase().replace(/:/g, "");
    if (!/^([0-9a-f]{8}|[0-9a-f]{14}|[0-9a-f]{20})$/.test(hex)) errors.push(`Cards: "${c.slice(0, 24)}" is not a 4, 7 or 10-byte UID in hex.`);
    else if (seen.has(hex)) errors.push(`Cards: ${hex} is listed twice.`);
    else { seen.add(hex); cards.push(new Uint8Array(Buffer.from(hex, "hex"))); }
  }
  if (cards.length > MAX_CARDS_PER_RESIDENT) errors.push(`Cards: at most ${MAX_CARDS_PER_RESIDENT}.`);
  if (status === "active" && cards.length === 0 && !pin) errors.push("noCredential");
  if (errors.length) return { errors, values };
  return { errors, values, input: { id, unit: values.unit, role: values.role as Role, status, groups: groups >>> 0, validFrom: from, validUntil: until, pin, cards } };
}

export function residentForm(t: Translate, csrf: string, action: string, v: FormValues, errors: string[], readOnly: boolean): Html {
  const field = (name: keyof FormValues, label: string, attrs: Html = html``) => html`<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${v[name]}" ${attrs} ${readOnly ? html`readonly` : ""}>`;
  return html`${errors.length ? html`<ul class="error" role="alert">${errors.map((e) => html`<li>${e === "noCredential" ? t("noCredential") : e}</li>`)}</ul>` : ""}
<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}">
${field("unit", t("unit"), html`required maxlength="${UNIT_MAX}"`)}
<label for="role">${t("role")}</label><select id="role" name="role" ${readOnly ? html`disabled` : ""}>${ROLES.map((r) => html`<option value="${r}" ${v.role === r ? html`selected` : ""}>${t(r)}</option>`)}</select>
${field("groups", t("groups"), html`inputmode="numeric"`)}
${field("validFrom", t("validFrom"), html`type="date"`)}
${field("validUntil", t("validUntil"), html`type="date"`)}
${field("cards", t("cards"), html`aria-describedby="cards-hint" autocomplete="off"`)}<small id="cards-hint">${t("cardsHint")}</small>
${readOnly ? "" : html`<p><button>${t("save")}</button></p>`}</form>`;
}

export const statusOf = (raw: unknown): Status => (STATUSES.includes(raw as Status) ? (raw as Status) : "active");
