// The notice a resident consents to: what face recognition is for, how it
// works, which gates it covers and how long a template is kept. The board
// holds every version ever published, because each consent record points at
// the exact text the resident agreed to.
import { OptgateError } from "../errors";

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
  #notices: Notice[] = [];

  /** Publishes the next version. Residents must consent afresh to it before their next enrolment. */
  publish(text: NoticeText, at: number): Notice {
    validateNotice(text);
    const notice: Notice = Object.freeze({
      version: this.#notices.length + 1,
      publishedAt: at,
      purpose: text.purpose,
      method: text.method,
      gates: Object.freeze([...text.gates]) as string[],
      retentionDays: text.retentionDays,
    });
    this.#notices.push(notice);
    return notice;
  }

  /** The version new consents must refer to, or undefined before any notice is published. */
  current(): Notice | undefined {
    return this.#notices[this.#notices.length - 1];
  }

  has(version: number): boolean {
    return Number.isInteger(version) && version >= 1 && version <= this.#notices.length;
  }

  get(version: number): Notice {
    if (!this.has(version)) {
      throw new OptgateError("E_NOTICE_UNKNOWN", `Notice version ${version} was never published on this board; use a published version.`);
    }
    return this.#notices[version - 1];
  }

  all(): readonly Notice[] {
    return this.#notices;
  }
}

function validateNotice(text: NoticeText): void {
  const bad = (what: string) => new OptgateError("E_NOTICE_INVALID", `The notice ${what}; nothing was published.`);
  if (typeof text.purpose !== "string" || text.purpose.trim() === "") throw bad("has no purpose");
  if (typeof text.method !== "string" || text.method.trim() === "") throw bad("does not describe the method");
  if (!Array.isArray(text.gates) || text.gates.length === 0) throw bad("names no gates");
  for (const gate of text.gates) if (typeof gate !== "string" || gate === "") throw bad("names an empty gate id");
  if (!Number.isInteger(text.retentionDays) || text.retentionDays < 1 || text.retentionDays > MAX_RETENTION_DAYS) {
    throw bad(`retention must be 1..${MAX_RETENTION_DAYS} whole days`);
  }
}
