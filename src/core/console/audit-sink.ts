// Where the console reports what technicians did. The app wires this to the
// hash-chained audit log; the console calls it for every mutation (done or
// refused) and every login outcome, always with the technician id, and with
// the resident the action concerns whenever there is one.
export interface ConsoleAuditEvent {
  /** Technician id, or "-" before anyone logged in (failed logins). */
  actor: string;
  /** Command path, e.g. "resident add", or "login". */
  action: string;
  /** What it was done to (resident id, card UID, config key), or "". */
  subject: string;
  /**
   * The resident the action concerns, as typed or as the gate names them
   * (R00042): the command's resident argument, or the resident its reply
   * names when the command finds one (resident add, card remove, visitor
   * revoke). Absent when the action concerns no resident, or a refused
   * command never found out which.
   */
  resident?: string;
  /** "ok" or the refusal's E_ code. */
  outcome: string;
  /** Non-secret arguments, "name=value" separated by spaces. */
  detail: string;
}

export interface ConsoleAuditSink {
  record(event: ConsoleAuditEvent): void;
  /** A line refused before anyone logged in (not logged in, unknown command): recorded in aggregate. */
  refused?(): void;
}
