// Issue 13's findings, each on a real image the firmware wrote (the demo
// compound) and booted through the supervisor on the host board: flash damage
// is data (the gate serves, drops only what the damage touched, never widens
// access, and says DAMAGE), egress never waits for flash or the core, and a
// gate that cannot run its firmware still runs the exit button, the door
// alarm and the console (safe mode). Portable: Node and XS.
import assert from "node:assert/strict";
import { SeededRandom } from "../../boards/host/board";
import { NorFlash } from "../../boards/host/nor-flash";
import type { Flash } from "../../src/core/store/flash";
import { crc32 } from "../../src/core/store/crc32";
import { putU32 } from "../../src/core/store/format";
import { MAX_UNSTABLE_BOOTS, STABLE_MS } from "../../src/app/supervisor";
import { boot, type BootedGate } from "./boot-rig";
import { demoGate, demoImage } from "./demo-image";
import { ascii, flipBit, newest, records, rewrite, SECTOR } from "./flash-image";

const intact = demoImage();
const R1_CARD = "04a1b2c3", R2_CARD = "04d4e5f6", R3_CARD = "04112233";

function bootImage(image: Uint8Array, options: Parameters<typeof boot>[1] = {}): BootedGate {
  return boot(new NorFlash(image.length, { image }), options);
}

function damaged(build: (image: Uint8Array) => void): Uint8Array {
  const image = intact.slice();
  build(image);
  return image;
}

function serving(gate: BootedGate): void {
  assert.equal(gate.supervisor.mode, "serving", `not serving: ${gate.supervisor.safeMode?.reason} ${gate.logs.join(" | ")}`);
}

function damageLines(gate: BootedGate): string[] {
  return gate.firmware!.backend.status().damage ?? [];
}

function record(image: Uint8Array, key: string) {
  const found = newest(image, key);
  assert.ok(found, `no record ${key} in the image`);
  return found;
}

describe("fail-safe boot: flash damage is data (issue 13)", () => {
  it("control: the intact demo image serves every demo credential and reports no damage", () => {
    const gate = bootImage(intact);
    serving(gate);
    assert.deepEqual(damageLines(gate), []);
    assert.equal(gate.card(R1_CARD)?.grant, true);
    gate.settle();
    assert.equal(gate.keys("2#246813#")?.grant, true);
    gate.settle();
    assert.equal(gate.exit(), true);
  });

  it("a flipped bit in notice/1 stops nothing: cards and PINs still open, the notice is reported lost, face is off", () => {
    const gate = bootImage(damaged((image) => flipBit(image, record(image, "notice/1").valueAt + 20, 3)));
    serving(gate);
    assert.equal(gate.card(R1_CARD)?.grant, true, "a damaged notice does not quarantine the registry");
    gate.settle();
    assert.equal(gate.keys("2#246813#")?.grant, true);
    gate.settle();
    assert.equal(gate.firmware!.core.gallery.entry("R00003"), undefined, "no notice, no consent in force, no template");
    assert.ok(damageLines(gate).some((l) => /notice version\(s\) 1 lost/.test(l)), damageLines(gate).join(" | "));
    assert.equal(gate.exit(), true);
  });

  it("a flipped bit in R00003's sealed template: her face is off, her card still opens, DAMAGE says so", () => {
    const gate = bootImage(damaged((image) => flipBit(image, record(image, "face/tpl/R00003").valueAt + 40, 1)));
    serving(gate);
    assert.equal(gate.firmware!.core.gallery.entry("R00003"), undefined);
    assert.equal(gate.firmware!.core.registry.get(3)?.faceEnrolled, false);
    assert.equal(gate.card(R3_CARD)?.grant, true);
    assert.ok(damageLines(gate).length > 0);
  });

  it("a flipped bit in the consent record: the boot serves, face is off for that resident, cards open", () => {
    const gate = bootImage(damaged((image) => flipBit(image, record(image, "consent").valueAt + 6, 0)));
    serving(gate);
    assert.equal(gate.firmware!.core.gallery.entry("R00003"), undefined);
    assert.equal(gate.card(R2_CARD)?.grant, true);
    assert.ok(damageLines(gate).length > 0);
  });

  const garbage: [string, (image: Uint8Array) => void][] = [
    ["a consent record with a valid CRC and impossible content", (image) => {
      const rec = record(image, "consent");
      const value = image.slice(rec.valueAt, rec.valueAt + rec.valueLength);
      value[4] = 0xee; // the consent record's format byte (after the u32 stream index)
      rewrite(image, rec, value);
    }],
    ["a notice with a valid CRC and impossible content", (image) => rewrite(image, record(image, "notice/1"), ascii("not a notice"))],
    ["a registry size hint of four billion residents", (image) => rewrite(image, record(image, "registry/size"), Uint8Array.of(255, 255, 255, 255, 255, 255, 255, 255))],
    ["a sector header claiming a newer format version (valid CRC)", (image) => {
      const s = Math.floor(record(image, "notice/1").at / SECTOR) * SECTOR;
      image[s + 4] = 2;
      putU32(image, s + 12, crc32(image, s + 4, s + 12));
    }],
  ];
  for (const [what, damage] of garbage) {
    it(`${what}: the gate serves, the exit button opens, nothing is granted that the intact image denies`, () => {
      const gate = bootImage(damaged(damage));
      serving(gate);
      assert.equal(gate.exit(), true);
      gate.settle();
      assert.notEqual(gate.card("deadbeef")?.grant, true);
      assert.ok(damageLines(gate).length > 0, "the damage is reported");
    });
  }

  it("unreadable settings on a card+PIN gate fall back to the fail-safe policy: a card alone is still refused, and DAMAGE says so", () => {
    const setup = bootImage(intact);
    setup.firmware!.backend.configSet("tech", "mode.cardPin", "on");
    setup.firmware!.backend.configSet("tech", "mode.card", "off");
    assert.equal(setup.card(R2_CARD), undefined, "the card alone decides nothing: the gate waits for the PIN");
    assert.equal(setup.keys("246813#")?.grant, true);
    const image = setup.flash.image.slice();
    const rec = record(image, "console/settings");
    rewrite(image, rec, new Uint8Array(rec.valueLength).fill(0x7b)); // "{{{{...": not JSON, valid CRC
    const gate = bootImage(image);
    serving(gate);
    assert.notEqual(gate.card(R2_CARD)?.grant, true, "a card alone must not open a card+PIN gate");
    assert.equal(gate.strikeOpen, false);
    assert.equal(gate.firmware!.core.access.policy.modes.card, false);
    assert.ok(damageLines(gate).some((l) => /settings unreadable.*fail-safe/.test(l)), damageLines(gate).join(" | "));
    gate.settle();
    gate.card(R2_CARD);
    assert.equal(gate.keys("246813#")?.grant, true, "card + PIN still opens");
  });

  it("a damaged PIN key is never silently replaced: DAMAGE, an audit record, technicians removed, installation mode open", () => {
    const gate = bootImage(damaged((image) => {
      const rec = record(image, "device/pin-key");
      const value = image.slice(rec.valueAt, rec.valueAt + rec.valueLength);
      value[20] ^= 0x55; // inside the sealed ciphertext: it no longer opens
      rewrite(image, rec, value);
    }));
    serving(gate);
    const lines = damageLines(gate);
    assert.ok(lines.some((l) => /PIN key lost/.test(l)), lines.join(" | "));
    assert.ok(gate.firmware!.core.audit.entries().some((e) => e.kind === "store-damage"));
    assert.equal(gate.firmware!.installation.open, true, "no technician can log in with the lost key: installation mode");
    assert.equal(gate.card(R1_CARD)?.grant, true, "cards do not depend on the PIN key");
    // The next boot still shows it: the note is stored until a technician clears it.
    const again = bootImage(gate.flash.image.slice());
    assert.ok(damageLines(again).some((l) => /PIN key lost/.test(l)));
    assert.equal(again.firmware!.core.audit.entries().filter((e) => e.kind === "store-damage").length, gate.firmware!.core.audit.entries().filter((e) => e.kind === "store-damage").length, "audited once, at the boot that found it");
  });

  it("a lost store key (both key copies damaged) is visible too: sealed data dropped, PIN key replaced with a note, cards open", () => {
    const image = damaged((bytes) => {
      for (const copy of [0, SECTOR]) bytes[copy + 20] ^= 0xff;
    });
    // Another RNG stream than the one that made the image's keys (a board's RNG never repeats).
    const gate = bootImage(image, { adapt: (board) => { board.random = new SeededRandom(Uint8Array.of(1, 2, 3)); } });
    serving(gate);
    const lines = damageLines(gate);
    assert.ok(lines.some((l) => /device key lost/.test(l)), lines.join(" | "));
    assert.ok(lines.some((l) => /PIN key lost \(the store key that sealed it was lost\)/.test(l)), lines.join(" | "));
    assert.equal(gate.firmware!.core.gallery.entry("R00003"), undefined, "sealed templates no longer open: face off");
    assert.equal(gate.firmware!.installation.open, true);
    assert.equal(gate.card(R3_CARD)?.grant, true);
    const again = bootImage(gate.flash.image.slice());
    assert.ok(damageLines(again).some((l) => /PIN key lost/.test(l)), "still shown after the next boot, until cleared");
  });
});

describe("store watermarks in NVS: a rollback by damage shows (issue 13)", () => {
  // The campaign found these: a truncated log or a lost sector took the newest settings (visitor
  // codes came back on) without a trace in the store.
  /** The demo gate, then visitor codes turned off and R00001 suspended: the newest settings and registry change. */
  function tightened() {
    const { image, nvs } = demoGate();
    const gate = boot(new NorFlash(image.length, { image }), { nvs });
    gate.firmware!.backend.configSet("tech", "mode.code", "off");
    const beforeSuspension = new Map(gate.host.nvs);
    gate.firmware!.backend.residentSuspend("tech", "R00001", true);
    gate.run(100);
    return { image: gate.flash.image.slice(), nvs: new Map(gate.host.nvs), beforeSuspension };
  }

  it("the log cut off before the newest settings and suspension: without NVS the gate rolls back, with it the gate fails closed", () => {
    const { image, nvs } = tightened();
    const settings = record(image, "console/settings");
    assert.ok(record(image, "registry").at > settings.at, "the suspension comes after the settings");
    image.fill(0xff, settings.at, Math.floor(settings.at / SECTOR) * SECTOR + SECTOR);
    // Control: the store alone cannot tell (the log just ends earlier, as a clean one would).
    const blind = boot(new NorFlash(image.length, { image: image.slice() }));
    assert.equal(blind.keys("#583920#")?.grant, true, "without watermarks the old, looser settings come back");
    assert.equal(blind.card(R1_CARD)?.grant, true, "and the suspended resident's card opens again");
    const gate = boot(new NorFlash(image.length, { image }), { nvs });
    serving(gate);
    assert.notEqual(gate.keys("#583920#")?.grant, true, "visitor codes stay off: fail-safe settings");
    assert.notEqual(gate.card(R1_CARD)?.grant, true, "the suspended resident stays refused: registry quarantined");
    const lines = damageLines(gate);
    assert.ok(lines.some((l) => /registry changes lost/.test(l)) && lines.some((l) => /settings unreadable/.test(l)), lines.join(" | "));
    assert.equal(gate.exit(), true);
  });

  it("a power cut between a commit and its watermark is not damage", () => {
    const { image, beforeSuspension } = tightened();
    // The marks as they were before the last registry change: the store is one commit ahead.
    const gate = boot(new NorFlash(image.length, { image }), { nvs: beforeSuspension });
    assert.deepEqual(damageLines(gate), []);
    assert.equal(gate.card(R2_CARD)?.grant, true);
    assert.equal(gate.host.nvs.get("reg.len"), beforeSuspension.get("reg.len")! + 1, "the mark catches up");
  });

  it("a record lost with its header (key unknown) quarantines the registry only where no watermark vouches for it", () => {
    const { image, nvs } = demoGate();
    flipBit(image, record(image, "notice/1").at + 2, 2); // the notice's key length: its key cannot be named
    const blind = boot(new NorFlash(image.length, { image: image.slice() }));
    assert.match(blind.firmware!.core.registry.damage ?? "", /unknown key/, "control: without NVS the loss may have been a registry change");
    const gate = boot(new NorFlash(image.length, { image }), { nvs });
    serving(gate);
    assert.equal(gate.firmware!.core.registry.damage, undefined, "the registry matches its watermark: it lost nothing");
    assert.equal(gate.card(R1_CARD)?.grant, true);
    assert.ok(damageLines(gate).some((l) => /unknown key/.test(l)), "the loss is still reported");
  });

  it("a registry change rewritten under a valid CRC into another valid one (a different PIN hash) shows against the watermark", () => {
    const { image, nvs } = demoGate();
    const changes = records(image).filter((r) => r.key === "registry").sort((a, b) => a.seq - b.seq);
    const r2 = changes[1]; // R00002's addition: card, PIN salt and hash
    const value = image.slice(r2.valueAt, r2.valueAt + r2.valueLength);
    for (let i = value.length - 24; i < value.length - 16; i++) value[i] ^= 0x5a; // inside the PIN hash
    rewrite(image, r2, value);
    const blind = boot(new NorFlash(image.length, { image: image.slice() }));
    assert.deepEqual(damageLines(blind), [], "control: the store alone sees nothing wrong");
    assert.equal(blind.keys("2#246813#")?.grant, false, "and the PIN silently stopped matching");
    const gate = boot(new NorFlash(image.length, { image }), { nvs });
    serving(gate);
    assert.ok(damageLines(gate).some((l) => /registry changes altered/.test(l)), damageLines(gate).join(" | "));
    assert.equal(gate.exit(), true);
  });
});

/** A flash that starts refusing writes (and optionally reads) when told to. */
function failingFlash(inner: Flash): Flash & { refuseWrites: boolean; refuseReads: boolean } {
  return {
    size: inner.size, sectorSize: inner.sectorSize, refuseWrites: false, refuseReads: false,
    read(offset, length) {
      if (this.refuseReads) throw new Error("flash read failed");
      return inner.read(offset, length);
    },
    write(offset, bytes) {
      if (this.refuseWrites) throw new Error("flash write refused");
      inner.write(offset, bytes);
    },
    erase(sector) {
      if (this.refuseWrites) throw new Error("flash erase refused");
      inner.erase(sector);
    },
  };
}

describe("egress and safe mode: the exit button never waits for flash, the core or the clock (issue 13)", () => {
  it("with the flash refusing writes, the first exit press releases the strike", () => {
    let flash: ReturnType<typeof failingFlash> | undefined;
    const gate = bootImage(intact, { adapt: (board) => { board.flash = flash = failingFlash(board.flash); } });
    serving(gate);
    flash!.refuseWrites = true;
    assert.equal(gate.exit(), true);
  });

  it("a flash that refuses every write from power-up on (and a damaged PIN key to replace) still boots into service; exit opens", () => {
    const image = damaged((bytes) => {
      const rec = record(bytes, "device/pin-key");
      const value = bytes.slice(rec.valueAt, rec.valueAt + rec.valueLength);
      value[20] ^= 0x55;
      rewrite(bytes, rec, value);
    });
    const gate = bootImage(image, { adapt: (board) => { const f = failingFlash(board.flash); f.refuseWrites = true; board.flash = f; } });
    serving(gate);
    assert.ok(damageLines(gate).some((l) => /PIN key lost/.test(l)));
    assert.equal(gate.exit(), true);
  });

  it("a store that cannot be read at all ends in safe mode: exit opens, the door alarm sounds, the console answers", () => {
    const gate = bootImage(intact, { adapt: (board) => { const f = failingFlash(board.flash); f.refuseReads = true; board.flash = f; } });
    assert.equal(gate.supervisor.mode, "safe");
    assert.match(gate.supervisor.safeMode!.reason, /startup failed/);
    assert.equal(gate.exit(), true);
    gate.settle();
    assert.equal(gate.strikeOpen, false, "the pulse ends");
    gate.run(3000); // past the relock grace: an opening now is forced
    gate.host.setDoor(true);
    gate.run(500);
    assert.equal(gate.supervisor.safeMode!.alarms, 1);
    assert.match(gate.console("status"), /SAFE MODE[\s\S]*startup failed/);
  });

  it("a gate core that throws on every tick ends in safe mode, or in a clean restart where the board can", () => {
    const gate = bootImage(intact);
    gate.firmware!.core.tick = () => { throw new Error("stuck"); };
    gate.run(2000);
    assert.equal(gate.supervisor.mode, "serving", "a few failing ticks are survived");
    gate.run(4000);
    assert.equal(gate.supervisor.mode, "safe");
    assert.equal(gate.exit(), true);

    let restarts = 0;
    const restartable = bootImage(intact, { adapt: (board) => { board.restart = () => { restarts++; }; } });
    restartable.firmware!.core.tick = () => { throw new Error("stuck"); };
    restartable.run(6000);
    assert.ok(restarts >= 1);
  });

  it("a restart loop is detected and ends in safe mode; a minute of service resets the count", () => {
    const count = { n: MAX_UNSTABLE_BOOTS };
    const nvs = { get: (key: string) => (key === "boots" ? count.n : undefined), set: (key: string, n: number) => { if (key === "boots") count.n = n; } };
    const looping = bootImage(intact, { adapt: (board) => { board.nvs = nvs; } });
    assert.equal(looping.supervisor.mode, "safe");
    assert.match(looping.supervisor.safeMode!.reason, /restart loop/);
    assert.equal(looping.exit(), true);
    count.n = 1;
    const fine = bootImage(intact, { adapt: (board) => { board.nvs = nvs; } });
    serving(fine);
    assert.equal(count.n, 2);
    fine.run(STABLE_MS + 100);
    assert.equal(count.n, 0);
  });

  it("records() sees the demo image's records (the helpers read what recovery reads)", () => {
    assert.ok(records(intact).length > 10);
  });
});
