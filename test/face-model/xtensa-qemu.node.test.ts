// The face kernel on an Xtensa instruction set (strict alignment, 32-bit,
// as the S3's LX7): the board's wasm2c path — with the aligned word copies
// the build places for Xtensa — and the bench's C yardstick, compiled by
// Debian's Xtensa gcc (lx106 core) and run under qemu-xtensa, give
// WebAssembly's bytes on the bench frame for all three board models. Skipped
// with one line where the cross tools are not installed (see
// tools/face-model/xtensa/count.ts). Needs npm run build.
import assert from "node:assert/strict";
import { XTENSA_CASES, buildXtensa, runXtensa, wasmOutputs, xtensaToolsPresent } from "../../tools/face-model/xtensa/count";

describe("the face kernel built for Xtensa (qemu) gives WebAssembly's bytes", function () {
  before(async function () {
    if (!(await xtensaToolsPresent())) {
      console.log("    (skipped: needs gcc-xtensa-lx106, binutils-xtensa-lx106, picolibc-xtensa-lx106-elf, qemu-user)");
      this.skip();
    }
  });
  for (const c of XTENSA_CASES) {
    for (const which of ["wasm2c", "c"] as const) {
      it(`${c.id}, ${which === "c" ? "the C yardstick" : "wasm2c, bounds-checked, as the board builds it"}`, async () => {
        const m = c.m();
        const expected = wasmOutputs(c.id, m);
        const got = await runXtensa(await buildXtensa(c.id, m, which, "test"));
        assert.equal(got.status, 0);
        assert.equal(got.outputs.length, expected.length);
        assert.deepEqual(got.outputs, expected);
      });
    }
  }
});
