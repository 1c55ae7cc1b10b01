// A gate at the protocol level, in Node: the real sync core (src/core/sync)
// and a real Registry, without the rest of the firmware. The hub's tests and
// the load bench use it where a full gate in XS is more than they need; the
// firmware's own MQTT client (src/core/mqtt) carries the same bytes.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { Registry } from "../../src/core/access/registry";
import type { AuditEntry } from "../../src/core/audit/audit-record";
import { Ed25519Signer, type Ed25519Verify } from "../../src/core/ed25519";
import type { Random } from "../../src/core/ports";
import { GateSync } from "../../src/core/sync/gate-sync";
import { GateErasures, ORDER_ID_BYTES } from "../../src/core/sync/erasure";
import { registryInventory } from "../../src/core/sync/inventory";
import { MAX_INVENTORY_ENTRIES, encodeAuditBatch, encodeHead, encodeInventory, type InventoryEntry } from "../../src/core/sync/messages";
import type { SignedHead } from "../../src/core/audit/head-signature";
import { applyToRegistry, splitPolicyChanges } from "../../src/core/sync/registry-apply";
import type { GroupSchedule, PolicyChange } from "../../src/core/access/changes";
import { gateSealKeys, type SealKeyPair } from "../../src/core/sync/gate-seal";
import { openSealedChanges } from "../../src/core/sync/sealed-codes";
import type { AuditLogName } from "../../src/core/audit/audit-trail";
import { parseTopic, topic, type Leaf } from "../../src/core/sync/topics";

export interface Outgoing {
  topic: string;
  payload: Uint8Array;
  retain: boolean;
}

export interface ProtocolGateOptions {
  compoundId: number;
  gateId: number;
  /** The gate's Ed25519 seed (its acks are signed with it). */
  seed: Uint8Array;
  hubKeys: Uint8Array[];
  deviceKey: Uint8Array;
  random: Random;
  /** The gate's clock (ms), or undefined while it is untrusted. */
  now: () => number | undefined;
  /** Monotonic ms for the time handshake. */
  monotonic?: () => number;
  /**
   * Answer every applied set with the whole inventory (default true, what the
   * tests read). Each one digests every resident: the load bench turns it off
   * and reports once the registry is quiet, as the firmware does.
   */
  inventoryOnApply?: boolean;
  /** Checks the hub's signatures: the portable Ed25519 (the board's) by default. */
  verify?: Ed25519Verify;
  /** Signs the gate's messages with `seed`: the portable Ed25519 (the board's) by default. */
  signer?: (seed: Uint8Array) => GateSigner;
}

export interface GateSigner { readonly publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array }

export class ProtocolGate {
  readonly registry: Registry;
  readonly sync: GateSync;
  readonly signer: GateSigner;
  /** Its X25519 pair for codes issued at the hub, from the same seed as the firmware derives it. */
  readonly sealKeys: SealKeyPair;
  /** What the gate appended to its security log about sync. */
  readonly audit: AuditEntry[] = [];
  /** Each applied set as it would be persisted: version and changes, one store group. */
  readonly persisted: { version: number; changes: number; full: boolean }[] = [];
  /** Residents whose templates the gate must erase (gone from the registry while face-enrolled). */
  readonly erase: number[] = [];
  /** Residents whose face template this gate holds (the firmware wires its FaceGallery to the same erase port). */
  readonly templates = new Set<number>();
  /** Every erase the port carried out, in order (an order executed twice would show twice). */
  readonly erasedLog: number[] = [];
  readonly erasures: GateErasures;
  /** Groups and holidays as the hub set them (the firmware keeps them in its console settings, app/hub-schedules.ts). */
  readonly groups = new Map<number, GroupSchedule>();
  holidays: number[] = [];
  clock?: number;
  readonly #o: ProtocolGateOptions;

  constructor(options: ProtocolGateOptions) {
    this.#o = options;
    this.registry = new Registry({ deviceKey: options.deviceKey, random: options.random });
    this.signer = options.signer ? options.signer(options.seed) : new Ed25519Signer(options.seed);
    this.sealKeys = gateSealKeys(options.seed);
    this.sync = new GateSync({ gateId: options.gateId, hubKeys: options.hubKeys, sign: (b) => this.signer.sign(b), verify: options.verify });
    this.erasures = new GateErasures({ gateId: options.gateId, hubKeys: options.hubKeys, sign: (b) => this.signer.sign(b) });
  }

  /** The erase port: drops the template, says whether there was one. */
  readonly #port = {
    eraseTemplate: (residentId: number) => {
      this.erasedLog.push(residentId);
      return { held: this.templates.delete(residentId) };
    },
  };

  /** Consent withdrawn at this gate's keypad or console: erased here, and the notice for the hub to fan out. */
  withdrawHere(residentId: number): Outgoing {
    const noticeId = new Uint8Array(ORDER_ID_BYTES);
    this.#o.random.fill(noticeId);
    const out = this.erasures.withdrawHere(residentId, noticeId, this.#o.now(), this.#port);
    this.audit.push(out.audit);
    return this.#out("withdrawn", out.notice);
  }

  #out(leaf: Leaf, payload: Uint8Array, retain = false): Outgoing {
    return { topic: topic(this.#o.compoundId, this.#o.gateId, leaf), payload, retain };
  }

  /** What the gate publishes when it connects: its version (retained) and its inventory. */
  hello(): Outgoing[] {
    return [this.#out("ack", this.sync.statusAck(this.#o.now()), true), ...this.inventory()];
  }

  /** The inventory's messages: of the registry now, or of `entries` (in id order) digested at version `applied`. */
  inventory(entries: readonly InventoryEntry[] = registryInventory(this.registry), applied = this.sync.applied): Outgoing[] {
    const parts = Math.max(1, Math.ceil(entries.length / MAX_INVENTORY_ENTRIES));
    const out: Outgoing[] = [];
    for (let part = 0; part < parts; part++) {
      const slice = entries.slice(part * MAX_INVENTORY_ENTRIES, (part + 1) * MAX_INVENTORY_ENTRIES);
      out.push(this.#out("inventory", encodeInventory({ gateId: this.#o.gateId, applied, part, parts, entries: slice })));
    }
    return out;
  }

  auditBatch(log: AuditLogName, records: Uint8Array[]): Outgoing {
    return this.#out("audit", encodeAuditBatch({ gateId: this.#o.gateId, log, records }));
  }

  /** A signed audit head for the hub to witness. */
  head(head: SignedHead): Outgoing {
    return this.#out("head", encodeHead(head));
  }

  requestTime(nonce: Uint8Array): Outgoing {
    return this.#out("time-req", this.sync.requestTime(nonce, this.#o.monotonic?.() ?? 0, this.#o.now()));
  }

  /** Handles one message on the gate's topics; returns what to publish. */
  receive(topicText: string, payload: Uint8Array): Outgoing[] {
    const t = parseTopic(topicText);
    if (!t || t.gate !== this.#o.gateId || t.compound !== this.#o.compoundId) return [];
    if (t.leaf === "time") {
      const out = this.sync.handleTimeGrant(payload, this.#o.monotonic?.() ?? 0, this.#o.now());
      this.audit.push(out.audit);
      if (out.ok) this.clock = out.time;
      return [];
    }
    if (t.leaf === "erase") {
      const out = this.erasures.handleOrder(payload, this.#o.now(), this.#port);
      this.audit.push(out.audit);
      return out.receipt ? [this.#out("erased", out.receipt)] : [];
    }
    if (t.leaf !== "sync") return [];
    const outcome = this.sync.handleChangeSet(payload, this.#o.now(), {
      apply: (changes, full, version) => {
        const registry = this.registry, o = this.#o;
        const split = splitPolicyChanges(changes);
        const result = applyToRegistry(registry, split.changes, full, undefined, (set, whole) => openSealedChanges(set, whole, {
          gateId: o.gateId, keys: this.sealKeys, deviceKey: o.deviceKey, find: (code) => registry.findCode(code),
          unopened: (id, why) => { this.audit.push({ time: o.now() ?? 0, actorKind: "system", actor: 0, kind: "sync-refused", decision: "deny", reason: "bad-input", detail: `code for ${id} ${why}` }); },
        }));
        this.#applyPolicy(split.policy, full);
        this.erase.push(...result.faceGone);
        this.persisted.push({ version, changes: changes.length, full });
      },
    });
    if (outcome.audit) this.audit.push(outcome.audit);
    const out: Outgoing[] = [];
    if (outcome.ack) out.push(this.#out("ack", outcome.ack, true));
    if (outcome.applied !== undefined && this.#o.inventoryOnApply !== false) out.push(...this.inventory());
    return out;
  }

  /** As the firmware does: a full resync carrying schedules replaces all but the default group, and the holidays. */
  #applyPolicy(changes: PolicyChange[], full: boolean): void {
    if (full && changes.length) {
      for (const bit of [...this.groups.keys()]) if (bit !== 0) this.groups.delete(bit);
      this.holidays = [];
    }
    for (const c of changes) {
      if (c.kind === "set-holidays") this.holidays = [...c.days];
      else if (c.schedule) this.groups.set(c.group, c.schedule);
      else this.groups.delete(c.group);
    }
  }
}

export interface ConnectedGate {
  gate: ProtocolGate;
  client: MqttClient;
  /** Failures while answering (publishing); the gate keeps going. */
  errors: Error[];
  /** Resolves when everything received so far has been handled and answered. */
  idle(): Promise<void>;
  publish(messages: Outgoing[]): Promise<void>;
  close(): Promise<void>;
}

/** Puts a protocol gate on a broker: persistent session, QoS 1, a retained online flag with a last will. */
export async function connectGate(url: string, gate: ProtocolGate, compoundId: number, gateId: number, options: IClientOptions = {}): Promise<ConnectedGate> {
  const online = topic(compoundId, gateId, "online");
  const client = await mqtt.connectAsync(url, {
    ...options,
    protocolVersion: 4, clientId: `optgate-gate-${compoundId}-${gateId}`, clean: false, reconnectPeriod: 500,
    will: { topic: online, payload: Buffer.from("0"), qos: 1, retain: true },
  });
  let queue = Promise.resolve();
  const errors: Error[] = [];
  const publish = async (messages: Outgoing[]) => {
    for (const m of messages) await client.publishAsync(m.topic, Buffer.from(m.payload), { qos: 1, retain: m.retain });
  };
  client.on("message", (t, payload) => {
    queue = queue.then(() => publish(gate.receive(t, new Uint8Array(payload)))).catch((e: Error) => { errors.push(e); });
  });
  // After a reconnect (broker restart, network back) say again where the gate is: the hub resends from there.
  client.on("connect", () => {
    queue = queue.then(() => client.publishAsync(online, "1", { qos: 1, retain: true })).then(() => publish(gate.hello())).catch((e: Error) => { errors.push(e); });
  });
  await client.subscribeAsync({ [topic(compoundId, gateId, "sync")]: { qos: 1 }, [topic(compoundId, gateId, "time")]: { qos: 1 }, [topic(compoundId, gateId, "erase")]: { qos: 1 } });
  await client.publishAsync(online, "1", { qos: 1, retain: true });
  await publish(gate.hello());
  return {
    gate, client, publish, errors,
    idle: () => queue,
    async close() { await queue; await client.endAsync(); },
  };
}
