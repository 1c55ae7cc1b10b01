// Moddable entry for the lin platform (manifest.json "platforms.lin" sets
// creation.main to this module): a desktop build has no gate hardware, so it
// checks that XS, the modules and the native matcher link and boot, and prints
// the banner. The full firmware on a laptop is the simulator (npm start).
import config from "mc/config";
import { boot } from "./firmware";

declare const trace: (...values: unknown[]) => void;

export default function main(): void {
  boot({ name: config.board, log: (line) => trace(`${line}\n`) });
}
