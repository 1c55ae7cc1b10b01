// Home Assistant MQTT discovery (issue 20, optional; off by default: `npm run
// hub -- --home-assistant`, HubServiceOptions.homeAssistant). For each gate the
// hub publishes retained discovery configs under
// homeassistant/<component>/optgate_<compound>_<gate>/<object>/config and
// retained states under optgate-ha/<compound>/<gate>/<object>, from what it has
// accepted (the gate's online flag, its audit records once verified and stored):
//
//   online      binary_sensor, connectivity   ON / OFF
//   door        sensor, enum                  normal | forced | held (the last door record;
//                                             a later passage makes it normal again)
//   released    sensor, timestamp             when the lock last released (a granted entry or exit)
//   alarm       binary_sensor, safety         ON after an alarm record, OFF once acknowledged
//   alarm-kind  sensor, enum                  the last alarm's kind
//
// Read-only: no command topic, nothing in Home Assistant can open a gate. No
// personal data: no resident number, name, unit, card, credential or method,
// only gate ids, record kinds and times (test/tools/hub/home-assistant.node.test.ts
// scans every message). MQTT 3.1.1 only: retained QoS 1 publishes.
import type { AuditRecord } from "../../src/core/audit/audit-record";
import { num, type Db } from "./db";
import type { HubObserver, Publish } from "./hub";

export const HA_DISCOVERY_PREFIX = "homeassistant";
export const HA_STATE_ROOT = "optgate-ha";

const ENTRY_KINDS = new Set(["card", "pin", "code", "face", "exit"]);
const DOOR_KINDS: Record<string, string> = { "door-forced": "forced", "door-held": "held" };
export const ALARM_KINDS = ["door-forced", "door-held", "guessing-alarm", "store-damage", "audit-break"] as const;
const CLEARING_KINDS = new Set(["damage-cleared", "audit-break-acknowledged"]);

export interface HaMessage {
  topic: string;
  payload: string;
}

const nodeId = (compoundId: number, gateId: number) => `optgate_${compoundId}_${gateId}`;
const stateTopic = (compoundId: number, gateId: number, object: string) => `${HA_STATE_ROOT}/${compoundId}/${gateId}/${object}`;

/** The retained discovery configs of one gate's entities. */
export function discoveryConfigs(compoundId: number, gateId: number, prefix = HA_DISCOVERY_PREFIX): HaMessage[] {
  const node = nodeId(compoundId, gateId);
  const device = { identifiers: [node], name: `optgate gate ${compoundId}-${gateId}`, manufacturer: "optgate", model: "gate controller" };
  const entity = (component: string, object: string, name: string, extra: Record<string, unknown>): HaMessage => ({
    topic: `${prefix}/${component}/${node}/${object}/config`,
    payload: JSON.stringify({ name, unique_id: `${node}_${object}`, object_id: `${node}_${object}`, state_topic: stateTopic(compoundId, gateId, object), device, ...extra }),
  });
  return [
    entity("binary_sensor", "online", "Online", { device_class: "connectivity", payload_on: "ON", payload_off: "OFF" }),
    entity("sensor", "door", "Door", { device_class: "enum", options: ["normal", "forced", "held"] }),
    entity("sensor", "released", "Lock released", { device_class: "timestamp" }),
    entity("binary_sensor", "alarm", "Alarm", { device_class: "safety", payload_on: "ON", payload_off: "OFF" }),
    entity("sensor", "alarm-kind", "Last alarm", { device_class: "enum", options: [...ALARM_KINDS] }),
  ];
}

/** The state messages a gate's new records make (only the objects they change; the last record of each kind wins). */
export function recordStates(compoundId: number, gateId: number, records: readonly AuditRecord[]): HaMessage[] {
  const state = new Map<string, string>();
  for (const r of records) {
    if (ENTRY_KINDS.has(r.kind) && r.decision === "grant") {
      state.set("released", new Date(r.time).toISOString());
      state.set("door", "normal");
    }
    if (DOOR_KINDS[r.kind]) state.set("door", DOOR_KINDS[r.kind]);
    if ((ALARM_KINDS as readonly string[]).includes(r.kind)) {
      state.set("alarm", "ON");
      state.set("alarm-kind", r.kind);
    }
    if (CLEARING_KINDS.has(r.kind)) state.set("alarm", "OFF");
  }
  return [...state].map(([object, payload]) => ({ topic: stateTopic(compoundId, gateId, object), payload }));
}

export function onlineState(compoundId: number, gateId: number, online: boolean): HaMessage {
  return { topic: stateTopic(compoundId, gateId, "online"), payload: online ? "ON" : "OFF" };
}

/** The hub's observer that publishes all this (retained), and the discovery of the gates already known. */
export function homeAssistantObserver(db: Db, publish: Publish, prefix = HA_DISCOVERY_PREFIX): HubObserver & { announceAll(): Promise<void> } {
  const send = async (messages: HaMessage[]) => {
    for (const m of messages) await publish(m.topic, new TextEncoder().encode(m.payload), { retain: true });
  };
  const compoundOf = async (gateId: number) => {
    const [row] = await db.query<{ compound_id: unknown }>("select compound_id from gate where id = $1", [gateId]);
    return row ? num(row.compound_id) : undefined;
  };
  return {
    gateAdded: (compoundId, gateId) => send(discoveryConfigs(compoundId, gateId, prefix)),
    online: (compoundId, gateId, online) => send([onlineState(compoundId, gateId, online)]),
    async records(gateId, records) {
      const compoundId = await compoundOf(gateId);
      if (compoundId !== undefined) await send(recordStates(compoundId, gateId, records));
    },
    async announceAll() {
      const gates = await db.query<{ id: unknown; compound_id: unknown; online: boolean | null }>("select id, compound_id, online from gate order by id");
      for (const g of gates) {
        await send(discoveryConfigs(num(g.compound_id), num(g.id), prefix));
        if (g.online !== null) await send([onlineState(num(g.compound_id), num(g.id), g.online === true)]);
      }
    },
  };
}
