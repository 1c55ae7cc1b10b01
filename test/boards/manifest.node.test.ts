// Keeps manifest.json and the gate board's manifest in step with the sources,
// without needing the Moddable SDK. Module names are repository paths
// ("src/core/crypto", "boards/esp32s3-gate/pins"), so a relative import means
// the same file in Node, esbuild and XS. mcconfig has no recursive wildcard:
// every folder needs its own "modules" entry, and every file an @noble import
// pulls in must be listed. These checks mirror how mcconfig names modules and
// how XS resolves specifiers at run time (".js" stripped, "./" and "../"
// against the importing module's name). The SDK build itself: docs/board-build.md.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";
import { FACE_MODEL_PARTITION, FACE_MODEL_PARTITION_BYTES } from "../../src/app/face-model-partition";
import { listFiles } from "../support/list-files";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const boardDir = join(root, "boards/esp32s3-gate");
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
const board = JSON.parse(readFileSync(join(boardDir, "manifest.json"), "utf8"));
// The gate board's SDK includes, and the root manifest's (every build of the firmware gets those).
const boardIncludes: string[] = [].concat(board.include ?? [], manifest.include ?? []);

/**
 * Modules the SDK provides rather than our manifests: the SDK manifest the
 * gate board must include for each, or "" when every Moddable platform has it
 * (mcconfig generates mc/config; the device and simulator manifests add timer and time).
 */
function sdkManifestFor(specifier: string): string | undefined {
  if (specifier === "mc/config" || specifier === "timer" || specifier === "time") return "";
  if (specifier === "embedded:io/image/in/camera") return "$(MODDABLE)/modules/io/imagein/camera/manifest.json";
  if (specifier.startsWith("embedded:")) return "$(MODDABLE)/modules/io/manifest.json";
  if (specifier === "flash") return "$(MODDABLE)/modules/files/flash/manifest.json";
  if (specifier === "preference") return "$(MODDABLE)/modules/files/preference/manifest.json";
  if (specifier === "wifi") return "$(MODDABLE)/modules/network/wifi/manifest.json";
  if (specifier === "net") return "$(MODDABLE)/modules/network/net/manifest.json";
  // Moddable's TLS under the hub link's TLS socket (src/app/tls-socket.ts).
  if (specifier.startsWith("ssl/") || specifier === "x509") return "$(MODDABLE)/modules/crypt/tls_419.json";
  return undefined;
}

const isModuleSource = (path: string) => /\.(ts|js)$/.test(path) && !path.endsWith(".d.ts");
const posix = (path: string) => path.split("\\").join("/");

/**
 * Import specifiers of a module as esbuild parses it (type-only imports vanish,
 * as under tsc). XS host functions (`function f() @ "xs_f";`) are not
 * JavaScript esbuild knows, so they become empty bodies first.
 */
function specifiers(path: string): string[] {
  const contents = readFileSync(path, "utf8").replace(/(\bfunction\s+[\w$]+\s*\([^)]*\))\s*@\s*"[^"]*"\s*;/g, "$1 {}");
  const result = buildSync({
    stdin: { contents, sourcefile: path, resolveDir: dirname(path), loader: path.endsWith(".ts") ? "ts" : "js" },
    bundle: true,
    write: false,
    metafile: true,
    external: ["*"],
    logLevel: "silent",
  });
  const inputs = Object.values(result.metafile.inputs);
  assert.equal(inputs.length, 1, `${path} should be the only input`);
  return inputs[0].imports.map((item) => item.original ?? item.path);
}

/** The module name XS gives `specifier` imported from module `from` (xsHosts.c fxFindModule). */
function xsResolve(specifier: string, from: string): string {
  const name = specifier.replace(/\.m?js$/, "");
  if (!name.startsWith("./") && !name.startsWith("../")) return name;
  const parts = from.split("/").slice(0, -1);
  for (const part of name.split("/")) {
    if (part === "..") {
      assert.ok(parts.length > 0, `${specifier} from ${from} climbs above the module root`);
      parts.pop();
    } else if (part !== ".") parts.push(part);
  }
  return parts.join("/");
}

/** Module name -> source file, as mcconfig's ModulesRule builds it from a manifest's "modules". */
function addModules(table: Map<string, string>, modules: Record<string, string | string[]>, manifestDir: string): void {
  for (const [target, sources] of Object.entries(modules)) {
    for (const source of ([] as string[]).concat(sources)) {
      if (!source.startsWith("./")) continue; // $(MODDABLE)/... entries are the SDK's
      const path = join(manifestDir, source);
      if (target.endsWith("/*") && source.endsWith("/*")) {
        const dir = dirname(path);
        if (!existsSync(dir)) continue;
        for (const name of readdirSync(dir)) {
          const file = join(dir, name);
          if (statSync(file).isFile() && isModuleSource(name)) table.set(target.slice(0, -1) + name.replace(/\.(ts|js)$/, ""), file);
        }
      } else {
        const name = target.endsWith("/*") ? target.slice(0, -1) + source.slice(source.lastIndexOf("/") + 1) : target;
        for (const ext of [".ts", ".js"]) if (existsSync(path + ext)) table.set(name, path + ext);
      }
    }
  }
}

const table = new Map<string, string>();
addModules(table, manifest.modules, root);
addModules(table, board.modules ?? {}, boardDir);

describe("manifest.json (Moddable)", () => {
  const srcFiles = listFiles(join(root, "src")).filter(isModuleSource);

  it("maps every src folder with modules under its own repository path", () => {
    const folders = new Set(srcFiles.map((f) => posix(relative(root, dirname(f)))));
    assert.ok(folders.has("src/core"));
    for (const folder of folders) {
      const entry = ([] as string[]).concat(manifest.modules[`${folder}/*`] ?? []);
      assert.ok(entry.includes(`./${folder}/*`), `manifest.json needs "${folder}/*": "./${folder}/*"`);
    }
  });

  it("gives every source file a module (the board's files through the board manifest)", () => {
    const sources = new Set(table.values());
    const boardFiles = readdirSync(boardDir).map((name) => join(boardDir, name)).filter(isModuleSource);
    for (const file of [...srcFiles, ...boardFiles]) assert.ok(sources.has(file), `${posix(relative(root, file))} is in no manifest`);
    for (const [name, file] of table) {
      if (!file.includes(`${join(root, "node_modules")}`) && !file.includes(join(root, "build")))
        assert.equal(name, posix(relative(root, file)).replace(/\.(ts|js)$/, ""), "module name must be the repository path");
    }
  });

  it("hands mcconfig's tsc every ambient declaration in src/types", () => {
    const types: string[] = manifest.typescript.tsconfig.compilerOptions.types;
    for (const name of readdirSync(join(root, "src/types")).filter((n) => n.endsWith(".d.ts")))
      assert.ok(types.includes(`./src/types/${name.slice(0, -5)}`), `typescript.tsconfig.compilerOptions.types needs ./src/types/${name.slice(0, -5)}`);
  });

  it("names an entry module that exists and exports a default function", () => {
    const main = manifest.creation?.main;
    assert.equal(typeof main, "string");
    const file = table.get(main);
    assert.ok(file, `creation.main "${main}" is not a module of the manifest`);
    assert.match(readFileSync(file, "utf8"), /export default function/);
  });

  it("lists every module reachable from the sources, including the files @noble imports", () => {
    const seen = new Set<string>();
    const queue = [...table.entries()].filter(([name]) => name.startsWith("src/") || name.startsWith("boards/"));
    while (queue.length) {
      const [name, file] = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const specifier of specifiers(file)) {
        const sdkManifest = sdkManifestFor(specifier);
        if (sdkManifest !== undefined) {
          if (sdkManifest) assert.ok(boardIncludes.includes(sdkManifest), `${posix(relative(root, file))} imports "${specifier}": boards/esp32s3-gate/manifest.json (or manifest.json) must include ${sdkManifest}`);
          continue;
        }
        const target = xsResolve(specifier, name);
        const next = table.get(target);
        assert.ok(next, `${posix(relative(root, file))} imports "${specifier}" = module "${target}", which no manifest lists`);
        queue.push([target, next]);
      }
    }
    assert.ok([...seen].some((name) => name.startsWith("@noble/")), "the core's @noble imports were not followed");
  });
});

describe("boards/esp32s3-gate/partitions.csv", () => {
  const flashSize = 8 * 1024 * 1024;
  const rows = readFileSync(join(boardDir, "partitions.csv"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [name, type, subtype, offset, size] = line.split(",").map((cell) => cell.trim());
      return { name, type, subtype, offset: Number(offset), size: Number(size) };
    });

  it("is referenced by the board manifest", () => {
    assert.equal(board.build.PARTITIONS_FILE, "./partitions.csv");
  });

  it("fits 8 MB flash with aligned, ordered, non-overlapping partitions", () => {
    let end = 0x9000; // bootloader and the partition table itself sit below
    for (const row of rows) {
      assert.ok(Number.isInteger(row.offset) && Number.isInteger(row.size) && row.size > 0, `${row.name}: explicit offset and size`);
      assert.ok(row.offset >= end, `${row.name} overlaps the partition before it`);
      assert.equal(row.offset % (row.type === "app" ? 0x10000 : 0x1000), 0, `${row.name} is misaligned`);
      end = row.offset + row.size;
    }
    assert.ok(end <= flashSize, `table ends at 0x${end.toString(16)}, past 8 MB`);
  });

  it("has a factory app and a raw data partition for the store", () => {
    assert.ok(rows.some((row) => row.type === "app" && row.subtype === "factory"));
    const storage = rows.find((row) => row.name === "storage");
    assert.ok(storage && storage.type === "data", "no data partition named storage");
    assert.equal(storage.size % 0x1000, 0, "store must be whole 4 KB flash sectors");
  });

  it("has the face model partition the firmware opens, of the size it expects, with a custom subtype", () => {
    const model = rows.find((row) => row.name === FACE_MODEL_PARTITION);
    assert.ok(model && model.type === "data", `no data partition named ${FACE_MODEL_PARTITION}`);
    assert.equal(model.size, FACE_MODEL_PARTITION_BYTES);
    assert.ok(Number(model.subtype) >= 0x40, "a custom data subtype, so no IDF component claims it");
    assert.notEqual(model.subtype, rows.find((row) => row.name === "storage")?.subtype, "not the store's subtype");
  });
});
