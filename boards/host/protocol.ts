// Messages between the Node simulator (tools/sim/) and the host board running
// inside XS (boards/host/entry.ts). Node → XS go through handleCommand() as
// JSON; each answer carries what happened since the last one and a snapshot.
// Types only: both sides import this file.
import type { LivenessCheck } from "../../src/core/ports";

export type FaceKind = "genuine" | "impostor" | "no-face" | "low-quality";

/** The camera frame the host board's firmware takes (width × height pixels, one format). */
export interface HostFrameSpec {
  width: number;
  height: number;
  format: "gray8" | "rgb565";
}

/**
 * The face model the host board runs: absent = the synthetic embedder (inside
 * XS); otherwise a real one on the Node side, reached per frame over the link
 * ('F' in link.ts), with its tag, size, thresholds (cosines) and the
 * presentation-attack checks it can run when the gate asks (face.liveness).
 */
export interface HostEmbedderSpec {
  id: string;
  version: number;
  dimension: number;
  thresholds: { verify: number; identify: number; margin: number };
  /** Checks the Node side runs on request (absent: none). */
  liveness?: LivenessCheck[];
  frame: HostFrameSpec;
  /**
   * Set when the Node side could not load the model (`--embedder board` with
   * a missing, truncated or corrupt model image): why. The board then runs
   * UnavailableEmbedder with this sentence, as the S3 build does when its
   * model partition fails its check: face is refused, card and PIN work.
   */
  unavailable?: string;
}

export type HostCommand =
  /** rtc: what the battery-backed PCF8563 holds at boot (ms, or null: it lost time); clockLost: the MCU clock starts at 1970. */
  | { t: "boot"; now: number; flash: { size: number; sectorSize: number }; demo: boolean | "fleet"; seed: string; rtc?: number | null; clockLost?: boolean; keyRoot?: string; embedder?: HostEmbedderSpec; gateId?: number }
  | { t: "tick"; now: number }
  | { t: "card"; uid: string }
  | { t: "card-off" }
  | { t: "key"; key: string; holdMs?: number }
  | { t: "face"; kind: FaceKind; identity?: number }
  | { t: "face-off" }
  /** A photo (held on the Node side) is in front of the camera; frames come over the link ('C'). */
  | { t: "photo"; label: string }
  | { t: "camera-broken"; broken: boolean }
  | { t: "door"; open: boolean }
  | { t: "exit" }
  | { t: "serial"; data: string }
  | { t: "state" }
  /** The broker connection of socket `id` (boards/host/tcp.ts) is up, its bytes arrived (latin1), were sent, or it failed/closed. */
  | { t: "tcp-connected"; id: number }
  | { t: "tcp-data"; id: number; data: string }
  | { t: "tcp-written"; id: number; count: number }
  | { t: "tcp-error"; id: number }
  /** Provisioning: the hub this gate syncs with (hub keys in hex), or null to take it off (Firmware.provisionHub). */
  | { t: "hub"; settings: HubProvision | null }
  /** Provisioning: the compound PIN key sealed to this gate, base64 (Firmware.installPinKey, as `pin key install`). */
  | { t: "pin-key"; sealed: string }

export interface HubProvision {
  compoundId: number;
  host: string;
  port: number;
  hubKeys: string[];
}

export interface DecisionView {
  time: number;
  via: string;
  grant: boolean;
  reason: string;
  resident?: string;
}

/** What the simulated hardware shows right now (read from the pins and the firmware's status). */
export interface HostState {
  now: number;
  booted: boolean;
  /** Why the firmware runs in safe mode (exit button, door alarms, console only), when it does. */
  safeMode?: string;
  relay: boolean;
  doorOpen: boolean;
  leds: Record<string, boolean>;
  buzzer: boolean;
  /** The indicator pattern playing (idle, granted, denied, waiting, face, alarm). */
  signal: string;
  cameraPowered: boolean;
  cardInField?: string;
  faceInView?: string;
  prompt: string;
  keypad: string;
  decisions: DecisionView[];
  /** The gate as the hub knows it: its id, its public key (hex), and its hub link's state when one is configured. */
  gate?: { id: number; publicKey?: string; sealKey?: string; fleet?: string };
}

export type HostEvent =
  | { e: "log"; line: string }
  | { e: "decision"; decision: DecisionView }
  | { e: "prompt"; text: string }
  | { e: "camera"; on: boolean; time: number }
  | { e: "relay"; on: boolean; time: number }
  | { e: "alarm"; kind: string; time: number }
  | { e: "serial"; data: string }
  | { e: "error"; message: string }
  /** The firmware opened a TCP socket, wrote bytes (latin1) on it, or closed it (boards/host/tcp.ts). */
  | { e: "tcp-open"; id: number; host: string; port: number }
  | { e: "tcp-write"; id: number; data: string }
  | { e: "tcp-close"; id: number };

export interface HostReply {
  events: HostEvent[];
  state: HostState;
}
