// The hub on MQTT: one `mqtt` client (protocol 3.1.1, persistent session,
// QoS 1) that hands every gate message to the Hub and publishes what the Hub
// sends. The broker is the embedded aedes (broker.ts) or any external one
// (Mosquitto in production).
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { worthRetrying, type Db } from "./db";
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
  /** How long a gate's next set waits for more edits after its last one (Hub lingerMs); default LINGER_MS. */
  lingerMs?: number;
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

/**
 * A gate's next set leaves no sooner than this after its last: under a stream of edits each gate
 * gets one set per quarter second with every edit saved meanwhile (set-sender.ts), so the hub's
 * work per edit does not grow with the number of gates; an edit to a quiet gate leaves at once.
 */
export const LINGER_MS = 250;

/** A message that failed for want of the database is handled again after 0.2 s, then twice as long each time, up to 5 s. */
const RETRY_FIRST_MS = 200;
const RETRY_LAST_MS = 5000;

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
    lingerMs: options.lingerMs ?? LINGER_MS,
    publish, observer: ha, onError: report,
  });
  await ha?.announceAll();
  // Each gate's messages are handled one at a time, in arrival order (its ack before its next
  // set is sent); gates side by side. One queue for all made every gate's next set wait for the
  // acks, pumps and inventories of all the others (50 gates: a round trip each, in turn).
  // A gate's erasure messages have a lane of their own: a receipt does not wait for the
  // inventory of 20,000 residents the gate sent before it.
  //
  // The broker counts a message delivered once this client has it, so a message the hub failed
  // to handle for want of the database (down, or a deadlock) is kept in its lane and handled
  // again, later each time, until it is or the service stops: a gate's withdrawal notice or PIN
  // report, acknowledged to the gate by the broker, was otherwise lost with the database down.
  const lanes = new Map<string, Promise<void>>();
  const retries = new Set<() => void>();
  let stopping = false;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const wake = () => { clearTimeout(timer); retries.delete(wake); resolve(); };
    const timer = setTimeout(wake, ms);
    retries.add(wake);
  });
  const handle = async (topic: string, payload: Uint8Array) => {
    for (let wait = RETRY_FIRST_MS; ; wait = Math.min(wait * 2, RETRY_LAST_MS)) {
      try {
        return await hub.receive(topic, payload);
      } catch (error) {
        report(error as Error);
        if (stopping || !worthRetrying(error)) return;
        await pause(wait);
      }
    }
  };
  const stop = () => { stopping = true; for (const wake of [...retries]) wake(); };
  client.on("message", (topic, payload) => {
    const t = parseTopic(topic);
    const lane = t ? `${t.compound}/${t.gate}${t.leaf === "erased" || t.leaf === "withdrawn" ? "/erasure" : ""}` : "";
    const next = (lanes.get(lane) ?? Promise.resolve()).then(() => handle(topic, new Uint8Array(payload)));
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
      stop();
      hub.close();
      await idle();
      await leases?.release();
      await client.endAsync();
    },
    async abort() {
      clearInterval(timer);
      stop();
      hub.close();
      await client.endAsync(true);
    },
  };
}
