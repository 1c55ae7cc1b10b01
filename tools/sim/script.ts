// Scripted simulator sessions (npm start -- --script file, and tests): one
// action per line, simulated time moves only where the script says (`wait`,
// `jump`) plus the short waits each action needs to be seen by the drivers.
import path from "node:path";
import type { FaceKind } from "../../boards/host/protocol";
import type { Simulator } from "./simulator";

const FACE_KINDS: FaceKind[] = ["genuine", "impostor", "no-face", "low-quality"];

/** "250", "250ms", "3s", "5m", "12h" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? "ms"]!;
  return Math.round(Number(match[1]) * unit);
}

export interface ScriptOptions {
  /** Where relative photo paths start (the script file's folder); default the working directory. */
  baseDir?: string;
}

export async function runScript(sim: Simulator, text: string, print: (line: string) => void = () => undefined, options: ScriptOptions = {}): Promise<void> {
  const lines = text.split(/\r?\n/);
  // After the console asked for a password, the next console line is not echoed.
  let secretNext = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].replace(/(^|\s)#\s.*$/, "").trim();
    if (!line) continue;
    const space = line.indexOf(" ");
    const verb = space < 0 ? line : line.slice(0, space);
    const rest = space < 0 ? "" : line.slice(space + 1).trim();
    const fail = (why: string) => new Error(`line ${n + 1}: ${why}: ${lines[n]}`);
    print(verb === "console" && secretNext ? "> console ********" : `> ${line}`);
    switch (verb) {
      case "card":
        if (!/^[0-9a-fA-F]{8}([0-9a-fA-F]{6}){0,2}$/.test(rest)) throw fail("card takes a 4, 7 or 10 byte UID in hex");
        await sim.presentCard(rest);
        break;
      case "keys":
        if (!/^[0-9*#ABCD]+$/.test(rest)) throw fail("keys takes 0-9 * # A B C D");
        await sim.type(rest);
        await sim.advance(200);
        break;
      case "face": {
        const [kind, identity] = rest.split(/\s+/);
        if (!FACE_KINDS.includes(kind as FaceKind)) throw fail(`face takes ${FACE_KINDS.join("|")}`);
        if (identity !== undefined && !/^\d+$/.test(identity)) throw fail("a face identity is a number");
        await sim.showFace(kind as FaceKind, identity === undefined ? undefined : Number(identity));
        break;
      }
      case "face-off": await sim.hideFace(); break;
      case "photo": {
        // The rest of the line is the file name (spaces allowed); it is read and decoded now.
        if (!rest) throw fail("photo takes an image file (PNG, JPEG or PGM)");
        try {
          await sim.showPhoto(path.resolve(options.baseDir ?? ".", rest));
        } catch (error) {
          throw fail(`photo: ${(error as Error).message}`);
        }
        break;
      }
      case "photo-off":
        if (rest) throw fail("photo-off takes nothing");
        await sim.hidePhoto();
        break;
      case "camera":
        if (rest !== "broken" && rest !== "ok") throw fail("camera takes broken|ok");
        await sim.breakCamera(rest === "broken");
        break;
      case "door":
        if (rest !== "open" && rest !== "closed") throw fail("door takes open|closed");
        await sim.setDoor(rest === "open");
        await sim.advance(100);
        break;
      case "exit": await sim.pressExit(); await sim.advance(100); break;
      case "wait": await sim.advance(parseDuration(rest)); break;
      case "jump": await sim.jump(parseDuration(rest)); break;
      case "console": {
        // Only what the console answered, without its line echo and prompt.
        const lines = (await sim.consoleLine(rest)).replace(/\r/g, "").split("\n");
        secretNext = /(PIN|Password)[^:]*:\s*$/i.test(lines[lines.length - 1]);
        for (const text of lines.slice(1, -1)) print(`  console: ${text}`);
        break;
      }
      case "state": print(JSON.stringify(sim.state)); break;
      default: throw fail(`unknown action ${verb}`);
    }
  }
}
