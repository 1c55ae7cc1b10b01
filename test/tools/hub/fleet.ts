// An in-process fleet for the hub tests: a Hub whose publications go to
// protocol gates (the real sync core and Registry), and whose gates' answers
// come back, with a hook to lose or hold messages on the way.
import { randomBytes } from "node:crypto";
import type { Random } from "../../../src/core/ports";
import { Hub } from "../../../tools/hub/hub";
import type { Db } from "../../../tools/hub/db";
import { ProtocolGate, type Outgoing } from "../../../tools/hub/protocol-gate";
import type { ResidentInput } from "../../../tools/hub/desired";
import { TO_GATE } from "../../../src/core/sync/topics";

export const COMPOUND = 1;
export const T0 = Date.UTC(2026, 11, 4, 9);
export const deviceKey = new Uint8Array(32).fill(9);
export const random: Random = { fill: (b) => { b.set(randomBytes(b.length)); } };

export function gateSeed(gateId: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (gateId * 31 + i) & 0xff);
}

export function card(n: number): Uint8Array {
  return Uint8Array.from([4, 0xc0, n >> 8, n & 0xff]);
}

export function person(id: number, over: Partial<ResidentInput> = {}): ResidentInput {
  return { id, unit: `U${id}`, role: "owner", groups: 1, cards: [card(id)], ...over };
}

export class Fleet {
  readonly gates = new Map<number, ProtocolGate>();
  /** Messages in flight, hub -> gate and gate -> hub, delivered by drain(). */
  readonly wire: Outgoing[] = [];
  /** Returns false to lose a message on the way (tests of loss, reordering, forgery). */
  filter: (m: Outgoing) => boolean = () => true;
  drops: string[] = [];
  now = T0;
  hub!: Hub;

  static async open(db: Db, seed = new Uint8Array(32).fill(1)): Promise<Fleet> {
    const fleet = new Fleet();
    fleet.hub = await fleet.openHub(db, seed);
    await fleet.hub.addCompound(COMPOUND, "Test compound");
    return fleet;
  }

  /** A hub process on `db` publishing into this fleet's wire (a second one models a restart or a partner). */
  openHub(db: Db, seed = new Uint8Array(32).fill(1)): Promise<Hub> {
    return Hub.open({
      db, signingSeed: seed, now: () => this.now,
      publish: async (topic, payload, { retain }) => { this.wire.push({ topic, payload, retain }); },
      onDrop: (why) => { this.drops.push(why); },
      resendMs: 10_000,
    });
  }

  async addGate(gateId: number, groups?: number): Promise<ProtocolGate> {
    const gate = new ProtocolGate({
      compoundId: COMPOUND, gateId, seed: gateSeed(gateId), hubKeys: [this.hub.publicKey], deviceKey, random, now: () => this.now,
    });
    this.gates.set(gateId, gate);
    await this.hub.addGate({ id: gateId, compoundId: COMPOUND, name: `gate ${gateId}`, publicKey: gate.signer.publicKey, sealKey: gate.sealKeys.publicKey, groups });
    this.wire.push(...gate.hello());
    return gate;
  }

  /** Delivers messages until none are left; returns how many were delivered. */
  async drain(hub = this.hub): Promise<number> {
    let n = 0;
    while (this.wire.length) {
      const m = this.wire.shift()!;
      if (!this.filter(m)) continue;
      n++;
      const leaf = m.topic.split("/")[3];
      if ((TO_GATE as readonly string[]).includes(leaf)) {
        const gateId = Number(m.topic.split("/")[2]);
        this.wire.push(...(this.gates.get(gateId)?.receive(m.topic, m.payload) ?? []));
      } else {
        await hub.receive(m.topic, m.payload);
      }
    }
    return n;
  }
}
