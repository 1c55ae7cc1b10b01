// Installation mode (src/app/installation.ts) on the firmware as a fresh board
// boots it: no technician account, so `install <id>` at the console, with the
// exit button held at the gate, creates the first one (audited), and then
// never again while an account exists. Without the physical step: refused.
// Portable: Node and XS.
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { INSTALL_HOLD_MS, INSTALL_WINDOW_MS } from "../../src/app/installation";
import { blankFlash, boot, type BootedGate } from "./boot-rig";
import { demoImage } from "./demo-image";
import { newest, rewrite } from "./flash-image";

const PASSWORD = "installer-pass-1";

/** install <id>, the exit button held `holdMs` (0: not at all), Enter: what the console said last. */
function install(gate: BootedGate, id: string, holdMs: number): string {
  const asked = gate.console(`install ${id}`);
  if (!/hold the exit button/.test(asked)) return asked;
  if (holdMs > 0) gate.exit(holdMs);
  const next = gate.console("");
  if (!/New password/.test(next)) return next;
  gate.console(PASSWORD);
  return gate.console(PASSWORD);
}

function installAudits(gate: BootedGate) {
  return gate.firmware!.core.audit.entries().filter((e) => e.kind === "technician-installed");
}

describe("installation mode: the first technician needs someone at the gate", () => {
  it("a fresh board has no technician and says installation mode is open", () => {
    const gate = boot(blankFlash());
    assert.equal(gate.firmware!.installation.open, true);
    assert.ok(gate.logs.some((l) => /installation mode is open/.test(l)), gate.logs.join(" | "));
    assert.match(gate.console("login tech"), /Password/);
  });

  it("is refused without the physical step, and when the button was held too briefly", () => {
    const gate = boot(blankFlash());
    assert.match(install(gate, "tech1", 0), /E_INSTALL_NO_PRESENCE/);
    assert.match(install(gate, "tech1", INSTALL_HOLD_MS - 1000), /E_INSTALL_NO_PRESENCE/);
    assert.equal(gate.firmware!.installation.open, true, "no account was made");
    assert.ok(installAudits(gate).every((e) => e.decision === "deny") && installAudits(gate).length === 2, "refusals are audited");
  });

  it("a hold after the window has passed does not count", () => {
    const gate = boot(blankFlash());
    gate.console("install tech1");
    gate.run(INSTALL_WINDOW_MS + 1000);
    gate.exit(INSTALL_HOLD_MS + 500);
    assert.match(gate.console(""), /E_INSTALL_NO_PRESENCE/);
  });

  it("with the exit button held, creates the first account (audited), which logs in; then it is closed for good", () => {
    const gate = boot(blankFlash());
    assert.match(install(gate, "tech1", INSTALL_HOLD_MS + 500), /Technician tech1 \(installer\) created/);
    assert.equal(gate.firmware!.installation.open, false);
    assert.ok(installAudits(gate).some((e) => e.decision === "info" && e.actorKind === "technician"));
    gate.console("login tech1");
    assert.match(gate.console(PASSWORD), /Logged in as tech1/);
    gate.console("logout");
    assert.match(install(gate, "intruder", INSTALL_HOLD_MS + 500), /E_INSTALL_CLOSED/);
    // Also after a restart.
    const again = boot(new NorFlash(gate.flash.size, { image: gate.flash.image }));
    assert.equal(again.firmware!.installation.open, false);
    assert.match(install(again, "intruder", INSTALL_HOLD_MS + 500), /E_INSTALL_CLOSED/);
  });

  it("recovers a gate whose only technician record was lost, through the same audited flow", () => {
    const image = demoImage();
    const rec = newest(image, "console/tech/tech")!;
    const value = image.slice(rec.valueAt, rec.valueAt + rec.valueLength);
    value[30] ^= 0x20; // the sealed account no longer opens
    rewrite(image, rec, value);
    const gate = boot(new NorFlash(image.length, { image }));
    assert.equal(gate.firmware!.installation.open, true);
    assert.match(install(gate, "tech2", INSTALL_HOLD_MS + 500), /Technician tech2 \(installer\) created/);
    assert.equal(installAudits(gate).filter((e) => e.decision === "info").length, 1);
    assert.equal(gate.firmware!.core.audit.verify().ok, true);
  });
});
