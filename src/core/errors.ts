/**
 * Every refusal in optgate carries a stable code (for tools and tests) and a
 * sentence a technician can act on: "E_LAST_NON_FACE_CREDENTIAL: ...".
 */
export class OptgateError extends Error {
  readonly code: string;

  constructor(code: string, sentence: string) {
    super(`${code}: ${sentence}`);
    this.code = code;
  }
}

// Moddable freezes Error.prototype, so assigning `this.name` in the constructor
// throws there ("set name: not writable"); define it once on our prototype.
Object.defineProperty(OptgateError.prototype, "name", { value: "OptgateError", writable: true, configurable: true });

export function isOptgateError(error: unknown, code?: string): error is OptgateError {
  return error instanceof OptgateError && (code === undefined || error.code === code);
}
