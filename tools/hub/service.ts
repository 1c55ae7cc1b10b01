// The hub on MQTT: one `mqtt` client (protocol 3.1.1, persistent session,
// QoS 1) that hands every gate message to the Hub and publishes what the Hub
// sends. The broker is the embedded aedes (broker.ts) or any external one
// (Mosquitto in production).
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Db } from "./db";
import { homeAssistantObserver } from "./home-assistant";
import { Hub, type Publish } from "./hub";
import { Leases } from "./leases";
import { HUB_SUBSCRIPTIONS, parseTopic } from "../../src/core/sync/topics";

export interface HubServiceOptions {
  db: Db;
  brokerUrl: string;
  signingSeed: Uint8Array;
  /** MQTT client id: stable per hub process, so its persistent session (queued QoS 1 messages) survives reconnects. */
  clientId?: string;
  now?: () => number;
  onDrop?: (why: string, topic: string) => void;
  onError?: (error: Error) => void;
  /** Credentials and TLS for a production broker (username, password, ca, ...). */
  mqtt?: IClientOptions;
  /** Share the gates with other hub processes (partition leases); default: this process acts for every gate. */
  partitions?: { count?: number; ttlMs?: number };
  /** How often leases are renewed and lagging gates pumped (ms). */
  tickMs?: number;
  resendMs?: number;
  /** Home Assistant MQTT discovery for each gate's door, lock and alarms (home-assistant.ts); off by default. */
  homeAssistant?: boolean | { prefix?: string };
}

export interface HubService {
  hub: Hub;
  client: MqttClient;
  leases?: Leases;
  /** Resolves once every message received so far has been handled (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
  /** Stops at once, leases not handed back and nothing flushed: a killed process, for tests. */
  abort(): Promise<void>;
}

export async function startHubService(options: HubServiceOptions): Promise<HubService> {
  const clientId = options.clientId ?? `optgate-hub-${process.pid}`;
  const client = await mqtt.connectAsync(options.brokerUrl, {
    ...options.mqtt,
    protocolVersion: 4, clientId, clean: false, reconnectPeriod: 1000,
  });
  const leases = options.partitions ? new Leases(options.db, { holder: clientId, partitions: options.partitions.count, ttlMs: options.partitions.ttlMs, now: options.now }) : undefined;
  const publish: Publish = async (topic, payload, { retain }) => { await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain }); };
  const ha = options.homeAssistant
    ? homeAssistantObserver(options.db, publish, typeof options.homeAssistant === "object" ? options.homeAssistant.prefix : undefined)
    : undefined;
  const report = (error: Error) => options.onError?.(error);
  const hub = await Hub.open({
    db: options.db, signingSeed: options.signingSeed, now: options.now, onDrop: options.onDrop, owns: leases?.owns, resendMs: options.resendMs,
    publish, observer: ha, onError: report,
  });
  await ha?.announceAll();
  // Each gate's messages are handled one at a time, in arrival order (its ack before its next
  // set is sent); gates side by side. One queue for all made every gate's next set wait for the
  // acks, pumps and inventories of all the others (50 gates: a round trip each, in turn).
  // A gate's erasure messages have a lane of their own: a receipt does not wait for the
  // inventory of 20,000 residents the gate sent before it.
  const lanes = new Map<string, Promise<void>>();
  client.on("message", (topic, payload) => {
    const t = parseTopic(topic);
    const lane = t ? `${t.compound}/${t.gate}${t.leaf === "erased" || t.leaf === "withdrawn" ? "/erasure" : ""}` : "";
    const next = (lanes.get(lane) ?? Promise.resolve()).then(() => hub.receive(topic, new Uint8Array(payload))).catch(report);
    lanes.set(lane, next);
    void next.then(() => { if (lanes.get(lane) === next) lanes.delete(lane); });
  });
  /** Resolves once every message received so far has been handled (and those that arrived meanwhile). */
  const idle = async () => { while (lanes.size) await Promise.all(lanes.values()); };
  await client.subscribeAsync(Object.fromEntries(HUB_SUBSCRIPTIONS.map((t) => [t, { qos: 1 as const }])));
  // The tick: leases renewed, then every gate this process acts for that lags behind is pumped.
  let ticking = false;
  const tick = async () => {
    if (ticking) return;
    ticking = true;
    try {
      await leases?.tick();
      await hub.pumpAll();
    } catch (error) {
      report(error as Error);
    } finally {
      ticking = false;
    }
  };
  await tick();
  const timer = setInterval(() => { void tick(); }, options.tickMs ?? 1000);
  return {
    hub,
    client,
    leases,
    idle,
    async close() {
      clearInterval(timer);
      await idle();
      await leases?.release();
      await client.endAsync();
    },
    async abort() {
      clearInterval(timer);
      await client.endAsync(true);
    },
  };
}
