// The native module inside the real Moddable SDK (XS 17, platform lin):
// NativeMatcher → matcher.js host functions → xs_matcher.c → matcher_host.c →
// wasm2c C, through the golden vectors and bad inputs. Runs only where a
// built SDK is given in $MODDABLE and xvfb-run exists (the CI image has
// neither, so it is skipped there, visibly, not passed).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { moddableCheck, type ModdableCheck } from "../../tools/wasm/moddable-check";
import type { GoldenFile } from "./golden-inputs";
import golden from "./golden.json";

function available(): boolean {
  if (!process.env.MODDABLE) return false;
  try {
    execFileSync("which", ["xvfb-run"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("native matcher in the Moddable SDK on lin", function () {
  this.timeout(600_000);
  let check: ModdableCheck;
  before(async function () {
    if (!available()) this.skip();
    check = await moddableCheck(process.env.MODDABLE!);
  });

  for (const c of (golden as GoldenFile).cases) {
    it(`${c.name}: same indices and integer scores as the golden file`, () => {
      assert.deepEqual(check.rows[c.name], c.rows);
    });
  }

  it("bad input is refused with the same OptgateError codes as every other path", () => {
    assert.deepEqual(check.bad, {
      "scan-n-beyond-capacity": "E_MATCHER_CAPACITY",
      "scan-empty": "E_MATCHER_EMPTY_GALLERY",
      "scan-dim-mismatch": "E_MATCHER_DIMENSION",
      "load-dim-mismatch": "E_MATCHER_DIMENSION",
      "verify-slot-beyond": "E_MATCHER_SLOT",
      "second-open": "E_MATCHER_IN_USE",
    }, check.log);
  });
});
