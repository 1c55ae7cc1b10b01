// The hub on MQTT: one `mqtt` client (protocol 3.1.1, persistent session,
// QoS 1) that hands every gate message to the Hub and publishes what the Hub
// sends. The broker is the embedded aedes (broker.ts) or any external one
// (Mosquitto in production).
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { Db } from "./db";
import { Hub } from "./hub";
import { HUB_SUBSCRIPTIONS } from "./topics";

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
}

export interface HubService {
  hub: Hub;
  client: MqttClient;
  /** Resolves once every message received so far has been handled (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startHubService(options: HubServiceOptions): Promise<HubService> {
  const client = await mqtt.connectAsync(options.brokerUrl, {
    ...options.mqtt,
    protocolVersion: 4, clientId: options.clientId ?? `optgate-hub-${process.pid}`, clean: false, reconnectPeriod: 1000,
  });
  const hub = await Hub.open({
    db: options.db, signingSeed: options.signingSeed, now: options.now, onDrop: options.onDrop,
    publish: async (topic, payload, { retain }) => { await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain }); },
  });
  // Messages are handled one at a time, in arrival order (acks before the next set is sent).
  let queue = Promise.resolve();
  client.on("message", (topic, payload) => {
    queue = queue.then(() => hub.receive(topic, new Uint8Array(payload))).catch((error: Error) => options.onError?.(error));
  });
  await client.subscribeAsync(HUB_SUBSCRIPTIONS.map((t) => ({ topic: t, qos: 1 as const })).reduce((o, s) => ({ ...o, [s.topic]: { qos: s.qos } }), {}));
  return {
    hub,
    client,
    idle: () => queue,
    async close() {
      await queue;
      await client.endAsync();
    },
  };
}
