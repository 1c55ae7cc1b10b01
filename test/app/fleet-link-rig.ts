// The broker-model rig of the fleet link's portable tests (fleet-link.test.ts,
// fleet-attack.test.ts): the real MQTT client and codec, the real sync core
// and hub-signed messages; the ports record what the link asked of the gate.
import type { AuditEntry } from "../../src/core/audit/audit-record";
import type { AuditLogName } from "../../src/core/audit/audit-trail";
import { Ed25519Signer } from "../../src/core/ed25519";
import { OptgateError } from "../../src/core/errors";
import { MqttClient, type MqttLink } from "../../src/core/mqtt/client";
import { encodePacket } from "../../src/core/mqtt/encode";
import { PacketType, type PublishPacket } from "../../src/core/mqtt/packets";
import { StreamDecoder } from "../../src/core/mqtt/stream-decoder";
import { GateErasures, encodeEraseOrder } from "../../src/core/sync/erasure";
import { GateSync } from "../../src/core/sync/gate-sync";
import { answerDigest, encodeHubAnswer, readHubAnswer, type AnswerOutcome, type AnsweredKind } from "../../src/core/sync/hub-answer";
import { decodeMessage, encodeChangeSet, encodeTimeGrant, keyIdOf, type InventoryEntry } from "../../src/core/sync/messages";
import { FleetLink, type FleetPorts } from "../../src/app/fleet-link";
import { BrokerModel } from "../core/mqtt/broker-model";
import { seededRandom } from "../core/store/helpers";

export const COMPOUND = 3, GATE = 12;
export const T = 1_780_000_000_000;
export const hub = new Ed25519Signer(new Uint8Array(32).fill(7));
export const intruder = new Ed25519Signer(new Uint8Array(32).fill(9));
const gateKey = new Ed25519Signer(new Uint8Array(32).fill(8));
export const topic = (leaf: string, gate = GATE) => `optgate/${COMPOUND}/${gate}/${leaf}`;
export const leafOf = (p: PublishPacket) => p.topic.slice(topic("").length);

export interface RigOptions {
  /** Notices the link starts with (as if read from flash). */
  pending?: Uint8Array[];
  /** Records in the access log the link uploads. */
  records?: number;
  /** Throws from the store's apply while it returns true. */
  failApply?: () => boolean;
  /**
   * Bytes the link can hold until the socket takes them (each delivery
   * empties it), as the TCP link's buffer: a write past it drops the link.
   */
  linkBytes?: number;
}

export function fleetLinkRig(options: RigOptions = {}) {
  const broker = new BrokerModel(8);
  let now = 0, open: "closed" | "opening" | "open" = "closed";
  /** While set, the broker never acknowledges the gate's publishes (a stalled or hostile broker). */
  let withhold = false;
  const withheld: PublishPacket[] = [];
  const sieve = new StreamDecoder(1 << 16);
  sieve.onPacket = (p) => {
    if (withhold && p.type === PacketType.PUBLISH) withheld.push(p);
    else broker.fromClient(Uint8Array.from(encodePacket(p)));
  };
  /** Bytes the link holds until the next delivery, and writes that did not fit (each one dropped the link). */
  const linkBuffer = { held: 0, overflows: 0 };
  const link: MqttLink = {
    open() { open = "opening"; },
    write(bytes) {
      if (open !== "open") return;
      if (options.linkBytes !== undefined && linkBuffer.held + bytes.length > options.linkBytes) {
        linkBuffer.overflows++;
        cut();
        return;
      }
      linkBuffer.held += bytes.length;
      sieve.push(bytes);
    },
    close() { if (open === "open") broker.dropped(); open = "closed"; },
  };
  const client = new MqttClient({ link, clientId: `optgate-gate-${COMPOUND}-${GATE}`, reconnectMinMs: 100, reconnectMaxMs: 200, maxPacket: 40_000 });
  const sign = (b: Uint8Array) => gateKey.sign(b);
  const sync = new GateSync({ gateId: GATE, hubKeys: [hub.publicKey], sign });
  const erasures = new GateErasures({ gateId: GATE, hubKeys: [hub.publicKey], sign });
  const calls: string[] = [];
  const audit: AuditEntry[] = [];
  const records: Record<AuditLogName, Uint8Array[]> = {
    access: Array.from({ length: options.records ?? 0 }, (_, i) => new Uint8Array(60).fill(i & 0xff)),
    security: [],
  };
  const state = {
    applied: [] as number[], held: new Set([41, 42]), pendingErase: [] as number[], hold: undefined as string | undefined,
    holdAtErase: [] as (string | undefined)[], eraseFails: 0, clock: T as number | undefined, pending: [] as Uint8Array[][], progress: [] as string[],
  };
  const ports: FleetPorts = {
    target: {
      apply(changes, full, version) {
        if (options.failApply?.()) throw new OptgateError("E_STORE_IO", "the flash refused the write");
        calls.push(`apply v${version}${full ? " full" : ""} ${changes.length}`);
        state.applied.push(version);
      },
    },
    pendingErasures: () => state.pendingErase.slice(),
    erased: (ids) => { calls.push(`erased ${ids.join(",")}`); state.pendingErase = state.pendingErase.filter((id) => !ids.includes(id)); },
    eraseTemplate: (id) => {
      if (state.eraseFails > 0) { state.eraseFails--; throw new OptgateError("E_STORE_FULL", "the store is full"); }
      calls.push(`erase ${id}`);
      state.holdAtErase.push(state.hold);
      return { held: state.held.delete(id) };
    },
    inventory: function* () { return [{ id: 41, digest: new Uint8Array(8) }]; },
    auditRecords: (log, from, max, maxBytes) => {
      const all = records[log], out: Uint8Array[] = [];
      let next = Math.max(0, from), bytes = 0;
      while (next < all.length && out.length < max && bytes + all[next].length <= maxBytes) { bytes += all[next].length; out.push(all[next++]); }
      return { records: out, next: Math.min(next, all.length) };
    },
    signedHead: (log, at) => ({ gateId: GATE, log, anchor: { seq: 0, hash: new Uint8Array(32) }, head: { seq: records[log].length, hash: new Uint8Array(32) }, digest: new Uint8Array(32), time: at, signature: new Uint8Array(64) }) as never,
    appendAudit: (entry) => { audit.push(entry); },
    saveReceipts: (r) => { calls.push(`save receipts ${r.length}`); },
    savePending: (n) => { state.pending.push(n.map((x) => x.slice())); },
    saveAuditProgress: (p) => { state.progress.push(`${p.access}/${p.security}`); },
    trustedNow: () => state.clock,
    wallNow: () => state.clock ?? 0,
    setClock: (time) => { calls.push(`clock ${time - T}`); state.clock = time; return undefined; },
    holdFace: (reason) => { state.hold = reason; },
  };
  const room = options.linkBytes === undefined ? undefined : () => options.linkBytes! - linkBuffer.held;
  const fleet = new FleetLink({
    compoundId: COMPOUND, gateId: GATE, client, sync, erasures, ports, random: seededRandom(5), pending: options.pending, ...(room ? { room } : {}),
    answer: (payload) => {
      const a = readHubAnswer(payload, GATE, [hub.publicKey]);
      return typeof a === "string" ? a : { answer: a, kept: true };
    },
  });
  const deliver = () => {
    linkBuffer.held = 0;
    if (open === "opening") { open = "open"; broker.accept(); client.linkUp(); }
    if (open === "open" && broker.toClient.length) {
      const bytes = Uint8Array.from(broker.toClient);
      broker.toClient = [];
      client.bytesIn(bytes);
    }
  };
  /** Moves time on in `step` ms ticks (long idle stretches take 1 s ticks: the link's timers are seconds apart). */
  const run = (ms: number, step = 10) => {
    for (const end = now + ms; now < end;) {
      now += step;
      fleet.tick(now);
      deliver();
    }
  };
  function cut() { if (open !== "closed") { broker.dropped(); open = "closed"; client.linkDown(); } }
  const sent = () => broker.received.map(leafOf);
  const timeRequests = () => broker.received.filter((p) => leafOf(p) === "time-req").map((p) => (decodeMessage(p.payload).message as { nonce: Uint8Array }).nonce);
  /** A time grant for `nonce`, signed by `by`. */
  const grantFor = (nonce: Uint8Array, time = T + 5000, by = hub) => encodeTimeGrant({ gateId: GATE, nonce, time, keyId: keyIdOf(by.publicKey) }, (b) => by.sign(b));
  /** The hub answers the gate's newest time request. */
  const grant = (time = T + 5000) => { broker.publish(topic("time"), grantFor(timeRequests().at(-1)!, time)); };
  const changeSet = (version: number, o: { by?: Ed25519Signer; issuedAt?: number; gate?: number; changes?: Uint8Array[] } = {}) => {
    const by = o.by ?? hub;
    return encodeChangeSet({ gateId: o.gate ?? GATE, version, base: version - 1, full: false, part: 0, parts: 1, issuedAt: o.issuedAt ?? T, keyId: keyIdOf(by.publicKey), changes: o.changes ?? [Uint8Array.of(1, 2, 3)] }, (b) => by.sign(b));
  };
  const order = (resident: number, id: number, by = hub) => encodeEraseOrder({ gateId: GATE, residentId: resident, orderId: new Uint8Array(16).fill(id), issuedAt: T, keyId: keyIdOf(by.publicKey) }, (b) => by.sign(b));
  /** The hub's answer to `message` (a share, a notice) of `resident`, signed by `by`. */
  const hubAnswer = (kind: AnsweredKind, resident: number, message: Uint8Array, outcome: AnswerOutcome = "taken", by = hub) => encodeHubAnswer({
    kind, gateId: GATE, seq: 0, residentId: resident, outcome, hubSeq: 0, digest: answerDigest(message), issuedAt: T, keyId: keyIdOf(by.publicKey),
  }, (b) => by.sign(b));
  const shareAnswer = (resident: number, message: Uint8Array, outcome: AnswerOutcome = "taken", by = hub) => hubAnswer("share", resident, message, outcome, by);
  const acks = () => broker.received.filter((p) => leafOf(p) === "ack").map((p) => decodeMessage(p.payload).message as { status: string; reason: string; applied: number });
  const session = () => broker.sessions.get(`optgate-gate-${COMPOUND}-${GATE}`)!;
  return {
    broker, client, fleet, sync, ports, calls, linkBuffer, audit, state, records, run, cut, sent, timeRequests, grantFor, grant, changeSet, order, hubAnswer, shareAnswer, acks, session, withheld,
    withhold(on: boolean) { withhold = on; },
  };
}

/** A port's inventory of residents 1..count (digest: the id's low byte), one step per resident. */
export function* inventoryOf(count: number): Generator<void, InventoryEntry[]> {
  const entries: InventoryEntry[] = [];
  for (let id = 1; id <= count; id++) {
    entries.push({ id, digest: new Uint8Array(8).fill(id & 0xff) });
    yield;
  }
  return entries;
}
