// Bundles an entry for XS: one IIFE script, es2022, with the Moddable module
// specifiers (embedded:*, timer, flash) aliased to host providers.
import { build, type Plugin } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Host providers standing in for the Moddable runtime modules. */
export const hostProviders: Record<string, string> = {
  "node:assert/strict": path.join(repoRoot, "tools/xs/assert-shim.ts"),
  "node:assert": path.join(repoRoot, "tools/xs/assert-shim.ts"),
};

export interface BundleOptions {
  /** Extra specifier → file aliases (e.g. embedded:io/spi → a model-backed provider). */
  aliases?: Record<string, string>;
  /** Source text to use as the entry instead of a file. */
  contents?: string;
  /** Directory the inline contents resolve from. */
  resolveDir?: string;
}

const NODE_BUILTIN = /^(node:|(fs|path|os|child_process|crypto|buffer|util|events|stream|process|worker_threads)(\/|$))/;

/** Maps the aliased specifiers, then fails the bundle if anything else reaches for Node's runtime. */
function xsModules(alias: Record<string, string>): Plugin {
  return {
    name: "xs-modules",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const target = alias[args.path];
        if (target) return { path: target };
        if (NODE_BUILTIN.test(args.path)) {
          return { errors: [{ text: `${args.path} is a Node built-in and does not exist in XS (imported by ${args.importer})` }] };
        }
        return undefined;
      });
    },
  };
}

export async function bundleForXs(entry: string, options: BundleOptions = {}): Promise<string> {
  const alias = { ...hostProviders, ...options.aliases };
  const result = await build({
    ...(options.contents !== undefined
      ? { stdin: { contents: options.contents, resolveDir: options.resolveDir ?? repoRoot, loader: "ts", sourcefile: entry } }
      : { entryPoints: [entry] }),
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["import", "default"],
    plugins: [xsModules(alias)],
    logLevel: "silent",
    legalComments: "none",
  });
  return result.outputFiles[0].text;
}
