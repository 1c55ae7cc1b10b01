// What the office's browser tests share: Debian's chromium driven by
// playwright-core, one clear skip line where it is not installed (.ci/run
// installs it), the screenshot folder (reports/, not committed), and the
// office's login form.
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { repoRoot } from "../../../../tools/xs/bundle";
import type { OfficeRig } from "./rig";

export const CHROMIUM = process.env.OPTGATE_CHROMIUM ?? "/usr/bin/chromium";
export const SHOTS = path.join(repoRoot, "reports", "screenshots", "office");

/** Call first in a describe: false (and one skipped test saying why) where no chromium is installed. */
export function chromiumOrSkip(): boolean {
  if (existsSync(CHROMIUM)) return true;
  it.skip(`skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set OPTGATE_CHROMIUM)`);
  return false;
}

/** Headless chromium, with the screenshot folder made. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
}

/** A fresh context's page at that size. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Page> {
  return (await browser.newContext({ viewport })).newPage();
}

/** Fills the office's login form the page is on and waits for the residents list it leads to. */
export async function submitLogin(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/residents`);
}

/** Serves the rig's office on a loopback port the system picks; returns its base URL. */
export async function serveOffice(rig: OfficeRig): Promise<string> {
  await rig.app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(rig.app.server.address() as AddressInfo).port}`;
}
