// Technician console: what one typed line costs, against just feeding its
// bytes through the line editor (the floor any console pays), and what a
// login costs (one HMAC-SHA256 check) against a bare SHA-256. Node in ns, XS
// in computrons. Backend: the in-memory one the console tests use, so the
// figures are the console's own work, not the registry's.
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { bundleForXs, repoRoot } from "../../xs/bundle";
import { runScriptInXs } from "../../xs/run";
import { LineEditor } from "../../../src/core/console/line-editor";
import { checkPassword, makeTechnician } from "../../../src/core/console/technicians";
import { sha256 } from "../../../src/core/crypto";
import { Rig, PASSWORD } from "../../../test/core/console/harness";

const LINE = "resident show R00001 --json\r";
const ADD = "resident add --unit 3-1202 --role renter --until +6m --groups all --card 04A1B2C3\r";

const imports = `import { Rig } from "./test/core/console/harness";
import { LineEditor } from "./src/core/console/line-editor";
import { checkPassword, makeTechnician } from "./src/core/console/technicians";
import { sha256 } from "./src/core/crypto";`;
const setup = `const rig = new Rig(); rig.login();
rig.backend.residentAdd("bench", { unit: "1", role: "owner", validFrom: null, validUntil: null, groups: [], card: "0A0B0C0D", pin: null });
const editor = new LineEditor(() => {});
const feed = (s) => { for (let k = 0; k < s.length; k++) editor.feed(s.charCodeAt(k)); };
const key = new Uint8Array(32).fill(1);
const tech = makeTechnician(key, { fill: (b) => b.fill(3) }, "t", "password-1", "installer");
const block = new Uint8Array(64);`;

const suite: BenchSuite = {
  name: "console",
  async run(): Promise<BenchRow[]> {
    const rig = new Rig();
    rig.login();
    rig.backend.residentAdd("bench", { unit: "1", role: "owner", validFrom: null, validUntil: null, groups: [], card: "0A0B0C0D", pin: null });
    const editor = new LineEditor(() => undefined);
    const feed = (s: string) => { for (let k = 0; k < s.length; k++) editor.feed(s.charCodeAt(k)); };
    const key = new Uint8Array(32).fill(1);
    const tech = makeTechnician(key, { fill: (b) => b.fill(3) }, "t", "password-1", "installer");
    const block = new Uint8Array(64);

    const nodeLine = nsPerCall(() => { rig.console.receive(LINE); rig.output = ""; }, 2000);
    const nodeEditor = nsPerCall(() => feed(LINE), 20_000);
    const nodeLogin = nsPerCall(() => checkPassword(key, tech, PASSWORD), 2000);
    const nodeSha = nsPerCall(() => sha256(block), 20_000);
    const xsLine = await xsComputrons({ imports, setup, op: `rig.console.receive(${JSON.stringify(LINE)}); rig.output = "";`, n: 20 });
    const xsAdd = await xsComputrons({ imports, setup, op: `rig.console.receive(${JSON.stringify(ADD.replace("04A1B2C3", "04A1B2"))} + (10 + i) + "\\r"); rig.output = "";`, n: 20 });
    const xsEditor = await xsComputrons({ imports, setup, op: `feed(${JSON.stringify(LINE)});`, n: 20 });
    const xsLogin = await xsComputrons({ imports, setup, op: `checkPassword(key, tech, "password-1");`, n: 10 });
    const xsSha = await xsComputrons({ imports, setup, op: `sha256(block);`, n: 10 });
    // What the command table and a started console hold in the XS heap (slots), against an empty script.
    const heap = async (contents: string) => {
      const script = await bundleForXs("console-heap.ts", { contents, resolveDir: repoRoot });
      return (await runScriptInXs(script)).meter.currentHeapCount;
    };
    const empty = await heap("globalThis.x = 1;");
    const table = await heap(`import { allCommands } from "./src/core/console/commands/index"; globalThis.x = allCommands;`);
    return [
      { case: "console command table in the XS heap", value: table - empty, unit: "slots", note: `${empty} slots for an empty script; Moddable preload would move it to flash` },
      { case: `console line "${LINE.trim()}" in XS`, value: xsLine, unit: "computrons", baseline: xsEditor, baselineName: "its bytes through the line editor only" },
      { case: "console line \"resident add ... --card\" in XS", value: xsAdd, unit: "computrons", baseline: xsEditor, baselineName: "line editor only (short line)" },
      { case: `console line "${LINE.trim()}" in Node`, value: nodeLine, unit: "ns", baseline: nodeEditor, baselineName: "line editor only" },
      { case: "technician password check (HMAC-SHA256) in XS", value: xsLogin, unit: "computrons", baseline: xsSha, baselineName: "one SHA-256 block" },
      { case: "technician password check (HMAC-SHA256) in Node", value: nodeLogin, unit: "ns", baseline: nodeSha, baselineName: "one SHA-256 block" },
    ];
  },
};
export default suite;
