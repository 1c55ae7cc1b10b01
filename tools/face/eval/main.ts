// npm run eval:face -- <folder> [--model mobileface|faceres|mobilefacenet] [--no-flip] [--no-mesh] [--board] [--out <dir>]
// One sub-folder per person. Prints the evaluation as Markdown and writes
// report.md, det.svg (DET curve + score histograms) and thresholds.json to
// --out (default .eval/face/<model>/, gitignored). Runs offline: the models
// come from node_modules. --board measures the board's path instead (the int8
// kernel images from build/face-model, FaceMesh's five points, each photo in the
// board's QVGA RGB565 frame: tools/face-model/board-photos.ts); its
// thresholds go to tools/face/thresholds.ts as BOARD_FACE_THRESHOLDS. With
// --no-flip it leaves out the mirror embedding (a measurement: the board
// keeps it).
// --board-frame runs the float host pipeline on that same frame (the float
// reference for --board).
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DEFAULT_EMBEDDING_MODEL, embeddingModel } from "../embedding-models";
import { BoardFacePipeline } from "../../face-model/board-pipeline";
import { BoardPhotoEmbedder, FloatOnBoardFrame } from "../../face-model/board-photos";
import { FacePipeline } from "../face-pipeline";
import type { PhotoEmbedder } from "./evaluate";
import { readFaceFolder } from "./dataset";
import { embedFolder } from "./evaluate";
import { evaluateEmbeddings, markdownReport } from "./report";
import { evaluationSvg } from "./svg-charts";

const USAGE = "usage: npm run eval:face -- <folder of per-person sub-folders> [--model mobileface|faceres|mobilefacenet] [--no-flip] [--no-mesh] [--board | --board-frame] [--out <dir>]";

async function main(argv: string[]): Promise<void> {
  let folder: string | undefined;
  let model: string = DEFAULT_EMBEDDING_MODEL;
  let flip = true, mesh = true, board = false, boardFrame = false;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--model") model = argv[++i];
    else if (a === "--no-flip") flip = false;
    else if (a === "--no-mesh") mesh = false;
    else if (a === "--board") board = true;
    else if (a === "--board-frame") boardFrame = true;
    else if (a === "--out") out = argv[++i];
    else if (a === "--help" || a === "-h") { console.log(USAGE); return; }
    else if (!a.startsWith("--") && folder === undefined) folder = a;
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (!folder) throw new Error(USAGE);
  const spec = embeddingModel(model);
  const faces = readFaceFolder(folder);
  if (board && !mesh) throw new Error("--board is the board's path (FaceMesh in the kernel): no --no-mesh with it");
  if (board && boardFrame) throw new Error("--board and --board-frame are two different paths: one at a time");
  const pipeline: PhotoEmbedder = board ? new BoardPhotoEmbedder(BoardFacePipeline.load({ embedder: spec.id, mirror: flip })) : boardFrame ? new FloatOnBoardFrame(await FacePipeline.load(spec, { flip }, mesh)) : await FacePipeline.load(spec, { flip }, mesh);
  const embeddings = embedFolder(pipeline, faces);
  const label = board ? ` (board: int8 kernel, FaceMesh five points, QVGA RGB565 frame${flip ? "" : ", no mirror"})` : `${mesh ? "" : " (BlazeFace landmarks)"}${boardFrame ? " (float, in the board's QVGA RGB565 frame)" : ""}`;
  const evaluation = evaluateEmbeddings(embeddings, `${spec.id} v${spec.version}${label}`, flip);
  const report = markdownReport(evaluation, basename(folder));
  console.log(report);
  const dir = out ?? join(".eval", "face", board ? `${spec.id}-board${flip ? "" : "-no-flip"}` : boardFrame ? `${spec.id}-board-frame` : spec.id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "report.md"), report + "\n");
  const marks = [
    { label: `1:1 ≥ ${evaluation.thresholds.verify}`, threshold: evaluation.thresholds.verify },
    { label: `1:N ≥ ${evaluation.thresholds.identify}`, threshold: evaluation.thresholds.identify },
  ];
  writeFileSync(join(dir, "det.svg"), evaluationSvg(`${basename(folder)}: ${evaluation.model}`, [{ label: "float", points: evaluation.float.det }, { label: "int8 templates", points: evaluation.int8.det }], evaluation.float.scores, marks));
  writeFileSync(join(dir, "thresholds.json"), JSON.stringify({ model: spec.id, version: spec.version, flip, board, ...evaluation.thresholds }, null, 2) + "\n");
  console.log(`\nwrote ${join(dir, "report.md")}, ${join(dir, "det.svg")}, ${join(dir, "thresholds.json")}`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
