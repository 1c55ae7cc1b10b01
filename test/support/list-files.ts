// Node-only: every file below a folder, recursively (for tests that check the tree itself).
import { readdirSync } from "node:fs";
import path from "node:path";

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}
