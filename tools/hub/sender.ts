// What the hub's senders of signed orders (erasure.ts, templates.ts) are given:
// the database, the hub's signing key and its id, the broker, the clock, how
// long an unanswered message waits before it is sent again, and where a
// refused incoming message is reported.
import type { Sign } from "../../src/core/sync/messages";
import type { Db } from "./db";
import type { Publish } from "./hub";

export interface HubSenderOptions {
  db: Db;
  sign: Sign;
  keyId: Uint8Array;
  publish: Publish;
  now: () => number;
  resendMs: number;
  drop: (why: string, topic: string) => void;
}
