// npm start: boot the firmware inside the XS engine on the host board.
import path from "node:path";
import { repoRoot } from "../xs/bundle";
import { runInXs } from "../xs/run";

const { messages, meter } = await runInXs(path.join(repoRoot, "boards/host/entry.ts"));
for (const message of messages) process.stdout.write(`${message}\n`);
process.stdout.write(`XS engine: ${meter.compute} computrons, heap ${meter.currentHeapCount} slots\n`);
