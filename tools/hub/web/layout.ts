// The page frame every view shares: language, skip link, navigation by role,
// the logout form (with its CSRF token). No script: forms and links work with
// the keyboard and on a phone as they are.
import { roleAllows, type Role } from "../../../src/core/console/roles";
import { html, type Html } from "./html";
import type { Lang, Translate } from "./i18n";
import type { Session } from "./sessions";

export interface View {
  lang: Lang;
  t: Translate;
  session?: Session;
}

const NAV: { href: string; label: "residents" | "schedules" | "gates" | "auditRecords" | "audit" | "consent" | "activity" | "report" | "users" | "changePassword"; role: Role }[] = [
  { href: "/residents", label: "residents", role: "auditor" },
  { href: "/schedules", label: "schedules", role: "auditor" },
  { href: "/consent", label: "consent", role: "auditor" },
  { href: "/gates", label: "gates", role: "auditor" },
  { href: "/activity", label: "activity", role: "auditor" },
  { href: "/report", label: "report", role: "auditor" },
  { href: "/users", label: "users", role: "installer" },
  { href: "/password", label: "changePassword", role: "auditor" },
  { href: "/audit", label: "auditRecords", role: "auditor" },
  { href: "/office-log", label: "audit", role: "auditor" },
];

export function page(view: View, title: string, body: Html, options: { charts?: boolean } = {}): Html {
  const { t, session } = view;
  return html`<!doctype html>
<html lang="${view.lang === "zh" ? "zh-CN" : "en"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t("title")}</title><link rel="stylesheet" href="/assets/office.css">${options.charts ? html`<link rel="stylesheet" href="/assets/uplot.css">` : ""}</head>
<body><a class="skip" href="#main">${t("skip")}</a>
<header><strong>${t("title")}</strong>
${session ? html`<nav aria-label="main">${NAV.filter((n) => roleAllows(session.user.role, n.role)).map((n) => html`<a href="${n.href}">${t(n.label)}</a> `)}</nav>
<span>${t("signedInAs", { user: session.user.username, role: session.user.role })}</span>
<form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${session.csrf}"><button>${t("logout")}</button></form>` : ""}
<form method="post" action="/lang" class="inline"><input type="hidden" name="lang" value="${view.lang === "zh" ? "en" : "zh"}"><button>${t("language")}</button></form>
</header>
<main id="main"><h1>${title}</h1>
${body}
</main></body></html>`;
}

export const STYLE = `
*{box-sizing:border-box}body{font:16px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#111}
header{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;padding:.5rem 1rem;background:#e8eef4}
main{padding:1rem;max-width:72rem}nav a{margin-right:.75rem}.inline{display:inline}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;padding:.25rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccd}
.table-wrap{overflow-x:auto}label{display:block;margin:.5rem 0 .1rem}input,select,button{font:inherit;padding:.3rem .5rem}
.chart{min-height:240px;max-width:60rem}.error{color:#a00}.ok{color:#060}:focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}
@media print{header,form,.noprint{display:none}main{max-width:none}}
@media (max-width:40rem){th:nth-child(n+5),td:nth-child(n+5){display:none}}
`;
