// The native module inside the real Moddable SDK (XS 17, platform lin):
// NativeMatcher → matcher.js host functions → xs_matcher.c → matcher_host.c →
// wasm2c C, through the golden vectors and bad inputs. Runs where a built
// SDK is given in $MODDABLE (CI builds one); skipped, visibly, elsewhere.
import assert from "node:assert/strict";
import { moddableSdk } from "../../tools/moddable/sdk";
import { moddableCheck, type ModdableCheck } from "../../tools/wasm/moddable-check";
import type { GoldenFile } from "./golden-inputs";
import golden from "./golden.json";

describe("native matcher in the Moddable SDK on lin", function () {
  this.timeout(600_000);
  let check: ModdableCheck;
  before(async function () {
    const sdk = moddableSdk();
    if (!sdk) this.skip();
    check = await moddableCheck(sdk);
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
