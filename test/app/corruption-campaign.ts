// Portable (Node and XS). Issue 13's corruption campaign: images the firmware
// itself wrote (test/app/demo-image.ts), damaged the ways flash gets damaged
// and worse, each booted through the supervisor on the host board, with four
// checks per image:
//   serving     the gate boots into service (not safe mode);
//   exit        the exit button opens the strike;
//   no widening no credential is granted that the intact image denies;
//   visible     whenever something was dropped (a credential the intact
//               image grants is refused, or residents, cards, notices, face
//               templates, technicians or the policy differ), a DAMAGE line says so.
// Kinds of damage: bit flips (1-4) and byte runs over the used region,
// zeroed and erased sectors, truncation, and for every record type a rewrite
// under a valid CRC (random bytes, a wrong length, a wrong format byte,
// numbers out of range), plus a sector header and a key area claiming another
// format version.
import { mulberry32 } from "../../boards/host/mulberry32";
import { NorFlash } from "../../boards/host/nor-flash";
import { crc32 } from "../../src/core/store/crc32";
import { putU32 } from "../../src/core/store/format";
import { boot, type BootedGate } from "./boot-rig";
import { demoGate, largeImage, type WrittenImage } from "./demo-image";
import { records, rewrite, SECTOR, type FoundRecord } from "./flash-image";

/** One credential presented at the gate; true when it opened. */
export interface Probe {
  name: string;
  run(gate: BootedGate): boolean;
}

/** What the gate holds, to tell whether a boot dropped something. */
interface Facts {
  residents: number;
  cards: number;
  codes: number;
  notices: number;
  faces: number;
  technician: boolean;
  modes: string;
}

export interface CampaignBase {
  name: string;
  image: Uint8Array;
  /** The board's NVS when the image was written (damage to flash leaves it alone). */
  nvs: ReadonlyMap<string, number>;
  probes: Probe[];
  /** Per probe: granted on the intact image. */
  grants: boolean[];
  facts: Facts;
}

export interface ImageOutcome {
  serving: boolean;
  exitOpened: boolean;
  /** Probes granted here that the intact image denies. */
  widened: string[];
  dropped: boolean;
  damageReported: boolean;
}

export interface CampaignCounts {
  images: number;
  byKind: Record<string, number>;
  serving: number;
  exitOpened: number;
  widened: number;
  /** Images where something was dropped, and those of them that reported DAMAGE. */
  dropped: number;
  droppedReported: number;
  /** Images with DAMAGE reported at all. */
  reported: number;
  /** The first few failing images: base, kind, index, what failed. */
  failures: string[];
}

export function card(uid: string): Probe {
  return { name: `card ${uid}`, run: (gate) => gate.card(uid)?.grant === true };
}

export function keys(text: string): Probe {
  return { name: `keys ${text}`, run: (gate) => gate.keys(text)?.grant === true };
}

/** The face key with the given synthetic identity in front of the camera. */
export function face(resident: number, identity: number): Probe {
  return {
    name: `face ${resident} as ${identity}`,
    run(gate) {
      gate.host.camera.scene = { kind: "genuine", identity };
      const before = gate.decisions.length;
      gate.keys(`${resident}A`);
      gate.run(300);
      gate.host.camera.scene = undefined;
      return gate.decisions.slice(before).some((d) => d.via === "face" && d.grant);
    },
  };
}

function facts(gate: BootedGate): Facts {
  const f = gate.firmware!;
  const registry = f.core.registry;
  return {
    residents: registry.size, cards: registry.cardCount, codes: registry.codeCount, notices: f.core.notices.all().length,
    faces: f.core.gallery.size, technician: f.backend.hasTechnician(), modes: JSON.stringify(f.core.access.policy.modes),
  };
}

function bootImage(image: Uint8Array, nvs: ReadonlyMap<string, number>): BootedGate {
  return boot(new NorFlash(image.length, { image }), { nvs });
}

/** Boots the intact image once and records what each probe gets there. */
export function campaignBase(name: string, written: WrittenImage, probes: Probe[]): CampaignBase {
  const { image, nvs } = written;
  const gate = bootImage(image, nvs);
  if (gate.supervisor.mode !== "serving") throw new Error(`the intact ${name} image does not serve`);
  const before = facts(gate);
  const grants = probes.map((p) => p.run(gate));
  return { name, image, nvs, probes, grants, facts: before };
}

/** Boots one damaged image and checks it against its base. */
export function checkImage(base: CampaignBase, image: Uint8Array): ImageOutcome {
  let gate: BootedGate;
  try {
    gate = bootImage(image, base.nvs);
  } catch {
    return { serving: false, exitOpened: false, widened: [], dropped: true, damageReported: false };
  }
  const serving = gate.supervisor.mode === "serving";
  // Exit first, while the strike is surely closed.
  const exitOpened = gate.exit();
  if (!serving) return { serving, exitOpened, widened: [], dropped: true, damageReported: false };
  const firmware = gate.firmware!;
  const now = facts(gate);
  const damage = firmware.backend.status().damage ?? [];
  const widened: string[] = [];
  let refused = false;
  base.probes.forEach((probe, i) => {
    const granted = probe.run(gate);
    if (granted && !base.grants[i]) widened.push(probe.name);
    if (!granted && base.grants[i]) refused = true;
  });
  const was = base.facts;
  const dropped = refused || now.residents !== was.residents || now.cards !== was.cards || now.codes !== was.codes
    || now.notices !== was.notices || now.faces !== was.faces || now.technician !== was.technician || now.modes !== was.modes;
  return { serving, exitOpened, widened, dropped, damageReported: damage.length > 0 };
}

// Damage generators ------------------------------------------------------

type Rng = () => number;

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** End of the programmed bytes (the used region is everything before it). */
function usedEnd(image: Uint8Array): number {
  let end = image.length;
  while (end > 0 && image[end - 1] === 0xff) end--;
  return Math.max(end, SECTOR);
}

/** Sectors holding anything. */
function usedSectors(image: Uint8Array): number[] {
  const out: number[] = [];
  for (let s = 0; s < image.length / SECTOR; s++) {
    for (let i = s * SECTOR; i < (s + 1) * SECTOR; i++) {
      if (image[i] !== 0xff) {
        out.push(s);
        break;
      }
    }
  }
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(rng, 256);
  return out;
}

/** A record's value as stored (copy). */
function valueOf(image: Uint8Array, rec: FoundRecord): Uint8Array {
  return image.slice(rec.valueAt, rec.valueAt + rec.valueLength);
}

/** Valid-CRC rewrites of one record: what no bit flip can do, keyed by record type. */
const REWRITES: { name: string; apply(image: Uint8Array, rec: FoundRecord, rng: Rng): void }[] = [
  { name: "random bytes", apply: (image, rec, rng) => rewrite(image, rec, randomBytes(rng, rec.valueLength)) },
  { name: "shorter", apply: (image, rec, rng) => rewrite(image, rec, valueOf(image, rec).subarray(0, int(rng, Math.max(1, rec.valueLength)))) },
  { name: "empty", apply: (image, rec) => rewrite(image, rec, new Uint8Array(0)) },
  {
    // The first byte after a stream's u32 index (or of a value) is a format or version byte in every record kind.
    name: "wrong version", apply(image, rec, rng) {
      const value = valueOf(image, rec);
      const at = rec.type === 4 ? 4 : 0;
      if (value.length > at) value[at] = (value[at] + 1 + int(rng, 254)) & 0xff;
      rewrite(image, rec, value);
    },
  },
  {
    name: "numbers out of range", apply(image, rec, rng) {
      const value = valueOf(image, rec);
      const start = rec.type === 4 ? 4 : 0;
      for (let n = 0; n < 3 && value.length > start; n++) {
        const at = start + int(rng, value.length - start);
        for (let i = at; i < Math.min(value.length, at + 4); i++) value[i] = rng() < 0.5 ? 0xff : 0x7f;
      }
      rewrite(image, rec, value);
    },
  },
];

/** The record kind a key belongs to (registry change, notice, consent, ...): rewrites pick kinds evenly. */
export function recordKind(key: string): string {
  const slash = key.indexOf("/");
  if (key.startsWith("#")) return "internal";
  if (key.startsWith("registry.")) return "registry";
  return slash < 0 ? key : key.slice(0, key.indexOf("/", slash + 1) > 0 ? key.indexOf("/", slash + 1) : key.length);
}

export const KINDS = ["bit flips", "byte run", "zeroed sector", "erased sector", "truncation", "valid-CRC record", "sector version", "key area version"] as const;

/** The `index`-th damaged copy of the base image (deterministic per seed and index). */
export function corrupt(base: CampaignBase, seed: number, index: number): { kind: string; image: Uint8Array } {
  const rng = mulberry32((seed * 1_000_003 + index * 7919) >>> 0);
  const image = base.image.slice();
  const end = usedEnd(image);
  const kind = KINDS[index % KINDS.length];
  switch (kind) {
    case "bit flips": {
      const n = 1 + int(rng, 4);
      for (let i = 0; i < n; i++) image[int(rng, end)] ^= 1 << int(rng, 8);
      return { kind, image };
    }
    case "byte run": {
      const at = int(rng, end), n = 1 + int(rng, 64);
      image.set(randomBytes(rng, Math.min(n, image.length - at)), at);
      return { kind, image };
    }
    case "zeroed sector":
    case "erased sector": {
      const sectors = usedSectors(image);
      const s = sectors[int(rng, sectors.length)];
      image.fill(kind === "zeroed sector" ? 0 : 0xff, s * SECTOR, (s + 1) * SECTOR);
      return { kind, image };
    }
    case "truncation": {
      const at = SECTOR * 2 + int(rng, end - SECTOR * 2);
      image.fill(0xff, at);
      return { kind, image };
    }
    case "valid-CRC record": {
      const all = records(image);
      const kinds = [...new Set(all.map((r) => recordKind(r.key)))].sort();
      const chosen = kinds[int(rng, kinds.length)];
      const of = all.filter((r) => recordKind(r.key) === chosen);
      const rec = of[int(rng, of.length)];
      const how = REWRITES[int(rng, REWRITES.length)];
      how.apply(image, rec, rng);
      return { kind: `valid-CRC ${chosen} (${how.name})`, image };
    }
    case "sector version": {
      const sectors = usedSectors(image).filter((s) => s >= 2);
      const s = sectors[int(rng, sectors.length)] * SECTOR;
      image[s + 4] = 2 + int(rng, 250);
      putU32(image, s + 12, crc32(image, s + 4, s + 12));
      return { kind, image };
    }
    case "key area version": {
      const s = int(rng, 2) * SECTOR;
      image[s + 4] = 2 + int(rng, 250);
      putU32(image, s + 40, crc32(image, s + 4, s + 40));
      return { kind, image };
    }
  }
  throw new Error(`no such kind ${String(kind)}`);
}

export function emptyCounts(): CampaignCounts {
  return { images: 0, byKind: {}, serving: 0, exitOpened: 0, widened: 0, dropped: 0, droppedReported: 0, reported: 0, failures: [] };
}

/** Runs images [from, to) of the campaign over one base, adding to `counts`. */
export function runCampaign(base: CampaignBase, seed: number, from: number, to: number, counts = emptyCounts()): CampaignCounts {
  for (let i = from; i < to; i++) {
    const { kind, image } = corrupt(base, seed, i);
    const outcome = checkImage(base, image);
    counts.images++;
    const family = kind.startsWith("valid-CRC") ? "valid-CRC record" : kind;
    counts.byKind[family] = (counts.byKind[family] ?? 0) + 1;
    if (outcome.serving) counts.serving++;
    if (outcome.exitOpened) counts.exitOpened++;
    if (outcome.widened.length) counts.widened++;
    if (outcome.dropped) counts.dropped++;
    if (outcome.dropped && outcome.damageReported) counts.droppedReported++;
    if (outcome.damageReported) counts.reported++;
    const failed = [
      outcome.serving ? "" : "not serving", outcome.exitOpened ? "" : "exit did not open",
      outcome.widened.length ? `widened: ${outcome.widened.join(", ")}` : "", outcome.dropped && !outcome.damageReported ? "dropped without DAMAGE" : "",
    ].filter((f) => f);
    if (failed.length && counts.failures.length < 20) counts.failures.push(`${base.name} #${i} ${kind}: ${failed.join("; ")}`);
  }
  return counts;
}

// Bases ------------------------------------------------------------------

/** The demo compound's credentials: three residents' cards, PINs right and wrong, the courier code, face. */
export function demoBase(): CampaignBase {
  return campaignBase("demo", demoGate(), [
    card("04a1b2c3"), card("04d4e5f6"), card("04112233"), card("deadbeef"),
    keys("2#246813#"), keys("3#135724#"), keys("2#1111#"), keys("#583920#"), face(3, 303),
  ]);
}

/** A larger compound: a sample of its cards, revoked cards and PINs, plus the demo residents. */
export function largeBase(residents: number): CampaignBase {
  const large = largeImage(residents);
  const sample = <T>(list: T[], n: number) => list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n);
  return campaignBase(`large (${residents} residents)`, large, [
    ...sample(large.cards, 4).map(card), ...sample(large.revoked, 3).map(card),
    ...sample(large.pins, 2).map((p) => keys(`${p.who}#${p.pin}#`)), card("04112233"), face(3, 303),
    keys("#583920#"), // the courier's code: refused here, visitor codes are off
  ]);
}
