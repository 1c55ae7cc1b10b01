// A "camera-session" audit record's detail: how long the camera was on in one
// face session ("on 3200 ms"). The gate writes it (src/app/core.ts) each time
// the camera goes off; the hub adds them up per gate and day (camera-data.ts).

/** Longest session a record can claim: the face time-out's order of magnitude, with room. */
export const MAX_CAMERA_MS = 600_000;

export function cameraDetail(ms: number): string {
  return `on ${Math.min(MAX_CAMERA_MS, Math.max(0, Math.round(ms)))} ms`;
}

/** The ms a detail states, or undefined when it is not one (a damaged or foreign record). */
export function parseCameraDetail(detail: string): number | undefined {
  const match = /^on (\d{1,6}) ms$/.exec(detail);
  if (!match) return undefined;
  const ms = Number(match[1]);
  return ms <= MAX_CAMERA_MS ? ms : undefined;
}
