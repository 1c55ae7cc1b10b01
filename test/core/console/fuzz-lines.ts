// Random console input for the fuzz tests: raw bytes, control characters,
// escape sequences, overlong lines, unknown commands, and real commands with
// wrong, missing or hostile arguments. Seeded, so a failure can be replayed.
import { allCommands } from "../../../src/core/console/commands/index";
import { utf8 } from "../../../src/core/crypto";

const WORDS = [
  "R00001", "R-0043", "R00002", "-", "--", "--json", "--help", "--unit", "--role", "renter", "owner", "king", "--until", "+6m", "+99999y",
  "2027-02-30", "2027-01-01", "none", "04A1B2C3", "04:A1", "zz", "0", "-1", "99999999999999999999", "1e9", "NaN", "''", '"',
  "'", '"a b"', "\\", "%s%n", "${x}", "__proto__", "constructor", "toString", "中文", "😀", "\x7f", "yes", "login", "tech1",
];
const CONTROL = [0x00, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0a, 0x0d, 0x15, 0x17, 0x1b, 0x7f];

export function fuzzLine(next: () => number): Uint8Array {
  const pick = <T>(list: readonly T[]): T => list[next() % list.length];
  switch (next() % 6) {
    case 0: { // raw bytes
      const out = new Uint8Array(next() % 300);
      for (let i = 0; i < out.length; i++) out[i] = next() & 0xff;
      return out;
    }
    case 1: { // text laced with control characters and escape sequences
      const parts: number[] = [];
      for (let i = next() % 40; i > 0; i--) {
        const r = next() % 4;
        if (r === 0) parts.push(pick(CONTROL));
        else if (r === 1) parts.push(0x1b, 0x5b, 0x30 + (next() % 16), 0x40 + (next() % 63));
        else parts.push(0x20 + (next() % 95));
      }
      return Uint8Array.from(parts);
    }
    case 2: // overlong
      return utf8(pick(allCommands).path + " " + "x".repeat(250 + (next() % 400)));
    case 3: // unknown commands
      return utf8(`${pick(WORDS)}${pick(WORDS)} ${pick(WORDS)}`);
    default: { // real commands, random arguments
      const words = [pick(allCommands).path];
      for (let i = next() % 8; i > 0; i--) words.push(pick(WORDS));
      return utf8(words.join(" "));
    }
  }
}
