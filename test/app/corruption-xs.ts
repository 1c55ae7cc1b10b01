// Node side of the corruption campaign inside XS: each xsnap worker builds the
// intact images with the firmware (test/app/corruption-campaign.test.ts's
// bases) and then boots damaged copies in batches the Node side hands out, so
// no single XS delivery runs past the computron meter. Two workers: the CI
// machine has two cores. Used by corruption-campaign.node.test.ts (a few
// hundred images) and `npm run bench corruption` (at least 10,000).
import { bundleForXs, repoRoot } from "../../tools/xs/bundle";
import { XsWorker } from "../../tools/xs/xsnap";
import type { CampaignCounts } from "./corruption-campaign";

const BATCH = 10;

const ENTRY = `
import { demoBase, emptyCounts, largeBase, runCampaign } from "./test/app/corruption-campaign";
const bases = {};
globalThis.handleCommand = (message) => {
  const m = JSON.parse(String.fromCharCode(...new Uint8Array(message)));
  if (m.setup) {
    bases.demo = demoBase();
    bases.large = largeBase(m.setup.residents);
    return new TextEncoder().encode(JSON.stringify({ demo: bases.demo.grants, large: bases.large.grants })).buffer;
  }
  const counts = runCampaign(bases[m.base], m.seed, m.from, m.to, emptyCounts());
  return new TextEncoder().encode(JSON.stringify(counts)).buffer;
};
`;

export interface XsCampaignOptions {
  demoImages: number;
  largeImages: number;
  /** Residents in the large compound. */
  residents: number;
  seed: number;
  workers?: number;
  onProgress?: (done: number, total: number, counts: CampaignCounts) => void;
}

export interface XsCampaignResult extends CampaignCounts {
  /** Computrons spent in XS (all workers), and per image. */
  computrons: number;
  computronsPerImage: number;
}

export function addCounts(into: CampaignCounts, add: CampaignCounts): CampaignCounts {
  into.images += add.images;
  for (const kind of Object.keys(add.byKind)) into.byKind[kind] = (into.byKind[kind] ?? 0) + add.byKind[kind];
  into.serving += add.serving;
  into.exitOpened += add.exitOpened;
  into.widened += add.widened;
  into.dropped += add.dropped;
  into.droppedReported += add.droppedReported;
  into.reported += add.reported;
  into.failures.push(...add.failures.slice(0, Math.max(0, 20 - into.failures.length)));
  return into;
}

export async function runCampaignInXs(o: XsCampaignOptions): Promise<XsCampaignResult> {
  const script = await bundleForXs("corruption-xs-entry.ts", { contents: ENTRY, resolveDir: repoRoot });
  const jobs: { base: string; seed: number; from: number; to: number }[] = [];
  for (let i = 0; i < o.demoImages; i += BATCH) jobs.push({ base: "demo", seed: o.seed, from: i, to: Math.min(o.demoImages, i + BATCH) });
  for (let i = 0; i < o.largeImages; i += BATCH) jobs.push({ base: "large", seed: o.seed + 1, from: i, to: Math.min(o.largeImages, i + BATCH) });
  const total: XsCampaignResult = { images: 0, byKind: {}, serving: 0, exitOpened: 0, widened: 0, dropped: 0, droppedReported: 0, reported: 0, failures: [], computrons: 0, computronsPerImage: 0 };
  const decoder = new TextDecoder();
  let campaignComputrons = 0;
  // A worker that stops (a hang running past the meter, a crash) costs the batch it ran: those
  // images count as failed, and a fresh worker takes the next batch.
  const start = async (): Promise<XsWorker> => {
    const worker = new XsWorker({ meteringLimit: 4_000_000_000 });
    await worker.evaluate(script);
    const setup = await worker.command(JSON.stringify({ setup: { residents: o.residents } }));
    total.computrons += setup.meter.compute;
    return worker;
  };
  await Promise.all(Array.from({ length: o.workers ?? 2 }, async () => {
    let worker = await start();
    try {
      for (let job = jobs.shift(); job; job = jobs.shift()) {
        try {
          const reply = await worker.command(JSON.stringify(job));
          total.computrons += reply.meter.compute;
          campaignComputrons += reply.meter.compute;
          addCounts(total, JSON.parse(decoder.decode(reply.result)) as CampaignCounts);
        } catch (error) {
          const n = job.to - job.from;
          addCounts(total, {
            images: n, byKind: { "worker stopped": n }, serving: 0, exitOpened: 0, widened: 0, dropped: n, droppedReported: 0, reported: 0,
            failures: [`${job.base} #${job.from}-${job.to - 1}: ${error instanceof Error ? error.message : String(error)}`],
          });
          await worker.close();
          worker = await start();
        }
        o.onProgress?.(total.images, o.demoImages + o.largeImages, total);
      }
    } finally {
      await worker.close();
    }
  }));
  total.computronsPerImage = total.images ? Math.round(campaignComputrons / total.images) : 0;
  return total;
}
