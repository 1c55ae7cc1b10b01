// The firmware's own manifest.json built by the real Moddable SDK for `lin`
// (every module through tsc/xsc/xsl and the native matcher through gcc) and
// booted under mcsim. Runs where $MODDABLE names a built SDK (CI builds one).
import assert from "node:assert/strict";
import path from "node:path";
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../../src/core/version";
import { buildLin, moddableSdk, runUnderMcsim } from "../../tools/moddable/sdk";
import { repoRoot } from "../../tools/xs/bundle";

describe("manifest.json in the Moddable SDK on lin", function () {
  this.timeout(900_000);
  const banner = `${FIRMWARE_NAME} ${FIRMWARE_VERSION} booted on host-lin`;
  let logs: string[] = [];
  before(async function () {
    const sdk = moddableSdk();
    if (!sdk) this.skip();
    const mcSo = await buildLin(sdk, repoRoot, path.join(repoRoot, "build/moddable/lin"));
    logs = await runUnderMcsim(sdk, mcSo, (lines) => lines.join("").includes(banner));
  });

  it(`boots under mcsim and prints "${banner}"`, () => {
    assert.ok(logs.join("").includes(banner), logs.join(""));
  });

  it("raises no exception and no XS abort on the way", () => {
    const text = logs.join("");
    assert.doesNotMatch(text, /# Exception|XS abort/, text);
  });
});
