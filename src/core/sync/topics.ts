// MQTT topics of fleet sync (docs/sync.md): optgate/<compound>/<gate>/<leaf>,
// compound and gate as decimal ids. One subtree per gate, so a broker ACL can
// give each gate exactly its own topics. Shared by the gate (FleetLink, in XS)
// and the hub, so both sides name the same leaves.
export const ROOT = "optgate";

/** hub -> gate */
export const TO_GATE = ["sync", "time", "erase", "template", "answer"] as const;
/** gate -> hub */
export const FROM_GATE = ["ack", "audit", "head", "inventory", "time-req", "online", "erased", "withdrawn", "share", "installed", "pin"] as const;
export type Leaf = (typeof TO_GATE)[number] | (typeof FROM_GATE)[number];

/** Longest fleet topic, with room: optgate/<10 digits>/<10 digits>/<longest leaf> is 40 bytes. */
export const MAX_TOPIC_BYTES = 64;

export function topic(compound: number, gate: number, leaf: Leaf): string {
  return `${ROOT}/${compound}/${gate}/${leaf}`;
}

/** What the hub subscribes to (every compound and gate; partitioned hubs filter by gate). */
export const HUB_SUBSCRIPTIONS = FROM_GATE.map((leaf) => `${ROOT}/+/+/${leaf}`);

export interface ParsedTopic {
  compound: number;
  gate: number;
  leaf: Leaf;
}

export function parseTopic(text: string): ParsedTopic | undefined {
  const parts = text.split("/");
  if (parts.length !== 4 || parts[0] !== ROOT) return undefined;
  if (!/^\d{1,10}$/.test(parts[1]) || !/^\d{1,10}$/.test(parts[2])) return undefined;
  const leaf = parts[3] as Leaf;
  if (!(TO_GATE as readonly string[]).includes(leaf) && !(FROM_GATE as readonly string[]).includes(leaf)) return undefined;
  const compound = Number(parts[1]), gate = Number(parts[2]);
  if (compound > 0xffffffff || gate > 0xffffffff) return undefined;
  return { compound, gate, leaf };
}
