// A consent record is its own record, never bundled with anything else: the
// store keeps these bytes as they are, and the ledger is rebuilt from them.
import { OptgateError } from "../errors";
import { ByteReader, ByteWriter } from "./bytes";

export type ConsentEvent = "granted" | "withdrawn" | "lapsed";
/** Where the event came from: the resident at the keypad, a technician at the console, or retention expiry. */
export type ConsentChannel = "keypad" | "console" | "retention" | "hub";

export interface ConsentRecord {
  /** Ledger-wide sequence number, 1-based, in order of recording. */
  readonly seq: number;
  readonly event: ConsentEvent;
  readonly residentId: string;
  readonly noticeVersion: number;
  readonly at: number;
  /** Witness technician for a grant, technician for a console withdrawal, "" otherwise. */
  readonly actorId: string;
  readonly channel: ConsentChannel;
  /** The resident confirmed this with their own PIN on the keypad. */
  readonly pinConfirmed: boolean;
}

const FORMAT = 1;
const EVENTS: ConsentEvent[] = ["granted", "withdrawn", "lapsed"];
// Appended only: the index is what the stored record holds. "hub": withdrawn at another gate or the office (an erase order).
const CHANNELS: ConsentChannel[] = ["keypad", "console", "retention", "hub"];

export function encodeConsentRecord(record: ConsentRecord): Uint8Array {
  return new ByteWriter()
    .u8(FORMAT)
    .u32(record.seq)
    .u8(EVENTS.indexOf(record.event))
    .u8(CHANNELS.indexOf(record.channel))
    .u8(record.pinConfirmed ? 1 : 0)
    .u16(record.noticeVersion)
    .f64(record.at)
    .text(record.residentId)
    .text(record.actorId)
    .finish();
}

export function decodeConsentRecord(bytes: Uint8Array): ConsentRecord {
  const r = new ByteReader(bytes, "consent");
  const corrupt = (what: string) => new OptgateError("E_RECORD_CORRUPT", `The consent record has ${what}; restore it from a good copy.`);
  if (r.u8() !== FORMAT) throw corrupt("an unknown format");
  const seq = r.u32();
  const event = EVENTS[r.u8()];
  const channel = CHANNELS[r.u8()];
  const pin = r.u8();
  const noticeVersion = r.u16();
  const at = r.f64();
  const residentId = r.text();
  const actorId = r.text();
  r.end();
  if (event === undefined) throw corrupt("an unknown event");
  if (channel === undefined) throw corrupt("an unknown channel");
  if (pin > 1) throw corrupt("an invalid PIN flag");
  if (seq < 1 || noticeVersion < 1 || !Number.isFinite(at) || residentId === "") throw corrupt("an invalid field");
  return Object.freeze({ seq, event, residentId, noticeVersion, at, actorId, channel, pinConfirmed: pin === 1 });
}
