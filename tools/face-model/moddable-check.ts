// Runs the board's face path inside the real Moddable SDK on `lin`: the same
// KernelEmbedder, NativeFaceKernel, xs_face.c + face_host.c + wasm2c C the
// ESP32-S3 build links, with the model partition (build/face-model/facemodel.bin)
// as a resource (a host buffer, as the flash map is on the board), on camera
// frames handed in as resources. Prints each frame's outcome and embedding
// (float32 bytes, hex) and the refusals of a damaged partition.
//   MODDABLE=<sdk> node --import=tsx tools/face-model/moddable-check.ts
// test/face-model/moddable-lin.node.test.ts compares it with WebAssembly under Node.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkAppManifest } from "../moddable/check-app";
import { buildLin, moddableSdk, runUnderMcsim, type Sdk } from "../moddable/sdk";
import { repoRoot } from "../xs/bundle";
import { faceModelDir } from "./models";

const appDir = path.join(repoRoot, "build/moddable-face-check");

export interface FaceCheck {
  /** Per frame name: outcome, and the embedding's float32 bytes in hex when ok. */
  frames: Record<string, { outcome: string; embedding?: string }>;
  /** Per damage: the OptgateError code the board path gave. */
  bad: Record<string, string>;
  log: string;
}

function writeApp(frames: Record<string, Uint8Array>): void {
  mkdirSync(appDir, { recursive: true });
  copyFileSync(path.join(faceModelDir, "facemodel.bin"), path.join(appDir, "facemodel.bin"));
  for (const [name, bytes] of Object.entries(frames)) writeFileSync(path.join(appDir, `${name}.bin`), bytes);
  const manifest = checkAppManifest({
    modules: {
      "app/blazeface-decode": "src/app/blazeface-decode",
      "app/face-alignment": "src/app/face-alignment",
      "app/face-mesh-points": "src/app/face-mesh-points",
      "app/face-kernel-status": "src/app/face-kernel-status",
      "app/face-model-partition": "src/app/face-model-partition",
      "app/kernel-embedder": "src/app/kernel-embedder",
    },
    native: { specifier: "native/face", source: "src/native/face", kernel: "face_kernel" },
    preload: ["native/face/face-kernel-native"],
    resources: ["facemodel", ...Object.keys(frames)],
  });
  writeFileSync(path.join(appDir, "manifest.json"), JSON.stringify(manifest, null, 1));
  writeFileSync(path.join(appDir, "main.ts"), `import Resource from "Resource";
import { BOARD_FACE_MODELS, splitFaceModelPartition } from "app/face-model-partition";
import { faceImageInfo, KERNEL_FORMAT, KernelEmbedder } from "app/kernel-embedder";
import { DETECTOR_SLOT, EMBEDDER_SLOT, LANDMARKS_SLOT, NativeFaceKernel } from "native/face/native-face-kernel";
declare function trace(text: string): void;
const FRAME_BYTES = 320 * 240 * 2;
function open(map: ArrayBuffer): KernelEmbedder {
  const images = splitFaceModelPartition(new Uint8Array(map), BOARD_FACE_MODELS);
  const d = faceImageInfo(images.detector), e = faceImageInfo(images.embedder), l = faceImageInfo(images.landmarks);
  return new KernelEmbedder({
    detector: { port: new NativeFaceKernel(DETECTOR_SLOT, map, images.detector, d, FRAME_BYTES), info: d },
    embedder: { port: new NativeFaceKernel(EMBEDDER_SLOT, map, images.embedder, e, FRAME_BYTES), info: e },
    landmarks: { port: new NativeFaceKernel(LANDMARKS_SLOT, map, images.landmarks, l, FRAME_BYTES), info: l },
  });
}
function hex(v: Float32Array): string {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  let s = "";
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
  return s;
}
const partition = new Resource("facemodel.bin") as unknown as ArrayBuffer;
const embedder = open(partition);
trace("MODEL " + embedder.model.id + " " + embedder.model.version + "\\n");
for (const name of ${JSON.stringify(Object.keys(frames))}) {
  const pixels = new Uint8Array(new Resource(name + ".bin") as unknown as ArrayBuffer);
  const out = new Float32Array(embedder.dimension);
  const r = embedder.run(pixels, 320, 240, KERNEL_FORMAT.rgb565le, out);
  trace("FRAME " + name + " " + r.outcome + (r.outcome === "ok" ? " " + hex(out) : "") + "\\n");
}
const damages: [string, (b: Uint8Array) => Uint8Array][] = [
  ["flipped-weight", (b) => { b[300000] ^= 0x10; return b; }],
  ["erased", (b) => b.fill(0xff)],
  ["cut", (b) => b.slice(0, 200000)],
];
for (const [name, damage] of damages) {
  const copy = damage(new Uint8Array(partition).slice());
  try { open(copy.buffer as ArrayBuffer); trace("BAD " + name + " none\\n"); } catch (e) { trace("BAD " + name + " " + (e as { code?: string }).code + "\\n"); trace("WHY " + name + " " + String(e) + "\\n"); }
}
trace("DONE\\n");
`);
}

export async function moddableFaceCheck(sdk: Sdk, frames: Record<string, Uint8Array>): Promise<FaceCheck> {
  writeApp(frames);
  const mcSo = await buildLin(sdk, appDir, path.join(appDir, "out"));
  const done = (logs: string[]) => logs.some((l) => l.includes("DONE"));
  const logs = await runUnderMcsim(sdk, mcSo, done, 300_000);
  const text = logs.join("");
  if (!done(logs)) throw new Error(`no DONE from the app: ${text}`);
  const result: FaceCheck = { frames: {}, bad: {}, log: text.split("\n").filter((l) => !l.startsWith("FRAME")).join("\n") };
  for (const line of text.split("\n")) {
    const frame = /^FRAME (\S+) (\S+)(?: ([0-9a-f]+))?$/.exec(line);
    if (frame) result.frames[frame[1]] = { outcome: frame[2], ...(frame[3] ? { embedding: frame[3] } : {}) };
    const bad = /^BAD (\S+) (\S+)$/.exec(line);
    if (bad) result.bad[bad[1]] = bad[2];
    if (line.startsWith("XS abort") || line.includes("# Exception")) throw new Error(`the app failed: ${text}`);
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sdk = moddableSdk();
  if (!sdk) process.exit(1);
  const { benchFrame } = await import("../bench/suites/42-face-kernel");
  const check = await moddableFaceCheck(sdk, { bench: benchFrame() });
  process.stdout.write(`${JSON.stringify(check, null, 1)}\n`);
}
