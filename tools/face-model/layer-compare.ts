// npm run face-model:layer-compare -- [--faces <orl>] [--bias total|weights] [--rounds n] [--write] [--board]
// The embedder (mobileface) int8 against float, tensor by tensor, on the float
// pipeline's aligned crops (face + mirror) of ORL: mean cosine on the
// calibration subjects s1–s20 and on the held-out s21–s40, the worst crop,
// and the share of float values the calibrated range clips (layer-study.ts).
// --bias computes the empirical bias correction on s1–s20 only (n rounds,
// each measured with the previous one in place) and prints the same table
// with it; --write stores it in the calibration table (numbers only), which
// the converter applies. --board also measures the board's path
// (board-study.ts) with the committed image and with the corrected one,
// against float in the same QVGA RGB565 frame: FNMR at FMR 1e-3 / 1e-4 on all
// 40 subjects and on each half, and the paired difference with a bootstrap
// interval over subjects. Slow on a shared machine (the float side is plain
// JavaScript): about 15 minutes with --bias and --board here.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { embeddingModel } from "../face/embedding-models";
import { FacePipeline } from "../face/face-pipeline";
import { readFaceFolder } from "../face/eval/dataset";
import { readImageFile } from "../face/image-file";
import { cosine as vectorCosine } from "../face/eval/scores";
import { FloatOnBoardFrame } from "./board-photos";
import { embedViews, pairedBootstrap, ratesFor, recordBoardViews, templateScores, type Rates } from "./board-study";
import { defaultFaces, formatCalibration } from "./calibrate";
import { folderCrops, orlSubject } from "./crops";
import { readModelImage } from "./face-kernel";
import { biasCorrection, layerStudy, StudyKernel, type BiasMode, type LayerStats } from "./layer-study";
import { calibrationFile, lowerModel } from "./models";
import { quantiseNetwork, type Calibration } from "./quantise";

const ID = "mobileface";
const heldOut = (name: string) => orlSubject(name) > 20;

function table(stats: LayerStats[]): string {
  const rows = stats.map((s) => `| ${s.tensor} | ${s.name} | ${s.op} | ${s.shape} | ${s.cosine.map((c) => c.toFixed(5)).join(" / ")} | ${s.minCosine.toFixed(4)} | ${(100 * s.clipped).toFixed(3)} % |`);
  return ["| tensor | layer | op | shape | mean cosine s1–s20 / s21–s40 | min | clipped |", "| --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

const rounded = (r: Record<string, number[]>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map((x) => Number(x.toPrecision(6)))]));

async function main(argv: string[]): Promise<void> {
  let faces = defaultFaces(), mode: BiasMode | undefined, rounds = 2, write = false, board = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--faces") faces = argv[++i];
    else if (a === "--bias") mode = argv[++i] as BiasMode;
    else if (a === "--rounds") rounds = Number(argv[++i]);
    else if (a === "--write") write = true;
    else if (a === "--board") board = true;
    else throw new Error(`unknown argument ${a}; usage: npm run face-model:layer-compare -- [--faces <orl>] [--bias total|weights] [--rounds n] [--write] [--board]`);
  }
  if (mode && mode !== "total" && mode !== "weights") throw new Error(`--bias takes total or weights, not ${mode}`);
  if (!existsSync(faces)) throw new Error(`no faces at ${faces} (../shared/faces/orl or OPTGATE_FACES)`);
  const { model, net } = lowerModel(ID);
  const committed = JSON.parse(readFileSync(calibrationFile(ID), "utf8")) as Calibration;
  const base: Calibration = { ...committed, biasCorrection: undefined };
  const folder = readFaceFolder(faces);
  const spec = embeddingModel(ID);
  const pipeline = await FacePipeline.load(spec, { flip: true });
  const started = performance.now();
  const progress = (what: string) => process.stderr.write(`${((performance.now() - started) / 1000).toFixed(0)} s: ${what}\n`);
  const { crops } = folderCrops(pipeline, folder);
  progress(`${crops.length} photos aligned`);
  // Calibration crops (s1–s20, face + mirror, as calibrate.ts) give the bias
  // correction; the tables compare on the face crops of odd-numbered images
  // of both halves (100 + 100: enough for a mean cosine, and the float side
  // in plain JavaScript is slow).
  const inHalf = (c: (typeof crops)[number], second: boolean) => heldOut(folder.people[c.person].name) === second;
  const calibrationCrops = crops.filter((c) => inHalf(c, false)).flatMap((c) => c.crops);
  const sample = (second: boolean) => crops.filter((c) => inHalf(c, second)).filter((_, i) => i % 2 === 0).map((c) => c.crops[0]);
  const tableCrops = [...sample(false), ...sample(true)];
  const tableGroup = (i: number) => (i < tableCrops.length / 2 ? 0 : 1);
  const study = (cal: Calibration, on: Uint8Array[], group: (i: number) => number, patchesFrom?: (i: number) => boolean) => layerStudy(net, new StudyKernel(net, cal, model.version, model.border), on, group, 2, patchesFrom);

  // Round 1 measures the committed calibration's table and the first correction in one pass.
  const first = study(base, [...calibrationCrops, ...tableCrops.slice(tableCrops.length / 2)], (i) => (i < calibrationCrops.length ? 0 : 1), (i) => i < calibrationCrops.length);
  console.log(`## ${ID}: int8 against float per tensor (calibration as committed, no bias correction; ${calibrationCrops.length} s1–s20 face + mirror crops / ${tableCrops.length / 2} s21–s40 face crops)\n`);
  console.log(table(first.stats));
  progress("per-tensor table");

  let candidate: Calibration | undefined;
  if (mode) {
    let cal: Calibration = { ...base, biasCorrection: rounded(biasCorrection(net, first.patches, mode)) };
    progress("bias correction round 1");
    for (let r = 1; r < rounds; r++) {
      const { patches } = study(cal, calibrationCrops, () => 0);
      cal = { ...base, biasCorrection: rounded(biasCorrection(net, patches, mode)) };
      progress(`bias correction round ${r + 1}`);
    }
    candidate = cal;
    console.log(`\n## with bias correction (${mode}, ${rounds} rounds, measured on s1–s20; table on ${tableCrops.length / 2} + ${tableCrops.length / 2} face crops)\n`);
    console.log(table(study(cal, tableCrops, tableGroup).stats));
    progress("per-tensor table with the correction");
    if (write) {
      writeFileSync(calibrationFile(ID), formatCalibration({ ...committed, biasCorrection: cal.biasCorrection, source: `${committed.source.replace(/; bias correction.*$/, "")}; bias correction (${mode}, ${rounds} rounds) on the same crops` }));
      console.log(`\nwrote the bias correction into ${calibrationFile(ID)}`);
    }
  }
  const all = crops.flatMap((c) => c.crops);
  for (const c of all) c.fill(0);

  if (board) {
    const records = recordBoardViews(folder);
    progress("board path recorded");
    const floatBoard = new FloatOnBoardFrame(await FacePipeline.load(spec, { flip: true }));
    const floats = records.map((r) => floatBoard.embedImage(readImageFile(r.file)));
    const kept = records.filter((_, i) => floats[i].outcome === "ok");
    progress("float on the board frame");
    const floatEmb = floats.flatMap((f) => (f.outcome === "ok" ? [f.embedding] : []));
    const persons = kept.map((r) => r.person);
    const n = floatEmb.length;
    const floatScores = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) floatScores[i * n + j] = floatScores[j * n + i] = vectorCosine(floatEmb[i], floatEmb[j]);
    const everyone = folder.people.map((_, p) => p);
    const second = everyone.filter((p) => heldOut(folder.people[p].name));
    const firstHalf = everyone.filter((p) => !heldOut(folder.people[p].name));
    const pct = (r: Rates) => `${(100 * r.fnmr1e3).toFixed(2)} % / ${(100 * r.fnmr1e4).toFixed(2)} % (t ${r.threshold1e4.toFixed(3)})`;
    const pp = (x: { value: number; low: number; high: number }) => `${x.value >= 0 ? "+" : ""}${x.value.toFixed(2)} [${x.low.toFixed(2)}, ${x.high.toFixed(2)}]`;
    console.log(`\n## board's path (${kept.length} photos; ${records.length - kept.length} without a float face), FNMR @ FMR 1e-3 / 1e-4\n`);
    console.log("| embedding | all 40 | s1–s20 | s21–s40 | int8 − float, points @ 1e-3 (95 % bootstrap) | @ 1e-4 |\n| --- | --- | --- | --- | --- | --- |");
    console.log(`| float, board frame (float scores) | ${pct(ratesFor(floatScores, persons, everyone))} | ${pct(ratesFor(floatScores, persons, firstHalf))} | ${pct(ratesFor(floatScores, persons, second))} | | |`);
    const variants: [string, Uint8Array][] = [["committed image", readModelImage(ID)]];
    if (candidate) variants.push([`bias correction (${mode})`, quantiseNetwork(net, candidate, model.version, { border: model.border }).image]);
    for (const [label, image] of variants) {
      const scores = templateScores(embedViews(image, kept));
      const b = pairedBootstrap(scores, floatScores, persons, everyone);
      console.log(`| ${label}, int8 templates | ${pct(ratesFor(scores, persons, everyone))} | ${pct(ratesFor(scores, persons, firstHalf))} | ${pct(ratesFor(scores, persons, second))} | ${pp(b.at1e3)} | ${pp(b.at1e4)} |`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
