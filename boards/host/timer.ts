// Host stand-in for Moddable's `timer` module (aliased as "timer" in XS
// bundles for the host board). XS in xsnap has no timers of its own, so time
// only moves when the Node side sends a tick: `advanceTimers(now)` runs every
// timer that is due, in due order, the way the board's event loop would.
//
// A board that was busy (or a simulator that jumps the clock overnight) does
// not replay missed periods: a late repeating timer fires once and is
// rescheduled from the current time, as on the device.

type Callback = (timer: HostTimer) => void;

class HostTimer {
  callback: Callback;
  due: number;
  interval: number;
  active = true;
  readonly seq: number;

  constructor(callback: Callback, due: number, interval: number, seq: number) {
    this.callback = callback;
    this.due = due;
    this.interval = interval;
    this.seq = seq;
  }
}

const timers: HostTimer[] = [];
let current = 0;
let created = 0;

function add(callback: Callback, delay: number, repeat: number): HostTimer {
  const timer = new HostTimer(callback, current + Math.max(0, delay), repeat > 0 ? repeat : 0, created++);
  timers.push(timer);
  return timer;
}

function remove(timer: HostTimer): void {
  timer.active = false;
  const index = timers.indexOf(timer);
  if (index >= 0) timers.splice(index, 1);
}

const Timer = {
  set(callback: Callback, delay = 0, repeat = 0): HostTimer {
    return add(callback, delay, repeat);
  },
  repeat(callback: Callback, interval: number): HostTimer {
    return add(callback, interval, interval);
  },
  schedule(timer: HostTimer, delay = 0, repeat = 0): void {
    timer.due = current + Math.max(0, delay);
    timer.interval = repeat > 0 ? repeat : 0;
    if (!timer.active) {
      timer.active = true;
      timers.push(timer);
    }
  },
  clear(timer: HostTimer | undefined | null): void {
    if (timer) remove(timer);
  },
  delay(milliseconds: number): void {
    // Blocking delay: on the host it only moves the timer clock forward.
    current += Math.max(0, milliseconds);
  },
};

export default Timer;

/** The timer clock (ms): the time of the last tick. */
export function timerNow(): number {
  return current;
}

/** Set the clock without running timers (boot: time starts where the board says). */
export function startTimers(now: number): void {
  current = now;
}

/**
 * Move the clock to `now` and run every due timer once, earliest first (ties
 * in creation order). Timers created or rescheduled by a callback to a time
 * not later than `now` run in the same call, so chains of short timers settle.
 */
export function advanceTimers(now: number): number {
  let fired = 0;
  const ran = new Set<HostTimer>();
  if (now > current) current = now;
  for (;;) {
    let next: HostTimer | undefined;
    for (const timer of timers) {
      if (timer.due > current || ran.has(timer)) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq)) next = timer;
    }
    if (!next) return fired;
    ran.add(next);
    if (next.interval > 0) next.due = Math.max(next.due + next.interval, current);
    else remove(next);
    fired++;
    next.callback(next);
  }
}

/** Number of pending timers (tests and diagnostics). */
export function pendingTimers(): number {
  return timers.length;
}
