import { isOptgateError } from "../../src/core/errors";
// Portable. Flash images written by the firmware itself: the demo compound
// (boards/host/demo-seed.ts, as `npm start` seeds it) and, for the campaign, a
// larger compound, both through the firmware's own registry, consent and
// console paths, then a clean restart so the image is what a gate leaves.
import { seedDemoCompound } from "../../boards/host/demo-seed";
import { DEMO_TECHNICIAN } from "../../boards/host/demo-compound";
import { NorFlash } from "../../boards/host/nor-flash";
import { blankFlash, boot, BOOT_TIME, FLASH_SIZE } from "./boot-rig";

export const TECH_LOGIN = DEMO_TECHNICIAN;

/** A flash image the firmware wrote, and the board's NVS as it left it. */
export interface WrittenImage {
  image: Uint8Array;
  nvs: Map<string, number>;
}

/** The demo compound, seeded and settled; the image is the flash after the firmware wrote it. */
export function demoGate(size = FLASH_SIZE): WrittenImage {
  const flash = blankFlash(size);
  const gate = boot(flash);
  const firmware = gate.firmware!;
  if (!seedDemoCompound(firmware, gate.host.camera, BOOT_TIME)) throw new Error("the demo compound did not seed");
  gate.run(100);
  return { image: flash.image.slice(), nvs: new Map(gate.host.nvs) };
}

export function demoImage(size = FLASH_SIZE): Uint8Array {
  return demoGate(size).image;
}

export interface LargeCompound extends WrittenImage {
  /** Card UIDs (hex) of residents who were never revoked. */
  cards: string[];
  /** Card UIDs removed from residents (must stay denied). */
  revoked: string[];
  /** Resident number and PIN of residents with a PIN. */
  pins: { who: number; pin: string }[];
}

/**
 * A larger compound: `residents` residents with cards (every fifth with a
 * PIN too), every seventh card revoked, a second notice, settings changed
 * (visitor codes off), written through the registry and the console backend.
 */
export function largeImage(residents: number, size = 1024 * 1024): LargeCompound {
  const flash = new NorFlash(size);
  const gate = boot(flash);
  const firmware = gate.firmware!;
  seedDemoCompound(firmware, gate.host.camera, BOOT_TIME);
  const registry = firmware.core.registry;
  const cards: string[] = [], revoked: string[] = [];
  const pins: { who: number; pin: string }[] = [];
  for (let i = 0; i < residents; i++) {
    const uid = `05${hex(i >> 16)}${hex(i >> 8)}${hex(i)}`;
    // Six-digit PINs the rules accept (E_WEAK_PIN: the next candidate, as a resident would choose again).
    let pin = i % 5 === 0 ? String(100000 + ((i * 7919) % 900000)) : undefined;
    let id = 0;
    for (let k = 1; id === 0; k++) {
      try { id = registry.addResident({ unit: `${1 + (i % 30)}-${100 + (i % 40)}`, role: "owner", groups: 1, cards: [bytes(uid)], pin }); } catch (error) {
        if (!isOptgateError(error, "E_WEAK_PIN")) throw error;
        pin = String(100000 + ((i * 7919 + k * 104729) % 900000));
      }
    }
    if (pin) pins.push({ who: id, pin });
    if (i % 7 === 3) {
      const spare = `06${hex(i >> 16)}${hex(i >> 8)}${hex(i)}`;
      registry.addCard(id, bytes(spare));
      registry.removeCard(bytes(spare));
      revoked.push(spare);
    }
    cards.push(uid);
  }
  firmware.backend.configSet(TECH_LOGIN.id, "mode.faceOneToN", "on");
  firmware.backend.configSet(TECH_LOGIN.id, "mode.faceOneToN", "off");
  // Stricter than the defaults: losing these settings must not quietly reopen visitor codes.
  firmware.backend.configSet(TECH_LOGIN.id, "mode.code", "off");
  firmware.core.notices.publish({ purpose: "Open the gate (second text)", method: "1:1 match after the face key", gates: [firmware.core.gateName], retentionDays: 180 }, BOOT_TIME + 1000);
  gate.run(100);
  return { image: flash.image.slice(), nvs: new Map(gate.host.nvs), cards, revoked, pins };
}

function hex(n: number): string {
  const b = n & 255;
  return (b < 16 ? "0" : "") + b.toString(16);
}

function bytes(hexText: string): Uint8Array {
  return Uint8Array.from(hexText.match(/../g) ?? [], (h) => parseInt(h, 16));
}
