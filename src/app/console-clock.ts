// The console's clock commands and the clock part of `status`, split from
// console-backend.ts. A jump of more than a day is asked for first (the
// command does the asking, with clockJump); a jump nobody typed holds the
// retention sweeps until `clock confirm` (GateCore); every change is recorded
// with from -> to in the audit detail.
import type { StatusView } from "../core/console/backend";
import { OptgateError } from "../core/errors";
import type { Clock } from "../core/ports";
import type { ClockReport } from "./clock-source";
import type { ConsoleAccounts } from "./console-accounts";
import type { GateCore } from "./core";

/** A clock change larger than this is asked for first. */
const CLOCK_JUMP_CONFIRM_MS = 24 * 3600_000;

export type ClockStatus = Pick<StatusView, "clockSource" | "clockTrusted" | "clockWhy" | "clockDriftMs">;

export class ConsoleClock {
  constructor(
    private readonly core: GateCore,
    private readonly clock: Clock,
    private readonly accounts: ConsoleAccounts,
    private readonly hooks: { setClock?(time: number): void; clock?(): ClockReport },
  ) {}

  /** Whether decisions believe the clock, and why not: what a technician needs to fix it. */
  status(now: number): ClockStatus {
    const report = this.hooks.clock?.();
    const access = this.core.access;
    let why = report?.rtc ?? "no battery-backed clock on this board";
    if (now < access.policy.clockFloorMs) why = `reads before ${new Date(access.policy.clockFloorMs).toISOString().slice(0, 10)}, so it was never set (${why}); set it: clock set`;
    else if (now < this.core.audit.watermark) why = `reads before the newest audit record (it went back; ${why}); set it: clock set`;
    const view: ClockStatus = { clockSource: report?.source ?? "board", clockTrusted: access.clockTrusted(now), clockWhy: why };
    if (report?.driftMs !== undefined) view.clockDriftMs = report.driftMs;
    return view;
  }

  /** How far `time` is from what the gate believes (its clock, or its newest record when the clock went back), when more than a day. */
  jump(time: number): { from: number; ms: number } | undefined {
    const now = this.clock.now();
    const newest = this.core.audit.watermark;
    const from = Number.isFinite(newest) && newest > now ? newest : now;
    return Math.abs(time - from) > CLOCK_JUMP_CONFIRM_MS ? { from, ms: time - from } : undefined;
  }

  set(time: number): { before: number; after: number } {
    if (!this.hooks.setClock) throw new OptgateError("E_UNSUPPORTED", "This board's clock cannot be set from the console.");
    const before = this.clock.now();
    this.core.clockChanging();
    this.hooks.setClock(time);
    const after = this.clock.now();
    this.accounts.explain(`${iso(before)} -> ${iso(after)}`);
    return { before, after };
  }

  confirm(): { held: string | null } {
    const held = this.core.sweepHold ?? null;
    this.core.confirmClock();
    this.accounts.explain(`time ${iso(this.clock.now())} confirmed${held ? "; sweeps resume" : ""}`);
    return { held };
  }
}

/** A time as the audit detail shows it (UTC, to the minute). */
function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 16) + "Z" : String(ms);
}
