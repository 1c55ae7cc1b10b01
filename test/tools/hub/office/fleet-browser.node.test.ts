// The office page against the fleet as `npm start -- --gates 2` runs it: the
// hub on PGlite and the embedded broker, and two gates, each the real
// firmware in XS. In headless Chromium, an operator adds a renter and gate 2
// admits the renter's card within seconds; the resident consents and enrols
// at gate 1; a withdrawal made on the page erases the template at gate 1, and
// both gates' signed receipts appear on the page. Screenshots go to
// reports/screenshots/office/ (not committed).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { startFleetSim, type FleetSim } from "../../../../tools/sim/fleet";
import { fleetCommand } from "../../../../tools/sim/fleet-cli";
import { until } from "../../../support/until";
import { SHOTS, chromiumOrSkip, launchChromium, newPage, submitLogin } from "./chromium";
const PIN = "80417263";


describe("office page with two gates in XS (npm start -- --gates 2)", function () {
  if (!chromiumOrSkip()) return;
  this.timeout(300_000);
  let dir: string, fleet: FleetSim, browser: Browser, page: Page;
  let resident = 0;
  let pumping = true, pump: Promise<void> | undefined;
  const at = (gate: number, line: string) => fleetCommand(fleet, `${gate} ${line}`);

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "optgate-office-fleet-"));
    fleet = await startFleetSim({ gates: 2, dataDir: dir, brokerPort: 0, web: 0 });
    // The gates' time moves in small steps (keys held 80 ms must be seen by the keypad scan), about as fast as real time.
    pump = (async () => {
      while (pumping) {
        for (const g of fleet.gates) await g.advance(20);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    browser = await launchChromium();
    await until("both gates online", () => fleet.gates.every((g) => g.fleetStatus?.startsWith("online") === true));
    page = await newPage(browser);
    await page.goto(`${fleet.hub.officeUrl}/login`);
    await submitLogin(page, fleet.hub.officeUrl!, "admin", readFileSync(path.join(dir, "hub", "office-admin-password"), "utf8").trim());
  });

  after(async () => {
    pumping = false;
    await pump;
    await browser?.close();
    await fleet?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("adds a renter on the page, and gate 2 (firmware in XS) admits the card within seconds", async () => {
    await page.getByRole("link", { name: "Add resident" }).click();
    await page.getByLabel("Unit").fill("B7-0801");
    await page.getByLabel("Role").selectOption("renter");
    await page.getByLabel("Valid until").fill(new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10));
    await page.getByLabel("Cards", { exact: true }).fill("04c0ffee");
    await page.getByRole("button", { name: /save|add/i }).click();
    await page.waitForURL(/\/residents\/\d+$/);
    resident = Number(/\/residents\/(\d+)$/.exec(page.url())![1]);
    const added = Date.now();
    let answer = "";
    await until("gate 2 to admit the card", async () => {
      answer = await at(2, "card 04c0ffee");
      return /card granted/.test(answer);
    }, 30_000);
    assert.match(answer, new RegExp(`card granted R${String(resident).padStart(5, "0")}`));
    assert.ok(Date.now() - added < 30_000, `${Date.now() - added} ms`);
    await page.screenshot({ path: path.join(SHOTS, "fleet-resident.png"), fullPage: true });
  });

  it("a withdrawal on the page erases the template at gate 1 and shows both gates' receipts", async () => {
    const label = `R${String(resident).padStart(5, "0")}`;
    // At gate 1: a technician sets the resident's PIN with them, arms consent, the resident confirms at the keypad, then enrols.
    await at(1, "console login tech");
    await at(1, "console demo-tech-1");
    await at(1, `console pin set ${label}`);
    await at(1, `console ${PIN}`);
    assert.match(await at(1, `console ${PIN}`), /PIN set/);
    await at(1, `console consent grant ${label}`);
    assert.match(await at(1, "console yes"), /At the gate keypad/);
    await at(1, `keys #8#${resident}#${PIN}#`);
    await until("the resident's confirmation at the keypad", () => fleet.gates[0].decisions.some((d) => d.via === "consent" && d.reason === "consent-given"), 20_000);
    await at(1, "face genuine 4711");
    const enrol = await at(1, `console face enrol ${label}`);
    assert.match(enrol, /go/, enrol);
    assert.match(await at(1, "console go"), /enrolled under notice/);
    await at(1, "face-off");
    await at(1, "console logout");
    // The page: the subject report, then the withdrawal.
    await page.goto(`${fleet.hub.officeUrl}/consent/${resident}`);
    await page.getByRole("button", { name: "Withdraw consent: erase the template at every gate" }).click();
    await page.waitForURL(`${fleet.hub.officeUrl}/consent/${resident}`);
    await until("both receipts on the page", async () => {
      await page.reload();
      const text = await page.locator("main").innerText();
      return /gate 1: erased, receipt after/.test(text) && /gate 2: held none, receipt after/.test(text);
    }, 60_000);
    await page.screenshot({ path: path.join(SHOTS, "fleet-erasure.png"), fullPage: true });
    // Face is gone at gate 1: the camera stays off for the resident; the card still opens.
    const g1 = fleet.gates[0];
    const ons = g1.cameraLog.filter((c) => c.on).length;
    await at(1, "face genuine 4711");
    await at(1, `keys ${resident}A`);
    await g1.advance(3000);
    assert.equal(g1.cameraLog.filter((c) => c.on).length, ons, "no consent any more: the camera stays off");
    assert.match(await at(1, "card 04c0ffee"), /card granted/);
  });
});
