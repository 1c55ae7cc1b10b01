// The keypad grammar: turns single key presses into complete entries.
// Works on 3x4 keypads (0-9 * #) and 4x4 keypads (also A B C D).
//
//   *                         clear everything typed so far (always works)
//   <code> # <PIN> #          open with a PIN: resident keypad code, then PIN
//   <PIN> #                   the PIN after a card or face match, when the gate asks for it
//   # <visitor code> #        one-time visitor/courier code (4-12 digits)
//   <code> A   or  # 1 # <code> #   face session verified 1:1 against that resident
//   A          or  # 1 # #          bare face key: 1:N, only where the gate allows it
//   # 9 # <code> # <PIN> #    withdraw face consent; or  B <code> # <PIN> #
//   # 8 # <code> # <PIN> #    confirm the face consent a technician armed; or  C <code> # <PIN> #
//
// Codes of 1-3 digits after a leading '#' are function codes; longer ones are
// visitor codes. Nothing here decides access: a complete entry goes to the
// gate, which asks the access core. Digits live in one fixed buffer; the
// strings in an entry are made only when an entry completes (human rate).

export type KeypadEntry =
  | { kind: "pin"; who: string; pin: string }
  | { kind: "card-pin"; pin: string }
  | { kind: "code"; code: string }
  | { kind: "face"; who?: string }
  | { kind: "withdraw"; who: string; pin: string }
  | { kind: "consent"; who: string; pin: string };

/** What a key press did: an entry, a prompt-worthy step, or a refusal. */
export type KeyResult =
  | { kind: "entry"; entry: KeypadEntry }
  | { kind: "progress"; stage: KeypadStage; digits: number }
  | { kind: "cleared" }
  | { kind: "rejected"; why: "too-long" | "unknown-function" | "empty" | "unknown-key" | "code-too-short" };

export type KeypadStage =
  | "idle" | "who" | "pin" | "card-pin" | "function" | "face-who" | "withdraw-who" | "withdraw-pin" | "consent-who" | "consent-pin";

export const MAX_FIELD_DIGITS = 12;
export const MIN_VISITOR_CODE_DIGITS = 4;
export const FUNCTION_FACE = "1";
export const FUNCTION_WITHDRAW = "9";
export const FUNCTION_CONSENT = "8";

/** The keys a resident types to confirm consent: "#8#42#<PIN>#", or "C42#<PIN>#" on a 4x4 keypad. */
export function consentKeys(residentNumber: number): { keys: string; keys4x4: string } {
  return { keys: `#${FUNCTION_CONSENT}#${residentNumber}#<PIN>#`, keys4x4: `C${residentNumber}#<PIN>#` };
}

export class KeypadEntryBuffer {
  #stage: KeypadStage = "idle";
  #digits = new Uint8Array(MAX_FIELD_DIGITS);
  #length = 0;
  #who = "";

  get stage(): KeypadStage {
    return this.#stage;
  }

  /** Digits typed in the current field (for masked display: never the digits themselves). */
  get digits(): number {
    return this.#length;
  }

  /** The gate has a card (or a face match) waiting for its PIN: the next digits are that PIN. */
  expectCardPin(): void {
    this.clear();
    this.#stage = "card-pin";
  }

  /** Forget everything typed, overwriting the digits. */
  clear(): void {
    this.#digits.fill(0);
    this.#length = 0;
    this.#who = "";
    this.#stage = "idle";
  }

  press(key: string): KeyResult {
    if (key === "*") {
      this.clear();
      return { kind: "cleared" };
    }
    if (key.length === 1 && key >= "0" && key <= "9") return this.#digit(key.charCodeAt(0) - 48);
    if (key === "#") return this.#hash();
    // The face key after a resident number claims that resident (1:1).
    if (key === "A" && this.#stage === "who" && this.#length > 0) return this.#complete({ kind: "face", who: this.#take() });
    if (key === "A" || key === "B" || key === "C") {
      // Dedicated keys only start something when nothing half-typed would be lost silently.
      if (this.#stage !== "idle" || this.#length > 0) return this.#reject("unknown-key");
      if (key === "A") return this.#complete({ kind: "face" });
      this.#stage = key === "B" ? "withdraw-who" : "consent-who";
      return { kind: "progress", stage: this.#stage, digits: 0 };
    }
    return this.#reject("unknown-key");
  }

  #digit(value: number): KeyResult {
    if (this.#length >= MAX_FIELD_DIGITS) return this.#reject("too-long");
    this.#digits[this.#length++] = value;
    if (this.#stage === "idle") this.#stage = "who";
    return { kind: "progress", stage: this.#stage, digits: this.#length };
  }

  #hash(): KeyResult {
    const stage = this.#stage;
    if (stage === "idle") {
      this.#stage = "function";
      return { kind: "progress", stage: this.#stage, digits: 0 };
    }
    // "# 1 #" then "#" alone: the bare face key.
    if (stage === "face-who" && this.#length === 0) return this.#complete({ kind: "face" });
    if (this.#length === 0) return this.#reject("empty");
    const field = this.#take();
    switch (stage) {
      case "who":
        this.#who = field;
        this.#stage = "pin";
        return { kind: "progress", stage: this.#stage, digits: 0 };
      case "pin":
        return this.#complete({ kind: "pin", who: this.#who, pin: field });
      case "card-pin":
        return this.#complete({ kind: "card-pin", pin: field });
      case "face-who":
        return this.#complete({ kind: "face", who: field });
      case "withdraw-who":
        this.#who = field;
        this.#stage = "withdraw-pin";
        return { kind: "progress", stage: this.#stage, digits: 0 };
      case "withdraw-pin":
        return this.#complete({ kind: "withdraw", who: this.#who, pin: field });
      case "consent-who":
        this.#who = field;
        this.#stage = "consent-pin";
        return { kind: "progress", stage: this.#stage, digits: 0 };
      case "consent-pin":
        return this.#complete({ kind: "consent", who: this.#who, pin: field });
      case "function":
        if (field.length >= MIN_VISITOR_CODE_DIGITS) return this.#complete({ kind: "code", code: field });
        if (field === FUNCTION_FACE) {
          // 3x4 keypads have no A key: the resident number follows, or "#" alone for the bare face key.
          this.#stage = "face-who";
          return { kind: "progress", stage: this.#stage, digits: 0 };
        }
        if (field === FUNCTION_WITHDRAW || field === FUNCTION_CONSENT) {
          this.#stage = field === FUNCTION_WITHDRAW ? "withdraw-who" : "consent-who";
          return { kind: "progress", stage: this.#stage, digits: 0 };
        }
        return this.#reject(field.length > 1 ? "code-too-short" : "unknown-function");
    }
  }

  #take(): string {
    let text = "";
    for (let i = 0; i < this.#length; i++) text += String.fromCharCode(48 + this.#digits[i]);
    this.#digits.fill(0);
    this.#length = 0;
    return text;
  }

  #complete(entry: KeypadEntry): KeyResult {
    this.clear();
    return { kind: "entry", entry };
  }

  #reject(why: "too-long" | "unknown-function" | "empty" | "unknown-key" | "code-too-short"): KeyResult {
    this.clear();
    return { kind: "rejected", why };
  }
}
