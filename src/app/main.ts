// Moddable entry: the manifest names this module ("app/main") as creation.main,
// so its relative imports resolve inside the "app/" module namespace.
import config from "mc/config";
import { boot } from "./firmware";

declare const trace: (...values: unknown[]) => void;

export default function main(): void {
  // The board manifest (boards/<name>/manifest.json "config") names the board.
  boot({ name: config.board, log: (line) => trace(`${line}\n`) });
}
