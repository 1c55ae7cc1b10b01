// Face: synthetic FMR/FNMR (simulation — boards/host/synthetic-embedder.ts, 512-d,
// default spreads) for 1:1 and for 1:N at 100 and 1,000 templates, with and
// without the top-2 margin rule; cost of one face session in XS; and the
// scripted day of 10,000 events (camera-on time vs session windows, leak scan).
import { nsPerCall, xsComputrons, type BenchRow, type BenchSuite } from "../harness";
import { SyntheticEmbedder } from "../../../boards/host/synthetic-embedder";
import { templateFromCaptures } from "../../../src/core/face/template";
import { DEFAULT_THRESHOLDS } from "../../../src/core/face/face-session";
import { cosineToScore } from "../../../src/core/matcher/quantise";
import { TsMatcher } from "../../../src/core/matcher/ts-matcher";
import { quantise } from "../../../src/core/matcher/quantise";
import { runScriptedDay } from "../../../test/core/face/scripted-day";
import { LeakScanner } from "../../../test/core/face/leak-scan";

const D = 512;
/** Two synthetic populations: the default spreads, and a hard one whose strangers look more alike (cosine sd 0.15). */
const populations = { default: new SyntheticEmbedder({ dimension: D }), hard: new SyntheticEmbedder({ dimension: D, impostorSpread: 0.15 }) };
let embedder = populations.default;

function enrol(matcher: TsMatcher, count: number): void {
  for (let id = 1; id <= count; id++) {
    const captures = Array.from({ length: 5 }, (_, c) => {
      const e = new Float32Array(D);
      embedder.capture(id, c, e);
      return e;
    });
    matcher.load(id - 1, templateFromCaptures(captures, D).values);
  }
}

function probe(identity: number, capture: number): Int8Array {
  const e = new Float32Array(D), q = new Int8Array(D);
  embedder.capture(identity, capture, e);
  quantise(e, q);
  return q;
}

const pct = (k: number, n: number) => (100 * k) / n;

function oneToOne(): BenchRow[] {
  const N = 200, GENUINE = 2000, IMPOSTOR = 20000;
  const m = new TsMatcher(D, N);
  enrol(m, N);
  const genuine: number[] = [], impostor: number[] = [];
  for (let k = 0; k < GENUINE; k++) genuine.push(m.verify(k % N, probe(1 + (k % N), 100 + k)));
  for (let k = 0; k < IMPOSTOR; k++) {
    // Half strangers, half other enrolled residents claiming someone else's card.
    const identity = k % 2 ? 1_000_000 + k : 1 + ((k + 1 + (k % (N - 1))) % N);
    const slot = k % N;
    if (identity === slot + 1) continue;
    impostor.push(m.verify(slot, probe(identity, 50_000 + k)));
  }
  const rows: BenchRow[] = [];
  for (const cos of [0.3, 0.36, DEFAULT_THRESHOLDS.verify, 0.5]) {
    const t = cosineToScore(cos);
    const fm = impostor.filter((s) => s >= t).length, fnm = genuine.filter((s) => s < t).length;
    rows.push({ case: `1:1 cos≥${cos}: FMR (${impostor.length.toLocaleString("en-US")} impostor)`, value: pct(fm, impostor.length), unit: "%", note: `${fm} false matches${cos === DEFAULT_THRESHOLDS.verify ? "; default" : ""}` });
    rows.push({ case: `1:1 cos≥${cos}: FNMR (${GENUINE.toLocaleString("en-US")} genuine)`, value: pct(fnm, GENUINE), unit: "%", note: `${fnm} false non-matches` });
  }
  return rows;
}

interface Scan { best: number; bestScore: number; secondScore: number; truth: number }

function oneToN(n: number, genuineCount: number, impostorCount: number): BenchRow[] {
  const m = new TsMatcher(D, n);
  enrol(m, n);
  const scans: Scan[] = [];
  const record = (q: Int8Array, truth: number) => {
    const r = m.scan(q, n);
    scans.push({ best: r.bestIndex, bestScore: r.bestScore, secondScore: r.secondIndex < 0 ? -Infinity : r.secondScore, truth });
  };
  for (let k = 0; k < genuineCount; k++) record(probe(1 + (k % n), 200_000 + k), k % n);
  for (let k = 0; k < impostorCount; k++) record(probe(2_000_000 + k, 1), -1);
  const rows: BenchRow[] = [];
  // Thresholds around the defaults, each once, with and without the margin rule.
  const cosines = [...new Set([0.36, DEFAULT_THRESHOLDS.verify, 0.5, DEFAULT_THRESHOLDS.identify])].sort((x, y) => x - y);
  const policies: [number, number][] = cosines.flatMap((cos): [number, number][] => [[cos, 0], [cos, DEFAULT_THRESHOLDS.margin]]);
  for (const [cos, margin] of policies) {
    const t = cosineToScore(cos), mg = cosineToScore(margin);
    const accept = (s: Scan) => s.bestScore >= t && s.bestScore - s.secondScore >= mg;
    const genuine = scans.filter((s) => s.truth >= 0), impostor = scans.filter((s) => s.truth < 0);
    const fm = impostor.filter(accept).length;
    const wrong = genuine.filter((s) => accept(s) && s.best !== s.truth).length;
    const fnm = genuine.filter((s) => !(accept(s) && s.best === s.truth)).length;
    const label = `${embedder === populations.hard ? "hard " : ""}1:N@${n.toLocaleString("en-US")} cos≥${cos}${margin ? ` +margin ${margin}` : " no margin"}`;
    const isDefault = cos === DEFAULT_THRESHOLDS.identify && margin === DEFAULT_THRESHOLDS.margin;
    rows.push({ case: `${label}: FMR (${impostor.length.toLocaleString("en-US")} strangers)`, value: pct(fm, impostor.length), unit: "%", note: `${fm} false matches${isDefault ? "; default" : ""}` });
    rows.push({ case: `${label}: FNMR (${genuine.length.toLocaleString("en-US")} genuine)`, value: pct(fnm, genuine.length), unit: "%", note: `${wrong} matched as the wrong resident` });
  }
  return rows;
}

function scriptedDay(): BenchRow[] {
  const start = process.hrtime.bigint();
  const day = runScriptedDay(10_000);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const log = day.w.camera.log.slice(day.dayLogStart);
  let cameraOn = 0;
  for (let i = 0; i < log.length; i += 2) cameraOn += log[i + 1].at - log[i].at;
  const windows = day.results.reduce((s, r) => s + r.cameraOffAt - r.cameraOnAt, 0);
  const scanner = new LeakScanner();
  for (const bytes of day.outputs) scanner.indexOutput(bytes);
  let hits = 0;
  for (const s of day.secrets) hits += scanner.hits(s.bytes, s.stride);
  const s = day.stats;
  return [
    { case: "scripted day: events (card/PIN/face/other gate/withdrawal)", value: 10_000, unit: "events", note: `${s.card}/${s.pin}/${s.face}/${s.southKey}/${s.withdrawals}; ${ms.toFixed(0)} ms in Node` },
    { case: "scripted day: camera-on time from the camera's power log", value: cameraOn, unit: "ms", baseline: windows, baselineName: "sum of face-session windows", note: `${day.results.length} sessions` },
    { case: "scripted day: camera power-ons at the gate with no consenting resident", value: day.southCamera.log.length, unit: "events", note: `${s.southKey} face-key presses there` },
    { case: "scripted day: secret windows found in store/log/console bytes", value: hits, unit: "hits", note: `${scanner.bytesIndexed.toLocaleString("en-US")} output bytes, ${day.secrets.length.toLocaleString("en-US")} frames/embeddings/probes/templates` },
    { case: "scripted day: genuine face sessions matched", value: pct(s.genuineMatched, s.genuine), unit: "%", note: `${s.falseMatches} false matches, ${s.withdrawnMatched} after withdrawal` },
  ];
}

async function sessionCost(): Promise<BenchRow[]> {
  const imports = `import { consentAndEnrol, faceWorld, runFace } from "./test/core/face/face-fakes";`;
  const setup = `const w = faceWorld({ dimension: 512, capacity: 100 });
w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
for (let r = 0; r < 100; r++) consentAndEnrol(w, "r-" + r, r + 1);`;
  const xs = await xsComputrons({ imports, setup, op: `runFace(w, { kind: "face", identity: 1 + (i % 100) });`, n: 5 });
  const key = await xsComputrons({ imports, setup: setup.replace("r < 100", "r < 1"), op: `w.session.faceKey(w.clock.now, undefined); w.session.cancel(w.clock.now);`, n: 20 });
  const mod = await import("../../../test/core/face/face-fakes");
  const w = mod.faceWorld({ dimension: 512, capacity: 100 });
  w.notices.publish({ purpose: "p", method: "m", gates: ["north"], retentionDays: 30 }, w.clock.now);
  for (let r = 0; r < 100; r++) mod.consentAndEnrol(w, `r-${r}`, r + 1);
  let i = 0;
  const ns = nsPerCall(() => mod.runFace(w, { kind: "face", identity: 1 + (i++ % 100) }), 200);
  return [
    { case: "face session 1:N over 100×512 (capture, embed, quantise, scan, zero) in XS", value: xs, unit: "computrons", note: "synthetic embedder + TS reference matcher; ESP-DL inference not included" },
    { case: "face key + cancel (camera on/off bookkeeping) in XS", value: key, unit: "computrons" },
    { case: "face session 1:N over 100×512 in Node", value: ns, unit: "ns" },
  ];
}

const suite: BenchSuite = {
  name: "face",
  async run() {
    embedder = populations.default;
    const normal = [...oneToOne(), ...oneToN(100, 2000, 5000), ...oneToN(1000, 1000, 3000)];
    embedder = populations.hard;
    const hard = [...oneToN(100, 1000, 3000), ...oneToN(1000, 1000, 3000)];
    return [...normal, ...hard, ...scriptedDay(), ...(await sessionCost())];
  },
};
export default suite;
