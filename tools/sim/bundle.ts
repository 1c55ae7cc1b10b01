// Bundles the firmware with the host board for XS: the Moddable runtime
// modules the firmware imports (timer, embedded:io/*) resolve to host
// providers in boards/host/.
import path from "node:path";
import { bundleForXs, repoRoot } from "../xs/bundle";

export const hostBoardAliases: Record<string, string> = {
  timer: path.join(repoRoot, "boards/host/timer.ts"),
};

let cached: Promise<string> | undefined;

/** The firmware + host board as one XS script (bundled once per process). */
export function bundleHostFirmware(): Promise<string> {
  cached ??= bundleForXs(path.join(repoRoot, "boards/host/entry.ts"), { aliases: hostBoardAliases });
  return cached;
}
