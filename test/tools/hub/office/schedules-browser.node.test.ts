// The groups & schedules view in a real browser (Debian's chromium driven by
// playwright-core): an operator adds a group with the keyboard, a malformed
// window is named and nothing saved, the corrected one reaches the gate.
// Screenshot to reports/screenshots/office/ (not committed). Skipped with one
// line where no chromium is installed.
import assert from "node:assert/strict";
import path from "node:path";
import type { Browser } from "playwright-core";
import { DATABASES } from "../servers";
import { SHOTS, chromiumOrSkip, launchChromium, newPage, serveOffice, submitLogin } from "./chromium";
import { OfficeRig, PASSWORD } from "./rig";

describe("groups & schedules in headless Chromium", function () {
  if (!chromiumOrSkip()) return;
  this.timeout(120_000);
  let rig: OfficeRig, browser: Browser, base: string;

  before(async () => {
    browser = await launchChromium();
    rig = await OfficeRig.open(DATABASES[0]);
    base = await serveOffice(rig);
  });
  after(async () => {
    await rig?.close();
    await browser?.close();
  });

  it("an operator edits a group's hours; a malformed window is refused with a message first", async () => {
    const gate = await rig.fleet.addGate(10);
    await rig.fleet.drain();
    const page = await newPage(browser, { width: 1280, height: 900 });
    await page.goto(`${base}/login`);
    await submitLogin(page, base, "operator", PASSWORD);
    await page.getByRole("link", { name: "Groups & schedules" }).click();
    await page.getByRole("link", { name: "Add group" }).click();
    await page.getByLabel("Group (1-32)").fill("4");
    await page.getByLabel("Name").fill("cleaners");
    await page.getByLabel("Mon").fill("25:00-26:00");
    await page.getByLabel("Tue").fill("08:00-12:00, 13:00-18:00");
    await page.getByLabel("Tue").press("Enter");
    const alert = page.getByRole("alert");
    assert.match(await alert.innerText(), /Mon: "25:00-26:00" is not a time window/);
    assert.equal((await rig.fleet.hub.schedules.groups(1)).length, 0, "nothing saved");
    await page.getByLabel("Mon").fill("07:30-19:00");
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForURL(`${base}/schedules`);
    assert.match(await page.locator("table").first().innerText(), /cleaners\s+07:30-19:00\s+08:00-12:00, 13:00-18:00\s+closed/);
    await page.screenshot({ path: path.join(SHOTS, "schedules-operator.png"), fullPage: true });
    await rig.fleet.drain();
    assert.deepEqual(gate.groups.get(3)?.week[0], [{ from: 450, to: 1140 }]);
    await page.context().close();
  });
});
