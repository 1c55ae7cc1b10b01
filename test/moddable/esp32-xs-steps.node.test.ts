// The board builds (esp32/esp32s3 and esp32/xiao_esp32s3_sense) through every
// XS step the real Moddable SDK runs before ESP-IDF takes over: mcconfig, tsc,
// xsc, xsid and xsl, ending in mc.xs.c (the preloaded XS image). ESP-IDF is
// not here: make gets a stand-in IDF_PATH (an empty git repo, for the version
// probe) and an empty sdkconfig.h, and builds only mc.xs.c. Runs where
// $MODDABLE names a built SDK (CI builds one).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { mcconfig, moddableSdk, type Sdk } from "../../tools/moddable/sdk";
import { repoRoot } from "../../tools/xs/bundle";
import { listFiles } from "../support/list-files";

const run = promisify(execFile);
const outRoot = path.join(repoRoot, "build/moddable");

/** What the makefile's parse-time checks need from ESP-IDF, and nothing more. */
async function idfStandIn(): Promise<{ idfPath: string; sdkconfigH: string }> {
  const idfPath = path.join(outRoot, "idf-stand-in");
  if (!existsSync(path.join(idfPath, ".git"))) {
    mkdirSync(idfPath, { recursive: true });
    const git = (...args: string[]) => run("git", ["-c", "user.name=optgate", "-c", "user.email=ci@optgate.invalid", ...args], { cwd: idfPath });
    await git("init", "-q");
    await git("commit", "-q", "--allow-empty", "-m", "stand-in for the ESP-IDF version probe");
    await git("tag", "v5.5.1");
  }
  const sdkconfigH = path.join(outRoot, "sdkconfig-stand-in.h");
  writeFileSync(sdkconfigH, "");
  return { idfPath, sdkconfigH };
}

async function xsSteps(sdk: Sdk, platform: string): Promise<{ project: string; log: string }> {
  // From scratch every time: an up-to-date build from an earlier run would skip the steps this checks.
  const out = path.join(outRoot, platform.replace("/", "-"));
  rmSync(out, { recursive: true, force: true });
  const project = await mcconfig(sdk, repoRoot, platform, out);
  const { idfPath, sdkconfigH } = await idfStandIn();
  const { stdout, stderr } = await run("make", [`IDF_PATH=${idfPath}`, `SDKCONFIG_H=${sdkconfigH}`, path.join(project, "mc.xs.c")], { cwd: project, env: sdk.env, maxBuffer: 64 << 20 });
  return { project, log: stdout + stderr };
}

const firmwareSources = [...listFiles(path.join(repoRoot, "src")), ...listFiles(path.join(repoRoot, "boards/esp32s3-gate"))]
  .filter((file) => /\.ts$/.test(file) && !file.endsWith(".d.ts"))
  .map((file) => path.relative(repoRoot, file).replace(/\.ts$/, ""));

for (const platform of ["esp32/esp32s3", "esp32/xiao_esp32s3_sense"]) {
  describe(`manifest.json for ${platform}: the XS steps up to ESP-IDF`, function () {
    this.timeout(900_000);
    let result: { project: string; log: string };
    before(async function () {
      const sdk = moddableSdk();
      if (!sdk) this.skip();
      result = await xsSteps(sdk, platform);
    });

    it("runs tsc, xsc, xsid and xsl and writes mc.xs.c", () => {
      for (const step of ["tsc", "xsc", "xsid", "xsl"]) assert.match(result.log, new RegExp(`^# ${step} `, "m"), `no ${step} step in:\n${result.log}`);
      assert.ok(existsSync(path.join(result.project, "mc.xs.c")));
    });

    it("compiles every firmware module (src/ and the gate board) to XS bytecode", () => {
      const missing = firmwareSources.filter((name) => !existsSync(path.join(result.project, "modules", `${name}.xsb`)));
      assert.deepEqual(missing, []);
    });
  });
}
