// The board's C face path on the host: wasm2c output of the face kernel +
// src/native/face/face_host.c, compiled with gcc (bounds-checked as on the
// S3, and again under ASan + UBSan). Golden vectors: the same int32 bytes as
// Node's WebAssembly and as test/face-model/golden.json for every built model
// and synthetic crop. Bad inputs: the same statuses as the kernel under Node,
// no sanitizer report, and a simulated kernel bug caught as a trap.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { sha256, toHex } from "../../src/core/crypto";
import { compileFaceHarness } from "../../tools/face-model/compile-c";
import { FaceKernel, readModelImage } from "../../tools/face-model/face-kernel";
import * as S from "../../src/app/face-kernel-status";
import { outputHash, type FaceGoldenFile } from "../../tools/face-model/make-golden";
import { kernelModelIds } from "../../tools/face-model/models";
import type { CVariant } from "../../tools/wasm/compile-c";
import { harnessDir } from "../../tools/wasm/paths";
import { badCases } from "./bad-inputs";
import golden from "./golden.json";
import { goldenCrops, goldenWarps } from "./golden-crops";
import { runInWasm } from "./wasm-runner";

const run = promisify(execFile);
const workDir = path.join(harnessDir, "face");
const sanitizerEnv = { ...process.env, ASAN_OPTIONS: "halt_on_error=1:abort_on_error=0", UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1" };

function file(name: string, bytes: Uint8Array): string {
  mkdirSync(workDir, { recursive: true });
  const at = path.join(workDir, name);
  writeFileSync(at, bytes);
  return at;
}

interface HarnessResult { init: number; load: number; embeds: { status: number; values: Int32Array }[]; stderr: string }

async function harnessRun(bin: string, name: string, c: { image: Uint8Array; imageCap: number; frameCap: number; arena: number; width: number; height: number; format: number }, frames: Uint8Array[]): Promise<HarnessResult> {
  const args = ["run", file(`${name}.ogfk`, c.image), String(c.imageCap), String(c.frameCap), String(c.arena), String(c.width), String(c.height), String(c.format), ...frames.map((f, i) => file(`${name}.frame${i}`, f))];
  const { stdout, stderr } = await run(bin, args, { env: sanitizerEnv, maxBuffer: 64 << 20 });
  const lines = stdout.trim().split("\n").map((l) => l.split(" "));
  const status = (tag: string) => Number(lines.find((l) => l[0] === tag)![1]);
  return { init: status("init"), load: status("load"), embeds: lines.filter((l) => l[0] === "embed").map((l) => ({ status: Number(l[1]), values: Int32Array.from(l.slice(2).map(Number)) })), stderr };
}

for (const variant of ["board", "asan"] as CVariant[]) {
  describe(`face kernel C path via wasm2c + gcc (${variant})`, function () {
    this.timeout(300_000);
    let bin = "";
    before(async () => { bin = await compileFaceHarness(variant); });

    for (const id of kernelModelIds()) {
      it(`${id}: every synthetic crop gives the golden bytes (every output), identical to Node's WebAssembly`, async function () {
        const expected = (golden as FaceGoldenFile).models.find((m) => m.id === id);
        assert.ok(expected, `no golden vectors for ${id}: run node --import=tsx tools/face-model/make-golden.ts`);
        const image = readModelImage(id);
        assert.equal(toHex(sha256(image)), expected.imageSha256, "the built image is not the one the golden vectors were made from: regenerate them if the change was meant");
        const kernel = new FaceKernel(image);
        const side = kernel.header.inputWidth;
        const crops = goldenCrops(side);
        const run = (pixels: Uint8Array, format: number) => { assert.equal(kernel.tryEmbed(pixels, side, side, format), S.FACE_OK); return kernel.concatenatedOutputs(); };
        const r = await harnessRun(bin, `${id}-${variant}`, { image, imageCap: image.length, frameCap: side * side * 3, arena: kernel.header.arenaBytes, width: side, height: side, format: 0 }, crops.map((c) => c.pixels));
        assert.equal(r.stderr, "");
        assert.deepEqual([r.init, r.load], [S.FACE_OK, S.FACE_OK]);
        // The harness runs every crop with the format of the first; grey crops run on their own below.
        for (const [k, c] of crops.entries()) {
          if (c.format !== 0) continue;
          const wasm = run(c.pixels, c.format);
          assert.equal(r.embeds[k].status, S.FACE_OK);
          assert.deepEqual(r.embeds[k].values, wasm, `${c.name}: C and WebAssembly differ`);
          assert.equal(outputHash(r.embeds[k].values), expected.crops.find((g) => g.name === c.name)!.outputSha256, `${c.name}: differs from golden.json`);
        }
        for (const c of crops.filter((c) => c.format !== 0)) {
          const g = await harnessRun(bin, `${id}-${variant}-${c.name}`, { image, imageCap: image.length, frameCap: c.pixels.length, arena: kernel.header.arenaBytes, width: c.width, height: c.height, format: c.format }, [c.pixels]);
          assert.equal(g.embeds[0].status, S.FACE_OK);
          assert.deepEqual(g.embeds[0].values, run(c.pixels, c.format));
          assert.equal(outputHash(g.embeds[0].values), expected.crops.find((x) => x.name === c.name)!.outputSha256);
        }
      });
    }

    for (const id of kernelModelIds()) {
      it(`${id}: the kernel's own crop-and-warp from whole frames (RGB888, RGB565 both byte orders, hostile parameters) gives the golden bytes in C too`, async function () {
        const expected = (golden as FaceGoldenFile).models.find((m) => m.id === id)!;
        const image = readModelImage(id);
        const kernel = new FaceKernel(image, { frameBytes: 1 << 20 });
        for (const w of goldenWarps()) {
          const { stdout, stderr } = await run(bin, ["warp", file(`${id}-${variant}.ogfk`, image), file(`${id}-${variant}-${w.name}.frame`, w.frame), String(w.width), String(w.height), String(w.format), ...w.m.map(String)], { env: sanitizerEnv, maxBuffer: 16 << 20 });
          assert.equal(stderr, "");
          const lines = stdout.trim().split("\n").map((l) => l.split(" "));
          assert.deepEqual(lines[0], ["load", "0"]);
          assert.equal(Number(lines[1][1]), S.FACE_OK, w.name);
          const values = Int32Array.from(lines[1].slice(2).map(Number));
          assert.equal(kernel.tryEmbedWarped(w.frame, w.width, w.height, w.format, w.m), S.FACE_OK);
          assert.deepEqual(values, kernel.concatenatedOutputs(), `${w.name}: C and WebAssembly differ`);
          assert.equal(outputHash(values), expected.warps.find((g) => g.name === w.name)!.outputSha256, `${w.name}: differs from golden.json`);
        }
      });
    }

    it("bad images, sizes and frames: a clear status from C, the same as from WebAssembly, never a trap", async function () {
      const image = readModelImage(kernelModelIds()[0]);
      for (const c of badCases(image)) {
        const r = await harnessRun(bin, `bad-${c.name}-${variant}`, c, [c.frame]);
        assert.equal(r.stderr, "", `${c.name}: sanitizer report`);
        const got = { init: r.init, load: r.load, embed: r.embeds[0].status };
        assert.deepEqual(got, c.expect, c.name);
        assert.deepEqual(runInWasm(c), c.expect, `${c.name} in WebAssembly`);
      }
    });

    it("a kernel bug (memory shrunk under a checked model) traps into FACE_E_TRAP instead of reading out of range", async function () {
      const image = readModelImage(kernelModelIds()[0]);
      const { stdout, stderr } = await run(bin, ["trap", file(`trap-${variant}.ogfk`, image), file(`trap-${variant}.frame`, new Uint8Array(112 * 112 * 3).fill(90))], { env: sanitizerEnv });
      assert.equal(stderr, "");
      assert.equal(stdout, `load ${S.FACE_OK}\ntrap ${S.FACE_E_TRAP}\n`);
    });
  });
}
