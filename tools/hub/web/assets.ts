// The page's two bundled assets: the chart script (tools/hub/web/client/,
// uPlot from npm, bundled with esbuild when the hub starts; nothing is loaded
// from the internet) and uPlot's style sheet.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { build } from "esbuild";

let bundled: Promise<{ script: string; css: string }> | undefined;

export function officeAssets(): Promise<{ script: string; css: string }> {
  bundled ??= (async () => {
    const out = await build({
      entryPoints: [path.join(import.meta.dirname, "client", "charts.ts")],
      bundle: true, minify: true, write: false, format: "iife", target: "es2020", platform: "browser", legalComments: "inline",
    });
    const require = createRequire(import.meta.url);
    const css = readFileSync(path.join(path.dirname(require.resolve("uplot/package.json")), "dist", "uPlot.min.css"), "utf8");
    return { script: out.outputFiles[0].text, css };
  })();
  return bundled;
}

/** JSON for a <script type="application/json"> block: nothing in it can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
