// npm run build: everything generated lands under build/ (never committed).
// Steps are registered in tools/build-steps.ts so each part adds its own.
import { buildSteps } from "./build-steps";

for (const step of buildSteps) {
  const started = Date.now();
  await step.run();
  process.stdout.write(`build: ${step.name} (${Date.now() - started} ms)\n`);
}
