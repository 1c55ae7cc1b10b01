// One clock shared by every model and by the code under test: tests move it
// forward explicitly, so chip timing (frame times, timer IRQs, bounce) is
// deterministic and independent of how fast the host runs.
export class ModelClock {
  now: number;

  constructor(startMs = 0) {
    this.now = startMs;
  }

  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}
