import { mkdirSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./xs/bundle";
import { matcherBuildSteps } from "./wasm/build";
import { faceBuildSteps } from "./face-model/build";

export interface BuildStep {
  name: string;
  run(): Promise<void> | void;
}

export const buildDir = path.join(repoRoot, "build");

export const buildSteps: BuildStep[] = [
  { name: "build directory", run: () => { mkdirSync(buildDir, { recursive: true }); } },
  ...matcherBuildSteps,
  ...faceBuildSteps,
];
