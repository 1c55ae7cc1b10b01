// Where the console reports what technicians did. The app wires this to the
// hash-chained audit log; the console calls it for every mutation (done or
// refused) and every login outcome, always with the technician id.
export interface ConsoleAuditEvent {
  /** Technician id, or "-" before anyone logged in (failed logins). */
  actor: string;
  /** Command path, e.g. "resident add", or "login". */
  action: string;
  /** What it was done to (resident id, card UID, config key), or "". */
  subject: string;
  /** "ok" or the refusal's E_ code. */
  outcome: string;
  /** Non-secret arguments, "name=value" separated by spaces. */
  detail: string;
}

export interface ConsoleAuditSink {
  record(event: ConsoleAuditEvent): void;
}
