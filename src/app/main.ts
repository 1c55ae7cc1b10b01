// Moddable entry (the manifest's "main" module) on a real board.
import { boot } from "./firmware";

declare const trace: (...values: unknown[]) => void;

export default function main(): void {
  boot({ name: "esp32s3-gate", log: (line) => trace(`${line}\n`) });
}
