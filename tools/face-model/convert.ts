// Model image build: packaged tfjs graph + committed calibration table →
// build/face-model/<id>.ogfk and a manifest <id>.json (the model reference
// templates will record: id, version, quantisation version, SHA-256, and the
// sizes for the docs). Deterministic: same package + table → same bytes.
// Runs in `npm run build`; needs no faces and no tfjs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { sha256, toHex } from "../../src/core/crypto";
import { equalise } from "./equalise";
import { readHeader } from "./image-format";
import { calibrationFile, faceModelDir, imageFile, kernelModelIds, lowerModel, manifestFile } from "./models";
import { quantiseNetwork, type Calibration } from "./quantise";

export interface FaceModelManifest {
  id: string;
  modelVersion: number;
  quantVersion: number;
  bytes: number;
  crc32: string;
  sha256: string;
  macs: number;
  arenaBytes: number;
  weightBytes: number;
  parameters: number;
  layers: number;
  outputDim: number;
  outputs: number[];
  outputScale: number;
  calibration: string;
}

export function convertModel(id: string): { image: Uint8Array; manifest: FaceModelManifest } {
  const { model: spec, net } = lowerModel(id);
  const calibration = JSON.parse(readFileSync(calibrationFile(id), "utf8")) as Calibration;
  if (calibration.model !== id || calibration.modelVersion !== spec.version) throw new Error(`${calibrationFile(id)} was measured for ${calibration.model} v${calibration.modelVersion}, not ${id} v${spec.version}; recalibrate`);
  const q = quantiseNetwork(net, spec.equalise ? equalise(net, calibration).calibration : calibration, spec.version, { border: spec.border });
  const h = readHeader(q.image);
  const manifest: FaceModelManifest = {
    id,
    modelVersion: spec.version,
    quantVersion: q.spec.quantVersion,
    bytes: q.image.length,
    crc32: h.crc.toString(16).padStart(8, "0"),
    sha256: toHex(sha256(q.image)),
    macs: h.macs,
    arenaBytes: h.arenaBytes,
    weightBytes: q.weightBytes,
    parameters: net.layers.reduce((n, l) => n + l.weights.length + (l.op === "add" ? 0 : l.bias.length), 0),
    layers: net.layers.length,
    outputDim: h.outputDim,
    outputs: h.outputs.map((o) => o.length),
    outputScale: h.outputScale,
    calibration: `${calibration.source} (${calibration.crops} crops)`,
  };
  return { image: q.image, manifest };
}

/** Converts every model with a calibration table; returns the ids written. */
export function writeFaceModels(): string[] {
  mkdirSync(faceModelDir, { recursive: true });
  const written = kernelModelIds().filter((id) => existsSync(calibrationFile(id)));
  for (const id of written) {
    const { image, manifest } = convertModel(id);
    writeFileSync(imageFile(id), image);
    writeFileSync(manifestFile(id), `${JSON.stringify(manifest, null, 1)}\n`);
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) writeFaceModels();
