// How far the hub's signed time may move a gate's trusted clock (docs/time.md
// "The hub's time"). Whoever holds a hub key signs time grants; a bound per
// grant alone (a day) would let them walk the clock a day an hour. So the
// bound is on the TOTAL: against the gate's own running since its clock was
// last set by a trusted source (a technician, or an RTC that kept time), a
// grant may differ by a few minutes plus 1% of that elapsed time, whatever
// grants came before. Legitimate corrections (a crystal's tens of ppm) stay
// far inside it; a hostile key moves the clock by at most that much.
//
//   const anchor = { wall: technicianTime, mono: ticksThen, since: 0 };
//   hubTimeRefusal(anchor, ticksNow, grantTime) -> undefined (take it) or why not

/** Any grant may differ from the gate's own running by this much (a hub and a gate a few minutes apart). */
export const HUB_CLOCK_SLACK_MS = 5 * 60_000;
/** ...plus this fraction of the time elapsed since the last trusted set (1%: far above a crystal's drift). */
export const HUB_CLOCK_RATE = 0.01;

/** The last trusted set, as the gate's own clocks saw it. */
export interface ClockAnchor {
  /** The wall time the gate's own running says at monotonic `mono`. */
  wall: number;
  /** Monotonic ms (board ticks, restarted at each boot). */
  mono: number;
  /** ms that had already elapsed since the trusted set at `mono` (an RTC counted them while the board was off). */
  since: number;
}

/** The wall time by the gate's own running alone, at monotonic `mono`. */
export function ownTime(anchor: ClockAnchor, mono: number): number {
  return anchor.wall + (mono - anchor.mono);
}

/** How far from ownTime a grant may be at monotonic `mono`. */
export function hubAllowanceMs(anchor: ClockAnchor, mono: number): number {
  return HUB_CLOCK_SLACK_MS + Math.floor(HUB_CLOCK_RATE * (anchor.since + Math.max(0, mono - anchor.mono)));
}

/** Why a grant of `time` at monotonic `mono` is refused (short: it goes in an audit detail), or undefined. */
export function hubTimeRefusal(anchor: ClockAnchor, mono: number, time: number): string | undefined {
  const off = time - ownTime(anchor, mono);
  const allowed = hubAllowanceMs(anchor, mono);
  if (Math.abs(off) <= allowed) return undefined;
  return `${off > 0 ? "+" : "-"}${Math.round(Math.abs(off) / 1000)}s vs own clock, max ${Math.round(allowed / 1000)}s`;
}
