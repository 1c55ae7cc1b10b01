// The notice a resident consents to: what face recognition is for, how it
// works, which gates it covers and how long a template is kept. The board
// holds every version ever published, because each consent record points at
// the exact text the resident agreed to.
import { OptgateError } from "../errors";
import { ByteReader, ByteWriter } from "./bytes";

export interface NoticeText {
  purpose: string;
  method: string;
  /** Gate ids where face may be used under this notice. */
  gates: string[];
  /** Days a template may be kept after enrolment under this notice. */
  retentionDays: number;
}

export interface Notice extends NoticeText {
  readonly version: number;
  readonly publishedAt: number;
}

/** Ten years: longer than any plausible tenancy, and keeps the arithmetic in safe integers. */
const MAX_RETENTION_DAYS = 3650;

export class NoticeBoard {
  /** In version order; a version lost to flash damage is missing here (never reused, never current). */
  #notices: Notice[] = [];
  /** Highest version ever published here, lost ones included. */
  #top = 0;

  /** Publishes the next version. Residents must consent afresh to it before their next enrolment. */
  publish(text: NoticeText, at: number): Notice {
    validateNotice(text);
    const notice: Notice = Object.freeze({
      version: this.#top + 1,
      publishedAt: at,
      purpose: text.purpose,
      method: text.method,
      gates: Object.freeze([...text.gates]) as string[],
      retentionDays: text.retentionDays,
    });
    this.#notices.push(notice);
    this.#top = notice.version;
    return notice;
  }

  /**
   * The version new consents must refer to, or undefined before any notice is
   * published, or when the newest one was lost to flash damage (until a
   * technician publishes a new one: an older text must not become current).
   */
  current(): Notice | undefined {
    const newest = this.#notices[this.#notices.length - 1];
    return newest?.version === this.#top ? newest : undefined;
  }

  has(version: number): boolean {
    return this.#find(version) !== undefined;
  }

  get(version: number): Notice {
    const notice = this.#find(version);
    if (!notice) {
      throw new OptgateError("E_NOTICE_UNKNOWN", `Notice version ${version} was never published on this board (or was lost to flash damage); use a published version.`);
    }
    return notice;
  }

  all(): readonly Notice[] {
    return this.#notices;
  }

  /**
   * Puts stored notices back after boot, in version order, into an empty
   * board. Without `lost` the versions must run 1, 2, 3...; with it, a
   * version missing in between or up to `lost.top` (the highest version known
   * to have existed) stays a hole: never current, never reused.
   */
  restore(notices: readonly Notice[], lost?: { top: number }): void {
    if (this.#notices.length > 0) throw new OptgateError("E_NOTICE_BOARD_NOT_EMPTY", "Notices can only be restored into an empty board.");
    let last = 0;
    notices.forEach((n, i) => {
      const inOrder = lost ? Number.isInteger(n.version) && n.version > last : n.version === i + 1;
      if (!inOrder) throw new OptgateError("E_RECORD_CORRUPT", `Notice version ${i + 1} is missing or out of order.`);
      last = n.version;
      validateNotice(n);
    });
    for (const n of notices) this.#notices.push(Object.freeze({ ...n, gates: Object.freeze([...n.gates]) as string[] }));
    this.#top = Math.max(last, lost?.top ?? 0);
  }

  /** A board holds a handful of versions: a scan is as quick as an index, and answers 0, 1.5 or NaN alike. */
  #find(version: number): Notice | undefined {
    return this.#notices.find((n) => n.version === version);
  }
}

const FORMAT = 1;

/** A notice as the store keeps it (its own record, like consent). */
export function encodeNotice(notice: Notice): Uint8Array {
  const w = new ByteWriter().u8(FORMAT).u16(notice.version).f64(notice.publishedAt).u16(notice.retentionDays)
    .longText(notice.purpose).longText(notice.method).u8(notice.gates.length);
  for (const gate of notice.gates) w.text(gate);
  return w.finish();
}

export function decodeNotice(bytes: Uint8Array): Notice {
  const r = new ByteReader(bytes, "notice");
  if (r.u8() !== FORMAT) throw new OptgateError("E_RECORD_CORRUPT", "The notice record has an unknown format.");
  const version = r.u16(), publishedAt = r.f64(), retentionDays = r.u16();
  const purpose = r.longText(), method = r.longText();
  const gates: string[] = [];
  for (let n = r.u8(); n > 0; n--) gates.push(r.text());
  r.end();
  return { version, publishedAt, retentionDays, purpose, method, gates };
}

export function validateNotice(text: NoticeText): void {
  const bad = (what: string) => new OptgateError("E_NOTICE_INVALID", `The notice ${what}; nothing was published.`);
  if (typeof text.purpose !== "string" || text.purpose.trim() === "") throw bad("has no purpose");
  if (typeof text.method !== "string" || text.method.trim() === "") throw bad("does not describe the method");
  if (!Array.isArray(text.gates) || text.gates.length === 0) throw bad("names no gates");
  for (const gate of text.gates) if (typeof gate !== "string" || gate === "") throw bad("names an empty gate id");
  if (!Number.isInteger(text.retentionDays) || text.retentionDays < 1 || text.retentionDays > MAX_RETENTION_DAYS) {
    throw bad(`retention must be 1..${MAX_RETENTION_DAYS} whole days`);
  }
}
