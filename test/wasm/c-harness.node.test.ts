// The board's C path on the host: wasm2c output of the kernel + matcher_host.c,
// compiled with gcc, fed the golden vectors (must match bit for bit) and bad
// inputs (clear statuses, and under AddressSanitizer no out-of-bounds access).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import * as status from "../../src/core/matcher/kernel-status";
import { compileC, type CVariant } from "../../tools/wasm/compile-c";
import { harnessDir, wasm2cDir } from "../../tools/wasm/paths";
import { repoRoot } from "../../tools/xs/bundle";
import { allGoldenCases, type GoldenCase, type GoldenFile } from "./golden-inputs";
import golden from "./golden.json";

const run = promisify(execFile);
const MATCHER_E_TRAP = -8;

function goldenInput(c: GoldenCase): string {
  const header = new Int32Array([c.dim, c.count, c.verifySlots.length]);
  const slots = new Int32Array(c.verifySlots);
  const file = path.join(harnessDir, `golden-${c.name}.bin`);
  mkdirSync(harnessDir, { recursive: true });
  writeFileSync(file, Buffer.concat([header, c.gallery, c.probes, slots].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  return file;
}

const expectedBad: Record<string, number> = {
  "load-before-init": status.KERNEL_E_NOT_READY,
  "scan-before-init": status.KERNEL_E_NOT_READY,
  "init-dim-100": status.KERNEL_E_DIMENSION,
  "init-dim-8192": status.KERNEL_E_DIMENSION,
  "init-capacity-0": status.KERNEL_E_CAPACITY,
  "init-capacity-huge": status.KERNEL_E_CAPACITY,
  "init-too-big-for-memory": status.KERNEL_E_MEMORY,
  init: status.KERNEL_OK,
  "scan-n-beyond-capacity": status.KERNEL_E_COUNT,
  "scan-n-huge": status.KERNEL_E_COUNT,
  "scan-n-negative": status.KERNEL_E_COUNT,
  "scan-empty": status.KERNEL_E_COUNT,
  "scan-dim-mismatch": status.KERNEL_E_DIMENSION,
  "verify-dim-mismatch": status.KERNEL_E_DIMENSION,
  "load-dim-mismatch": status.KERNEL_E_DIMENSION,
  "verify-slot-beyond": status.KERNEL_E_SLOT,
  "verify-slot-negative": status.KERNEL_E_SLOT,
  "load-slot-beyond": status.KERNEL_E_SLOT,
  "clear-slot-beyond": status.KERNEL_E_SLOT,
  "scan-full": status.KERNEL_OK,
  "scan-full-best-score": 128,
  "kernel-init": status.KERNEL_OK,
  "kernel-probe-off-end": status.KERNEL_E_PROBE,
  "kernel-probe-wraps": status.KERNEL_E_PROBE,
  "kernel-probe-last": status.KERNEL_OK,
  "kernel-oob-traps": MATCHER_E_TRAP,
};

for (const variant of ["board", "asan"] as CVariant[]) {
  describe(`C matcher path via wasm2c + gcc (${variant})`, function () {
    this.timeout(120_000);
    let harness = "";
    before(async () => { harness = await compileC("harness", variant); });

    for (const c of allGoldenCases()) {
      it(`${c.name}: same indices and integer scores as the golden file`, async () => {
        const expected = (golden as GoldenFile).cases.find((g) => g.name === c.name)!;
        const { stdout } = await run(harness, ["golden", goldenInput(c)]);
        const rows = stdout.trim().split("\n").map((line) => line.split(" ").map(Number));
        assert.deepEqual(rows, expected.rows);
      });
    }

    it("bad input gets a clear status, and a forced out-of-bounds load traps instead of reading", async () => {
      const { stdout, stderr } = await run(harness, ["bad"], { env: { ...process.env, ASAN_OPTIONS: "halt_on_error=1:abort_on_error=0" } });
      assert.equal(stderr, "", "no sanitizer report");
      const got = Object.fromEntries(stdout.trim().split("\n").map((line) => {
        const [name, value] = line.split(" ");
        return [name, Number(value)];
      }));
      assert.deepEqual(got, expectedBad);
    });
  });
}

describe("benchmark C scans (tools/wasm/baseline.c, kernel-c.c)", function () {
  this.timeout(120_000);
  it("the byte loop and the kernel's algorithm, at -O2 and -O3 -march=native, agree with the board's path", async () => {
    // bench exits 5 when any C scan disagrees with matcher_host over wasm2c on the final probe.
    const { stdout } = await run(await compileC("bench", "board"), ["128", "64", "3"]);
    const times = JSON.parse(stdout) as Record<string, number>;
    for (const key of ["byteLoopO2Ns", "kernelAlgorithmO2Ns", "byteLoopBestNs", "kernelAlgorithmBestNs", "wasm2cNs"]) {
      assert.ok(times[key] > 0, `${key} in ${stdout}`);
    }
  });
});

describe("native module glue (src/native/matcher/xs_matcher.c)", () => {
  it("compiles cleanly against XS's xsmc.h (-Wall -Wextra -Werror)", async () => {
    // The XS that npm ci builds ships the same xsmc API (xsmcGetBufferReadable & co.) as the Moddable SDK.
    const xsIncludes = path.join(repoRoot, "node_modules/@agoric/xsnap/moddable/xs/includes");
    const nativeDir = path.join(repoRoot, "src/native/matcher");
    const { stderr } = await run("gcc", ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", `-I${xsIncludes}`, `-I${wasm2cDir}`, `-I${nativeDir}`, path.join(nativeDir, "xs_matcher.c")]);
    assert.equal(stderr, "");
  });
});
