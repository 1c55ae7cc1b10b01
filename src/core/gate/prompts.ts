// Prompt sentences for the gate display / voice, keyed by access reason codes
// and gate situations. Every refusal that involves the face path ends with the
// alternative that always works, so nobody is left at a dead end.

const PROMPTS: Record<string, string> = {
  granted: "Welcome. Door open.",
  "second-factor-required": "Enter your PIN, then #.",
  "unknown-card": "Card not recognised.",
  "unknown-resident": "Code or PIN not recognised.",
  "wrong-pin": "Wrong PIN.",
  "locked-out": "Too many attempts. Please wait, or use your card.",
  expired: "Access expired. Please contact the management office.",
  "not-yet-valid": "Access not valid yet.",
  suspended: "Access suspended. Please contact the management office.",
  "outside-schedule": "No access at this time.",
  holiday: "No access today (holiday schedule).",
  "mode-not-allowed": "This entry method is not accepted at this gate.",
  "clock-untrusted": "Gate clock not set: time-limited access unavailable. Use a resident card.",
  "registry-damaged": "Gate out of service: resident data needs a technician. Please contact the management office.",
  "code-used-up": "This code has already been used.",
  "code-expired": "This code has expired.",
  "unknown-code": "Code not recognised.",
  cleared: "Cleared.",
  "entry-timeout": "Entry timed out. Start again.",
  "stage:idle": "Ready.",
  "stage:who": "Enter your code, then #.",
  "stage:pin": "Enter your PIN, then #.",
  "stage:card-pin": "Enter your PIN, then #.",
  "stage:function": "Enter visitor code, then #.",
  "stage:face-who": "Face: enter your resident number, then #.",
  "stage:withdraw-who": "Withdraw face consent: enter your code, then #.",
  "stage:withdraw-pin": "Withdraw face consent: enter your PIN, then #.",
  "keypad:too-long": "Too many digits. Start again.",
  "keypad:unknown-function": "Unknown function. Start again.",
  "keypad:code-too-short": "Visitor codes have at least 4 digits.",
  "keypad:empty": "Nothing entered. Start again.",
  "keypad:unknown-key": "Key not used here. Start again.",
  "face-unavailable": "Face entry is not available. Please use your card or PIN.",
  "face-look": "Look at the camera.",
  "face-claim-needed": "For face, type your resident number, then A (or # 1 # number #). Or use your card or PIN.",
  "face:no-match": "Face not recognised. Please use your card or PIN.",
  "face:no-face": "No face seen. Please use your card or PIN.",
  "face:low-quality": "Face not clear. Please use your card or PIN.",
  "face:camera-error": "Camera unavailable. Please use your card or PIN.",
  "face:timeout": "Face check timed out. Please use your card or PIN.",
  "withdraw-unavailable": "Withdrawal is not available at this gate. Ask the management office.",
  withdrawn: "Face consent withdrawn; face data erased. Receipt:",
  "no-consent": "No face consent on record for you.",
};

/** A prompt for a reason code or gate situation; unknown codes get a neutral refusal. */
export function promptFor(key: string): string {
  return PROMPTS[key] ?? (key.startsWith("face:") ? PROMPTS["face:no-match"] : "Access denied.");
}
