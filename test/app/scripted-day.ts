// A scripted day at one real gate (issue 5's measured claim): thousands of
// mixed events — cards (known, unknown), PINs at the keypad (right, wrong),
// face sessions by consenting residents (genuine, impostor, no face, poor
// quality), the face key pressed by residents who never consented, consent
// and enrolment at the console, withdrawals at the keypad and at the console,
// console reads (status, log show, report) — against a gate a rig assembled
// from the real firmware parts. Meanwhile every byte the gate writes (flash
// writes, audit records, console output, log lines) is indexed, and every
// secret it handles (frames, embeddings, probes, templates, template keys,
// the PIN key, PINs) is kept, so the caller can prove none got out.
//
// Rigs: test/app/host-firmware-rig.ts (Node: the Firmware on the host board,
// as the simulator runs it) and test/app/core-rig.ts (portable: the same
// parts without the drivers).
import assert from "node:assert/strict";
import type { GateCore } from "../../src/app/core";
import type { AuditTrail } from "../../src/core/audit/audit-trail";
import type { GateDecision } from "../../src/core/gate/gate";
import type { Embedder, Matcher } from "../../src/core/ports";
import type { Flash } from "../../src/core/store/flash";
import type { LogStore } from "../../src/core/store/log-store";
import { ByteScanner } from "./byte-scan";
import { mulberry32 as prng } from "../../boards/host/mulberry32";

export const TECH = { id: "tech", password: "day-tech-pass-1" };
/** Monday 2 March 2026, 00:00 in Shanghai: the day runs from local midnight. */
export const DAY_START = Date.UTC(2026, 2, 1, 16, 0);
const DAY_MS = 86_400_000;

export type Scene = { kind: "face" | "no-face" | "low-quality"; identity: number };

/** What a rig gives the script: the gate, its clock, its inputs and its camera's power log. */
export interface DayGate {
  readonly core: GateCore;
  readonly store: LogStore;
  now(): number;
  /** Time passes with the gate running its 10 ms tick. */
  advance(ms: number): void;
  /** Idle time passes at once (the board was asleep between events). */
  jump(ms: number): void;
  /** A card is held to the reader and taken away again. */
  card(uidHex: string): void;
  /** Keys pressed and released one after another on the keypad. */
  keys(text: string): void;
  /** What stands in front of the camera from now on; seen only from `delayMs` after the camera powers up (the resident steps closer). */
  scene(scene: Scene | undefined, delayMs?: number): void;
  /** One line typed at the technician console; what the console printed in answer. */
  console(line: string): string;
  cameraPowered(): boolean;
  /** Every change of camera power, with board time. */
  readonly cameraLog: { on: boolean; time: number }[];
  readonly decisions: GateDecision[];
}

/** Everything the gate wrote goes to `scanner`; everything secret it handled to `secrets`. */
export class DayCapture {
  readonly scanner = new ByteScanner();
  readonly secrets: { what: string; bytes: Uint8Array }[] = [];
  readonly pins: string[] = [];
  flashWrites = 0;
  flashWriteBytes = 0;
  consoleBytes = 0;
  logLines = 0;
  auditRecords = 0;

  output(bytes: Uint8Array): void {
    this.scanner.add(bytes);
  }

  secret(what: string, bytes: Uint8Array): void {
    this.secrets.push({ what, bytes: bytes.slice() });
  }

  /** A flash that hands every programmed byte to the scan before the chip sees it. */
  flash(inner: Flash): Flash {
    return {
      size: inner.size,
      sectorSize: inner.sectorSize,
      read: (offset, length) => inner.read(offset, length),
      write: (offset, bytes) => {
        this.flashWrites++;
        this.flashWriteBytes += bytes.length;
        this.output(bytes);
        inner.write(offset, bytes);
      },
      erase: (sector) => inner.erase(sector),
    };
  }

  /**
   * The console is one byte stream (the line editor echoes a key at a time):
   * it is indexed as a stream, so nothing split across writes escapes the scan.
   */
  consoleWrite(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? utf8Bytes(data) : data.slice();
    this.consoleBytes += bytes.length;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= 65536) this.flushConsole();
  }

  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #tail = new Uint8Array(0);

  /** Indexes the console bytes written since the last flush, joined to the end of the previous ones. */
  flushConsole(): void {
    if (!this.#pendingBytes) return;
    const joined = new Uint8Array(this.#tail.length + this.#pendingBytes);
    joined.set(this.#tail);
    let at = this.#tail.length;
    for (const chunk of this.#pending) { joined.set(chunk, at); at += chunk.length; }
    this.scanner.add(joined);
    this.#tail = joined.slice(Math.max(0, joined.length - 16));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  logLine(line: string): void {
    this.logLines++;
    this.output(utf8Bytes(line));
  }

  /** Every frame the model saw, every embedding it produced. */
  embedder(inner: Embedder): Embedder {
    const capture = this;
    return {
      get dimension() { return inner.dimension; },
      get model() { return inner.model; },
      get livenessChecks() { return inner.livenessChecks; },
      embed(frame, out, liveness) {
        capture.secret("frame", frame.data);
        const outcome = inner.embed(frame, out, liveness);
        if (outcome === "ok") capture.secret("embedding", new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        return outcome;
      },
    } as Embedder;
  }

  /** Every template loaded into the matcher, every probe compared against it. */
  matcher(inner: Matcher): Matcher {
    return {
      dimension: inner.dimension,
      capacity: inner.capacity,
      load: (slot, template) => { this.secret("template", int8Bytes(template)); inner.load(slot, template); },
      clear: (slot) => inner.clear(slot),
      verify: (slot, probe) => { this.secret("probe", int8Bytes(probe)); return inner.verify(slot, probe); },
      scan: (probe, count) => { this.secret("probe", int8Bytes(probe)); return inner.scan(probe, count); },
    };
  }

  /** Every audit record, as the log appended it (before the store copies it). */
  watchAudit(audit: AuditTrail): void {
    const before = audit.onAppend;
    audit.onAppend = (log, record) => {
      this.auditRecords++;
      this.output(record);
      before?.(log, record);
    };
  }
}

function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function int8Bytes(values: Int8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** A camera window the core opened: a face session (face key → result) or an enrolment. */
export interface CameraWindow {
  kind: "session" | "enrolment";
  start: number;
  end: number;
}

/**
 * Records, from the core's side, when each face session and enrolment began
 * and ended — independently of the camera, whose power log the rig keeps.
 */
export function watchCameraWindows(core: GateCore, now: () => number): CameraWindow[] {
  const windows: CameraWindow[] = [];
  const session = core.session;
  let open: CameraWindow | undefined;
  const faceKey = session.faceKey.bind(session);
  session.faceKey = (at, claim) => {
    const response = faceKey(at, claim);
    if (response.started) windows.push((open = { kind: "session", start: at, end: NaN }));
    return response;
  };
  const close = (at: number) => {
    assert.ok(open, "a session ended that never started");
    open.end = at;
    open = undefined;
  };
  const tick = session.tick.bind(session);
  session.tick = (at) => {
    const result = tick(at);
    if (result) close(at);
    return result;
  };
  const cancel = session.cancel.bind(session);
  session.cancel = (at) => {
    const result = cancel(at);
    if (result) close(at);
    return result;
  };
  const enrol = core.enrolment.enrolFromCamera.bind(core.enrolment);
  core.enrolment.enrolFromCamera = (consent, at) => {
    const window: CameraWindow = { kind: "enrolment", start: now(), end: NaN };
    windows.push(window);
    try {
      return enrol(consent, at);
    } finally {
      window.end = now();
    }
  };
  return windows;
}


interface Resident {
  number: number;
  id: string;
  card: string;
  pin: string;
  identity: number;
  consenting: boolean;
}

export interface DayStats {
  events: number;
  cardKnown: number;
  cardUnknown: number;
  pinRight: number;
  pinWrong: number;
  faceGenuine: number;
  faceImpostor: number;
  faceNoFace: number;
  faceLowQuality: number;
  faceNonConsenting: number;
  /** Of those, presses after which the camera had not moved at all. */
  faceNonConsentingCameraOff: number;
  faceGranted: number;
  consents: number;
  withdrawalsKeypad: number;
  withdrawalsConsole: number;
  consoleReads: number;
  /** Card/PIN events during which the camera's power log did not move. */
  cardPinCameraOff: number;
  cardPinEvents: number;
}

export interface DayOptions {
  events: number;
  residents: number;
  seed?: number;
}

/**
 * Provisions `residents` residents (card, 8-digit PIN) through the registry
 * API as demo-seed.ts does, a notice and a third of them consenting through
 * the console, then plays `events` mixed events spread over 24 hours.
 */
export function runScriptedDay(gate: DayGate, capture: DayCapture, options: DayOptions): DayStats {
  const random = prng(options.seed ?? 20260302);
  const pick = (n: number) => Math.floor(random() * n);
  const core = gate.core;
  const residents: Resident[] = [];
  for (let i = 0; i < options.residents; i++) {
    const card = `04${(0x100000 + i * 7919).toString(16).padStart(6, "0")}`;
    let pin = "", number = 0;
    while (number === 0) {
      pin = "";
      for (let d = 0; d < 8; d++) pin += String(pick(10));
      // The registry refuses guessable PINs (E_WEAK_PIN): draw again, as a resident would choose again.
      try { number = core.registry.addResident({ unit: `${1 + (i % 9)}-${101 + i}`, role: "owner", groups: 1, cards: [hexBytes(card)], pin }); } catch (error) { if (!/E_WEAK_PIN/.test(String(error))) throw error; }
    }
    residents.push({ number, id: `R${String(number).padStart(5, "0")}`, card, pin, identity: 5000 + i, consenting: false });
    capture.pins.push(pin);
  }
  const stats: DayStats = {
    events: 0, cardKnown: 0, cardUnknown: 0, pinRight: 0, pinWrong: 0, faceGenuine: 0, faceImpostor: 0, faceNoFace: 0, faceLowQuality: 0,
    faceNonConsenting: 0, faceNonConsentingCameraOff: 0, faceGranted: 0, consents: 0, withdrawalsKeypad: 0, withdrawalsConsole: 0, consoleReads: 0, cardPinCameraOff: 0, cardPinEvents: 0,
  };

  const technician = (lines: string[]): string[] => {
    assert.match(gate.console(`login ${TECH.id}`), /assword/);
    assert.match(gate.console(TECH.password), /Logged in as/);
    const answers = lines.map((line) => gate.console(line));
    gate.console("logout");
    return answers;
  };
  const noticeOut = technician([`notice set --purpose "Open the gate by face for residents who ask" --method "On-board model; encrypted template" --scope ${core.gateName} --retention 365`]);
  assert.match(noticeOut[0], /v1/);

  const consent = (r: Resident) => {
    // The technician arms the request; the resident confirms it on the keypad with their own PIN.
    const out = technician([`consent grant ${r.id}`, "yes"]);
    assert.match(out[1], new RegExp(`At the gate keypad ${r.id} types: {2}#8#${r.number}#<PIN>#`), out.join(""));
    const before = gate.decisions.length;
    gate.keys(`#8#${r.number}#${r.pin}#`);
    assert.ok(gate.decisions.slice(before).some((d) => d.via === "consent" && d.reason === "consent-given"), `${r.id} confirmed at the keypad`);
    assert.ok(core.ledger.isActive(r.id));
    gate.scene({ kind: "face", identity: r.identity });
    const enrolled = technician(["face enrol " + r.id, "go"]);
    gate.scene(undefined);
    assert.match(enrolled[1], /enrolled under notice/, enrolled.join(""));
    // The template key, read back through the store as the vault does: it must never appear in clear.
    const entry = core.vault.get(r.id);
    assert.ok(entry, `${r.id} has a template after enrolment`);
    capture.secret("template key", entry.key);
    r.consenting = true;
    stats.consents++;
  };
  for (let i = 0; i < Math.ceil(options.residents / 3); i++) consent(residents[i]);

  const settle = () => {
    // A face session runs until its result (at most the 8 s timeout); then the prompt and relay settle.
    for (let waited = 0; core.session.active && waited < 12_000; waited += 10) gate.advance(10);
    assert.equal(core.session.active, false, "the face session ended");
    gate.scene(undefined);
    gate.advance(200);
  };
  const cardOrPin = (act: () => void) => {
    stats.cardPinEvents++;
    const logged = gate.cameraLog.length;
    assert.equal(gate.cameraPowered(), false, "camera off when a card or PIN event starts");
    act();
    if (gate.cameraLog.length === logged && !gate.cameraPowered()) stats.cardPinCameraOff++;
  };
  const decided = (from: number) => gate.decisions.slice(from);

  const gap = DAY_MS / options.events;
  for (let e = 0; e < options.events; e++) {
    stats.events++;
    gate.jump(Math.max(1_500, Math.round(gap * (0.5 + random()))));
    const r = residents[pick(residents.length)];
    const consenting = residents.filter((x) => x.consenting);
    const before = gate.decisions.length;
    const roll = random();
    if (roll < 0.22) {
      stats.cardKnown++;
      cardOrPin(() => gate.card(r.card));
      assert.ok(decided(before).some((d) => d.via === "card" && d.grant && d.resident === r.id), `card of ${r.id} opens`);
    } else if (roll < 0.26) {
      stats.cardUnknown++;
      cardOrPin(() => gate.card(`de${(0xad0000 + pick(0xffff)).toString(16)}`));
      assert.ok(decided(before).every((d) => !d.grant), "an unknown card does not open");
    } else if (roll < 0.42) {
      stats.pinRight++;
      cardOrPin(() => gate.keys(`${r.number}#${r.pin}#`));
      assert.ok(decided(before).some((d) => d.via === "pin" && d.grant && d.resident === r.id), `PIN of ${r.id} opens`);
    } else if (roll < 0.45) {
      // A mistyped PIN, then the right one (as people do): the first is refused, the second opens.
      stats.pinWrong++;
      const wrong = String((Number(r.pin) + 1 + pick(9_000_000)) % 100_000_000).padStart(8, "0");
      cardOrPin(() => gate.keys(`${r.number}#${wrong}#`));
      assert.ok(decided(before).length > 0 && decided(before).every((d) => !d.grant), "a wrong PIN does not open");
      gate.advance(1_000);
      const retry = gate.decisions.length;
      cardOrPin(() => gate.keys(`${r.number}#${r.pin}#`));
      assert.ok(decided(retry).some((d) => d.grant && d.resident === r.id), `the right PIN of ${r.id} opens after a wrong one`);
    } else if (roll < 0.80 && consenting.length) {
      // A consenting resident types their resident number, then the face key: a 1:1 session.
      const who = consenting[pick(consenting.length)];
      const kind = random();
      let scene: Scene;
      if (kind < 0.7) { scene = { kind: "face", identity: who.identity }; stats.faceGenuine++; }
      else if (kind < 0.85) { scene = { kind: "face", identity: 900_000 + pick(1_000_000) }; stats.faceImpostor++; }
      else if (kind < 0.95) { scene = { kind: "no-face", identity: 0 }; stats.faceNoFace++; }
      else { scene = { kind: "low-quality", identity: who.identity }; stats.faceLowQuality++; }
      gate.scene(scene, 10 * pick(4));
      gate.keys(`${who.number}A`);
      settle();
      const faces = decided(before).filter((d) => d.via === "face" && d.grant);
      stats.faceGranted += faces.length;
      if (kind >= 0.7) assert.equal(faces.length, 0, "no face but the consenting resident's opens");
      for (const d of faces) assert.equal(d.resident, who.id, "a face opens only for its own resident");
    } else if (roll < 0.86) {
      // The face key pressed by someone who never consented (their number first, or bare): nothing opens.
      const who = residents.filter((x) => !x.consenting);
      if (!who.length) continue;
      stats.faceNonConsenting++;
      const them = who[pick(who.length)];
      const logged = gate.cameraLog.length;
      gate.scene({ kind: "face", identity: them.identity });
      gate.keys(random() < 0.7 ? `${them.number}A` : "A");
      settle();
      if (gate.cameraLog.length === logged) stats.faceNonConsentingCameraOff++;
      assert.ok(decided(before).every((d) => !d.grant), "a non-consenting resident's face opens nothing");
    } else if (roll < 0.89) {
      const who = residents.filter((x) => !x.consenting);
      if (who.length) consent(who[pick(who.length)]);
    } else if (roll < 0.92) {
      if (consenting.length <= 1) continue;
      const who = consenting[pick(consenting.length)];
      if (random() < 0.5) {
        stats.withdrawalsKeypad++;
        gate.keys(`#9#${who.number}#${who.pin}#`);
        gate.advance(200);
      } else {
        stats.withdrawalsConsole++;
        const out = technician([`consent withdraw ${who.id}`]);
        assert.match(out[0], /Receipt/);
      }
      who.consenting = false;
      assert.equal(core.vault.get(who.id), undefined, `${who.id}'s template and key are gone at once`);
      assert.equal(core.gallery.entry(who.id), undefined);
    } else {
      stats.consoleReads++;
      const which = pick(3);
      const out = technician([which === 0 ? "status" : which === 1 ? "log show --last 10" : `report ${r.id}`])[0];
      assert.doesNotMatch(out, /E_[A-Z_]+/, out);
    }
    gate.advance(100);
  }
  settle();
  return stats;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** The camera was on exactly during the windows the core opened: returns the total on-time. */
export function checkCameraWindows(log: { on: boolean; time: number }[], windows: CameraWindow[]): { onMs: number; windowMs: number } {
  assert.equal(log.length, windows.length * 2, `${log.length} power changes for ${windows.length} camera windows`);
  let onMs = 0, windowMs = 0;
  for (let i = 0; i < windows.length; i++) {
    const on = log[2 * i], off = log[2 * i + 1], w = windows[i];
    assert.deepEqual([on.on, off.on], [true, false], `power change ${2 * i} alternates`);
    assert.deepEqual([on.time, off.time], [w.start, w.end], `camera window ${i} (${w.kind}) matches the power log`);
    onMs += off.time - on.time;
    windowMs += w.end - w.start;
  }
  return { onMs, windowMs };
}

export interface LeakReport {
  secrets: number;
  secretBytes: number;
  hits: { what: string; windows: number }[];
  pinHits: number;
}

/** Looks up every secret window and PIN in everything indexed. */
export function scanForLeaks(capture: DayCapture): LeakReport {
  capture.flushConsole();
  const report: LeakReport = { secrets: capture.secrets.length, secretBytes: 0, hits: [], pinHits: 0 };
  for (const s of capture.secrets) {
    report.secretBytes += s.bytes.length;
    const found = capture.scanner.find(s.bytes).length;
    if (found) report.hits.push({ what: s.what, windows: found });
  }
  for (const pin of capture.pins) if (capture.scanner.findDigits(pin)) report.pinHits++;
  return report;
}
