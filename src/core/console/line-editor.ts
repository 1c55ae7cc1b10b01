// Turns the raw bytes a terminal sends (picocom, screen, the optgate tool) into
// whole lines, echoing as a terminal in raw mode expects. It holds one fixed
// buffer, so a flood of bytes can never grow memory on the board.
import { OptgateError } from "../errors";
import { decodeUtf8, lastCodePointStart } from "./utf8-decode";

export const MAX_LINE_BYTES = 256;

export type LineEvent =
  | { kind: "line"; text: string }
  /** Ctrl-C: the line (or a pending question) is abandoned. */
  | { kind: "cancel" }
  | { kind: "error"; error: OptgateError };

const BS = 0x08, DEL = 0x7f, CR = 0x0d, LF = 0x0a, ESC = 0x1b, CTRL_C = 0x03, CTRL_U = 0x15, CTRL_W = 0x17;

const enum Escape { None, Start, Csi, Ss3 }

export class LineEditor {
  readonly #buffer: Uint8Array;
  readonly #echo: (text: string) => void;
  #length = 0;
  #overflow = false;
  #escape = Escape.None;
  #afterCr = false;
  /** While true (passwords, PINs) nothing typed is echoed. */
  hidden = false;

  constructor(echo: (text: string) => void, maxBytes = MAX_LINE_BYTES) {
    this.#echo = echo;
    this.#buffer = new Uint8Array(maxBytes);
  }

  get maxBytes(): number {
    return this.#buffer.length;
  }

  /** Feeds one byte; returns an event when a line ends or is cancelled. */
  feed(byte: number): LineEvent | undefined {
    byte &= 0xff;
    const afterCr = this.#afterCr;
    this.#afterCr = false;
    if (this.#escape !== Escape.None && this.#skipEscape(byte)) return undefined;
    switch (byte) {
      case CR:
        this.#afterCr = true;
        return this.#endLine();
      case LF:
        // CRLF is one line end, not an empty line after it.
        return afterCr ? undefined : this.#endLine();
      case BS:
      case DEL:
        this.#erase(1);
        return undefined;
      case CTRL_U:
        this.#erase(this.#length);
        return undefined;
      case CTRL_W:
        this.#eraseWord();
        return undefined;
      case CTRL_C:
        this.#reset();
        this.#echo("^C\r\n");
        return { kind: "cancel" };
      case ESC:
        this.#escape = Escape.Start;
        return undefined;
    }
    // Other control characters (tab, Ctrl-D, NUL, bell...) mean nothing here.
    if (byte < 0x20) return undefined;
    if (this.#length >= this.#buffer.length) {
      if (!this.#overflow) this.#echo("\x07");
      this.#overflow = true;
      return undefined;
    }
    this.#buffer[this.#length++] = byte;
    if (!this.hidden) this.#echo(String.fromCharCode(byte));
    return undefined;
  }

  /** Consumes bytes of an ANSI escape sequence (arrow keys, Home, F-keys); true if consumed. */
  #skipEscape(byte: number): boolean {
    // A control character never belongs to a sequence: Enter or Ctrl-C after a
    // stray ESC must still work.
    if (byte < 0x20 && byte !== ESC) {
      this.#escape = Escape.None;
      return false;
    }
    if (this.#escape === Escape.Start) {
      if (byte === 0x5b) this.#escape = Escape.Csi;
      else if (byte === 0x4f) this.#escape = Escape.Ss3;
      else if (byte === ESC) return true;
      else this.#escape = Escape.None; // Alt+key: drop both bytes
      return true;
    }
    if (this.#escape === Escape.Ss3) {
      this.#escape = Escape.None;
      return true;
    }
    // CSI: parameter and intermediate bytes, then one final byte.
    if (byte >= 0x20 && byte <= 0x3f) return true;
    this.#escape = Escape.None;
    return byte >= 0x40 && byte <= 0x7e;
  }

  /** Drops a half-typed line without echo (after an automatic logout). */
  discard(): void {
    this.#reset();
  }

  #endLine(): LineEvent {
    const overflow = this.#overflow;
    const text = decodeUtf8(this.#buffer, this.#length);
    this.#reset();
    this.#echo("\r\n");
    if (overflow) {
      return {
        kind: "error",
        error: new OptgateError("E_LINE_TOO_LONG", `The line was longer than ${this.#buffer.length} bytes and was not run; shorten it or split it into several commands.`),
      };
    }
    if (text === undefined) {
      return { kind: "error", error: new OptgateError("E_BAD_ENCODING", "The line contained bytes that are not UTF-8 and was not run; check the terminal's character set.") };
    }
    return { kind: "line", text };
  }

  /** Removes up to `count` characters (code points) from the end, erasing them on screen. */
  #erase(count: number): void {
    for (let n = 0; n < count && this.#length > 0; n++) {
      this.#length = lastCodePointStart(this.#buffer, this.#length);
      if (!this.hidden) this.#echo("\b \b");
    }
    // Bytes beyond the limit were dropped, so the line stays refused until it is emptied.
    if (this.#length === 0) this.#overflow = false;
  }

  #eraseWord(): void {
    let n = 0;
    let i = this.#length;
    while (i > 0 && this.#buffer[i - 1] === 0x20) { i--; n++; }
    while (i > 0 && this.#buffer[i - 1] !== 0x20) { i = lastCodePointStart(this.#buffer, i); n++; }
    this.#erase(n);
  }

  #reset(): void {
    this.#buffer.fill(0, 0, this.#length); // a hidden line may have been a password
    this.#length = 0;
    this.#overflow = false;
    this.#escape = Escape.None;
  }
}
