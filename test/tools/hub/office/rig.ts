// The office page over the in-process fleet (PGlite, a Hub whose sets go to
// protocol gates running the real sync core and Registry), driven through
// Fastify's inject: a browser's requests without the network.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { Db } from "../../../../tools/hub/db";
import { addUser } from "../../../../tools/hub/web/accounts";
import { buildOffice, SESSION_COOKIE, type OfficeApp } from "../../../../tools/hub/web/server";
import type { Role } from "../../../../src/core/console/roles";
import { COMPOUND, Fleet } from "../fleet";
import type { DbKind } from "../servers";

export const PASSWORD = "correct horse battery";

export class OfficeRig {
  constructor(readonly db: Db, readonly fleet: Fleet, readonly office: OfficeApp) {}

  static async open(kind: DbKind): Promise<OfficeRig> {
    const db = await kind.open();
    const fleet = await Fleet.open(db);
    const office = await buildOffice({ db, hub: fleet.hub, compoundId: COMPOUND, now: () => fleet.now, timeZone: "CST-8" });
    for (const role of ["auditor", "operator", "installer"] as Role[]) await addUser(db, role, role, PASSWORD, fleet.now);
    return new OfficeRig(db, fleet, office);
  }

  get app(): FastifyInstance { return this.office.app; }

  async close(): Promise<void> {
    await this.app.close();
    await this.db.close();
  }

  /** A logged-in browser for `username`. */
  async login(username: string, password = PASSWORD, address = "127.0.0.1"): Promise<Browser> {
    const browser = new Browser(this.app, address);
    const res = await browser.post("/login", { username, password });
    if (res.statusCode !== 303) throw new Error(`login ${username}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    await browser.get("/residents"); // the page's CSRF token
    return browser;
  }

  browser(address = "127.0.0.1"): Browser {
    return new Browser(this.app, address);
  }
}

export class Browser {
  readonly cookies = new Map<string, string>();
  csrf = "";

  constructor(readonly app: FastifyInstance, readonly address: string) {}

  #remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === "" || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m) this.csrf = m[1];
    return res;
  }

  get session(): string | undefined { return this.cookies.get(SESSION_COOKIE); }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.#remember(await this.app.inject({ method: "GET", url, cookies: Object.fromEntries(this.cookies), remoteAddress: this.address }));
  }

  async raw(method: "POST", url: string, payload: string, contentType: string): Promise<LightMyRequestResponse> {
    return this.#remember(await this.app.inject({ method, url, payload, cookies: Object.fromEntries(this.cookies), remoteAddress: this.address, headers: { "content-type": contentType } }));
  }

  /** A form post; the page's CSRF token is added unless `csrf` is false. */
  async post(url: string, form: Record<string, string>, csrf = true): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ ...(csrf && this.csrf ? { _csrf: this.csrf } : {}), ...form }).toString();
    return this.#remember(await this.app.inject({
      method: "POST", url, payload: body, cookies: Object.fromEntries(this.cookies), remoteAddress: this.address,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    }));
  }
}
