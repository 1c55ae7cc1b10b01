// Terminal UI of the simulator: plain ANSI, no packages. Shows what the
// hardware shows (strike relay, door contact, LEDs, buzzer, camera power,
// reader field, display prompt) and the last decisions; keys act on the
// simulated hardware only (tap a card, press keypad keys, show a face or
// hold up a photo, open the door). Nothing here decides anything.
import { DEMO_RESIDENTS, DEMO_UNKNOWN_CARD, DEMO_VISITOR_CODE } from "../../boards/host/demo-compound";
import type { FaceKind, HostState } from "../../boards/host/protocol";
import type { Simulator } from "./simulator";

const ESC = "\x1b[";
const bold = (s: string) => `${ESC}1m${s}${ESC}0m`;
const dim = (s: string) => `${ESC}2m${s}${ESC}0m`;
const green = (s: string) => `${ESC}32m${s}${ESC}0m`;
const red = (s: string) => `${ESC}31m${s}${ESC}0m`;
const yellow = (s: string) => `${ESC}33m${s}${ESC}0m`;

type Menu = "main" | "card" | "face" | "photo";

/** A keypad press as a person makes it: held this long, then a pause before the next key. */
const KEY_HOLD_MS = 80;
const KEY_GAP_MS = 60;

export interface TuiOptions {
  consoleInfo: string;
  imageInfo: string;
  /** The face model in one line (a synthetic one says so). */
  modelInfo?: string;
  /** Called on q / Ctrl-C. */
  onQuit(): void;
  output?: NodeJS.WriteStream;
}

export function timeOfDay(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

export class Tui {
  #sim: Simulator;
  #options: TuiOptions;
  #out: NodeJS.WriteStream;
  #menu: Menu = "main";
  #note = "";
  /** The photo path being typed after `p`. */
  #path = "";
  #cameraBroken = false;
  #keys: Promise<void> = Promise.resolve();
  #timer?: NodeJS.Timeout;
  #last = "";

  constructor(sim: Simulator, options: TuiOptions) {
    this.#sim = sim;
    this.#options = options;
    this.#out = options.output ?? process.stdout;
  }

  start(): void {
    this.#out.write(`${ESC}?1049h${ESC}?25l`);
    this.#timer = setInterval(() => this.render(), 100);
    this.render();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#out.write(`${ESC}?25h${ESC}?1049l`);
  }

  /** One keystroke from the user's terminal. */
  async key(key: string): Promise<void> {
    const sim = this.#sim;
    if (this.#menu === "photo" && key !== "\x03" && key !== "\x1b") {
      await this.#photoKey(key);
      this.render();
      return;
    }
    if (key === "\x03" || (this.#menu === "main" && key === "q")) {
      this.#options.onQuit();
      return;
    }
    if (key === "\x1b") {
      this.#menu = "main";
      this.render();
      return;
    }
    if (this.#menu === "card") {
      this.#menu = "main";
      const index = Number(key) - 1;
      const uid = key === "u" ? DEMO_UNKNOWN_CARD : DEMO_RESIDENTS[index]?.card;
      if (uid) {
        this.#note = `card ${uid} held to the reader`;
        await sim.tapCard(uid);
        setTimeout(() => { sim.removeCard().catch(() => undefined); }, 600);
      }
      this.render();
      return;
    }
    if (this.#menu === "face") {
      this.#menu = "main";
      const face = DEMO_RESIDENTS.find((r) => r.faceIdentity);
      const choices: Record<string, [FaceKind, number | undefined]> = {
        g: ["genuine", face?.faceIdentity],
        i: ["impostor", 9_999],
        n: ["no-face", undefined],
        l: ["low-quality", face?.faceIdentity],
      };
      const choice = choices[key];
      if (choice) {
        this.#note = `face in front of the camera: ${choice[0]}`;
        await sim.showFace(choice[0], choice[1]);
        setTimeout(() => { sim.hideFace().catch(() => undefined); }, 10_000);
      }
      this.render();
      return;
    }
    if (/^[0-9*#ABCD]$/.test(key)) {
      await this.#press(key);
    } else if (key === "c") {
      this.#menu = "card";
    } else if (key === "f") {
      this.#menu = "face";
    } else if (key === "p") {
      this.#menu = "photo";
      this.#path = "";
    } else if (key === "o") {
      await sim.hidePhoto();
      this.#note = "nobody in front of the camera";
    } else if (key === "d") {
      await sim.setDoor(!sim.state.doorOpen);
    } else if (key === "e") {
      await sim.pressExit();
    } else if (key === "x") {
      this.#cameraBroken = !this.#cameraBroken;
      await sim.breakCamera(this.#cameraBroken);
      this.#note = this.#cameraBroken ? "camera broken (sensor does not answer)" : "camera repaired";
    }
    this.render();
  }

  /** A key while the photo path is typed: Enter holds the photo up (empty: takes it away). */
  async #photoKey(key: string): Promise<void> {
    if (key === "\r" || key === "\n") {
      this.#menu = "main";
      const file = this.#path.trim();
      this.#path = "";
      if (!file) {
        await this.#sim.hidePhoto();
        this.#note = "photo taken away: nobody in front of the camera";
        return;
      }
      try {
        await this.#sim.showPhoto(file);
        this.#note = `photo ${file} held up to the camera (type the resident number and A; the camera reads it only then)`;
      } catch (error) {
        this.#note = red(`photo refused: ${(error as Error).message}`);
      }
    } else if (key === "\x7f" || key === "\b") {
      this.#path = [...this.#path].slice(0, -1).join("");
    } else if (key === "\x15") {
      this.#path = "";
    } else if (key >= " ") {
      this.#path += key;
    }
  }

  /**
   * Keypad presses one after the other, each held and released before the
   * next (a fast typist or a paste must not become two keys held at once,
   * which the keypad driver rightly refuses).
   */
  #press(key: string): Promise<void> {
    const press = async () => {
      await this.#sim.pressKey(key, KEY_HOLD_MS);
      await new Promise((resolve) => setTimeout(resolve, KEY_HOLD_MS + KEY_GAP_MS));
    };
    this.#keys = this.#keys.then(press, press);
    return this.#keys;
  }

  render(): void {
    const text = this.#frame(this.#sim.state);
    if (text === this.#last) return;
    this.#last = text;
    this.#out.write(`${ESC}H${ESC}2J${text}`);
  }

  #frame(s: HostState): string {
    const on = (value: boolean, label: string) => (value ? green(`● ${label}`) : dim(`○ ${label}`));
    const lines: string[] = [];
    lines.push(`${bold("optgate gate simulator")} ${dim("— the firmware runs in the XS engine; this screen only shows its pins")}`);
    lines.push(`simulated time ${timeOfDay(s.now)} UTC   ${s.safeMode ? red(`SAFE MODE: ${s.safeMode}`) : s.booted ? green("booted") : red("not booted")}`);
    lines.push("");
    lines.push(`  Strike relay  ${s.relay ? green("UNLOCKED") : "locked"}     Door  ${s.doorOpen ? yellow("OPEN") : "closed"}`);
    lines.push(`  Camera power  ${s.cameraPowered ? yellow("ON (privacy LED lit)") : "off"}`);
    const leds = Object.entries(s.leds).map(([name, value]) => on(value, name)).join("  ");
    const signal = s.signal === "alarm" ? red("ALARM") : s.signal;
    lines.push(`  LEDs          ${leds || dim("(none)")}   buzzer ${s.buzzer ? yellow("♪") : dim("-")}   pattern ${signal}`);
    lines.push(`  Reader        ${s.cardInField ? `card ${s.cardInField} in the field` : dim("no card")}`);
    lines.push(`  Camera view   ${s.faceInView ?? dim("nobody")}`);
    lines.push(`  Display       ${bold(s.prompt || "Ready.")}`);
    lines.push(`  Keypad        ${s.keypad || dim("(empty)")}`);
    lines.push("");
    lines.push(bold("Last decisions"));
    const decisions = s.decisions.slice(-6);
    if (decisions.length === 0) lines.push(dim("  none yet"));
    for (const d of decisions) {
      const verdict = d.grant ? green("GRANTED") : red("DENIED ");
      lines.push(`  ${timeOfDay(d.time).slice(11)}  ${d.via.padEnd(8)} ${(d.resident ?? "-").padEnd(6)} ${verdict} ${d.reason}`);
    }
    lines.push("");
    lines.push(`Console   ${this.#options.consoleInfo}`);
    lines.push(`Flash     ${this.#options.imageInfo}`);
    if (this.#options.modelInfo) lines.push(`Face      ${this.#options.modelInfo}`);
    lines.push("");
    if (this.#menu === "card") {
      lines.push(bold("Tap which card?"));
      DEMO_RESIDENTS.forEach((r, i) => lines.push(`  ${i + 1}  ${r.card}  ${r.id} ${r.unit} (${r.note})`));
      lines.push(`  u  ${DEMO_UNKNOWN_CARD}  unknown card`);
      lines.push(dim("  Esc  back"));
    } else if (this.#menu === "face") {
      lines.push(bold("Who stands in front of the camera? (then type the resident number and A, or #1#<number>#)"));
      lines.push("  g  the resident who opted in     i  a stranger (impostor)");
      lines.push("  n  nobody / mask (no face)       l  blurred (low quality)");
      if (this.#sim.embedder === "real") lines.push(yellow("  (synthetic people: the real face model sees no face in them; hold up a photo with p)"));
      lines.push(dim("  Esc  back"));
    } else if (this.#menu === "photo") {
      lines.push(bold("Photo to hold up to the camera (PNG, JPEG or PGM), then Enter; empty Enter takes it away"));
      lines.push(`  > ${this.#path}_`);
      lines.push(dim("  Esc  back"));
    } else {
      lines.push(bold("Keys"));
      lines.push("  0-9 * # A B C keypad       c  tap a card       f  put a face in front of the camera");
      lines.push("  p  hold up a photo (file)  o  take it away (nobody in view)");
      lines.push("  d  open/close the door     e  exit button      x  break/repair the camera     q  quit");
      lines.push(dim(`  keypad: <code>#<PIN>#   #<visitor code>#   <number>A or #1#<number># face   B or #9# withdraw   C or #8# consent   * clear`));
      const pins = DEMO_RESIDENTS.filter((r) => r.pin).map((r) => `${r.keypadCode}#${r.pin}#`).join("  ");
      lines.push(dim(`  demo: ${pins}   courier #${DEMO_VISITOR_CODE.code}#`));
    }
    if (this.#note) lines.push(dim(this.#note));
    return lines.join("\r\n");
  }
}
