// The office page in a real browser (Debian's chromium driven by
// playwright-core): each role logs in and sees what it may, an operator adds
// a renter with the keyboard and the gate receives the card, markup in a unit
// stays text, the pages fit a phone. Screenshots of each view go to
// reports/screenshots/office/ (not committed). Skipped with one line where no
// chromium is installed (.ci/run installs Debian's).
import assert from "node:assert/strict";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { AuditLog } from "../../../../src/core/audit/audit-log";
import { COMPOUND, T0, person } from "../fleet";
import { DATABASES } from "../servers";
import { SHOTS, chromiumOrSkip, launchChromium, newPage, serveOffice, submitLogin } from "./chromium";
import { OfficeRig, PASSWORD } from "./rig";

describe("office page in headless Chromium", function () {
  if (!chromiumOrSkip()) return;
  this.timeout(120_000);
  let rig: OfficeRig, browser: Browser, base: string;

  before(async () => { browser = await launchChromium(); });
  after(async () => { await browser?.close(); });
  beforeEach(async () => {
    rig = await OfficeRig.open(DATABASES[0]);
    base = await serveOffice(rig);
  });
  afterEach(async () => { await rig.close(); });

  async function login(username: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const page = await newPage(browser, viewport);
    await page.goto(`${base}/residents`);
    assert.equal(new URL(page.url()).pathname, "/login");
    await submitLogin(page, base, username, PASSWORD);
    return page;
  }

  it("shows each role only what it may do", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1)]);
    for (const role of ["auditor", "operator", "installer"]) {
      const page = await login(role);
      assert.equal(await page.getByRole("link", { name: "Add resident" }).count(), role === "auditor" ? 0 : 1, role);
      await page.screenshot({ path: path.join(SHOTS, `residents-${role}.png`), fullPage: true });
      await page.getByRole("link", { name: "1", exact: true }).click();
      assert.equal(await page.getByRole("button", { name: "Suspend" }).count(), role === "auditor" ? 0 : 1, role);
      assert.equal(await page.getByLabel("Unit").getAttribute("readonly"), role === "auditor" ? "" : null, role);
      await page.context().close();
    }
  });

  it("lets an operator add a renter with the keyboard alone, and the gate gets the card", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const page = await login("operator");
    await page.getByRole("link", { name: "Add resident" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/residents/new`);
    await page.getByLabel("Unit").focus();
    await page.keyboard.type("B3-1204");
    await page.getByLabel("Role").selectOption("renter");
    await page.getByLabel("Valid until").fill("2027-06-30");
    await page.getByLabel("Cards", { exact: true }).focus();
    await page.keyboard.type("04a1b2c3");
    await page.screenshot({ path: path.join(SHOTS, "resident-new.png"), fullPage: true });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${base}/residents/1`);
    assert.match(await page.locator("h1").innerText(), /B3-1204/);
    await rig.fleet.drain();
    assert.equal(gate.registry.findCard(Uint8Array.from([0x04, 0xa1, 0xb2, 0xc3])), 1);
    assert.equal(gate.registry.get(1)?.validUntil, Date.UTC(2027, 5, 30, 16));
    await page.goto(`${base}/gates`);
    await page.screenshot({ path: path.join(SHOTS, "gates.png"), fullPage: true });
    await page.goto(`${base}/audit`);
    await page.screenshot({ path: path.join(SHOTS, "audit.png"), fullPage: true });
    // The first Tab lands on the skip link, which jumps to the content.
    await page.goto(`${base}/residents`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate("document.activeElement?.textContent"), "Skip to content");
  });

  it("renders a unit holding markup as text, with no script run", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, [person(1, { unit: "<script>" }), person(2, { unit: "<b>x</b>" })]);
    const page = await login("auditor");
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.reload();
    assert.equal(await page.locator("script").count(), 0);
    assert.equal(await page.locator("td b").count(), 0);
    assert.equal(await page.getByRole("cell", { name: "<script>", exact: true }).count(), 1);
    assert.deepEqual(errors, []);
  });

  it("draws the activity and camera-on charts from the bundled script, with no error and nothing fetched from elsewhere", async () => {
    const gate = await rig.fleet.addGate(10);
    const log = new AuditLog();
    for (let i = 0; i < 12; i++) log.append({ time: T0 + i * 1_800_000, actorKind: "resident", actor: 1, kind: i % 3 ? "card" : "pin", decision: "grant", reason: "granted" });
    for (let i = 0; i < 3; i++) log.append({ time: T0 + 5 * 3_600_000 + i * 60_000, actorKind: "resident", actor: 1, kind: "face", decision: "grant", reason: "granted" });
    rig.fleet.wire.push(gate.auditBatch("access", log.records()));
    await rig.fleet.drain();
    rig.fleet.now = T0 + 7 * 3_600_000;
    const page = await login("auditor");
    const errors: string[] = [], elsewhere: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("request", (r) => { if (!r.url().startsWith(base)) elsewhere.push(r.url()); });
    await page.getByRole("link", { name: "Activity" }).click();
    await page.waitForSelector("#chart-entries[data-drawn='1'] canvas");
    assert.ok(await page.locator("#chart-entries .u-legend").count() > 0);
    await page.screenshot({ path: path.join(SHOTS, "activity.png"), fullPage: true });
    await page.getByRole("link", { name: "Gates" }).click();
    await page.waitForSelector("#chart-camera[data-drawn='1'] canvas");
    assert.ok(await page.locator("#chart-camera .u-legend").count() > 0);
    await page.screenshot({ path: path.join(SHOTS, "gates-camera.png"), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(elsewhere, []);
  });

  it("fits a phone screen without sideways scrolling, in Chinese", async () => {
    await rig.fleet.hub.putResidents(COMPOUND, Array.from({ length: 60 }, (_, i) => person(i + 1, { unit: `T${i + 1}-0${i}` })));
    const page = await login("operator", { width: 360, height: 740 });
    await page.getByRole("button", { name: "中文" }).click();
    await page.waitForURL(`${base}/residents`);
    assert.match(await page.locator("h1").innerText(), /住户/);
    assert.ok(await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "no sideways scroll");
    await page.screenshot({ path: path.join(SHOTS, "residents-phone-zh.png"), fullPage: true });
    await page.getByRole("link", { name: "下一页" }).click();
    assert.match(page.url(), /after=50$/);
  });
});
