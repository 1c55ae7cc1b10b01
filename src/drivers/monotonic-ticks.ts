// Monotonic milliseconds for the drivers from a wrapping millisecond counter.
// Moddable's Time.ticks on the ESP32 is a uint32 millisecond count handed to
// JavaScript as a signed 32-bit integer: it turns negative after 24.8 days
// and wraps after 49.7. A gate runs for months, and the relay, debounce and
// reader timing compare tick values, so the board accumulates the unsigned
// difference between reads instead. Reads must come at least once per 49
// days; the firmware reads every 10 ms.

export function monotonicTicks(read: () => number): () => number {
  let last = read() >>> 0;
  let total = 0;
  return () => {
    const now = read() >>> 0;
    total += (now - last) >>> 0;
    last = now;
    return total;
  };
}
