// Issue 13's corruption campaign in full: at least 10,000 damaged images of
// flash the firmware itself wrote (the demo compound, and a compound of 400
// residents), each booted inside XS on the host board (test/app/corruption-xs.ts,
// checks in test/app/corruption-campaign.ts). Counts, not ratios: every image
// must serve, open the exit and grant nothing the intact image denies, and
// every image that dropped something must say DAMAGE. Cost per image in XS
// computrons (boot, exit press and the credential probes).
import type { BenchRow, BenchSuite } from "../harness";
import { runCampaignInXs } from "../../../test/app/corruption-xs";

const DEMO_IMAGES = 8000;
const LARGE_IMAGES = 2000;

const suite: BenchSuite = {
  name: "corruption",
  async run(): Promise<BenchRow[]> {
    const started = performance.now();
    let reported = 0;
    const c = await runCampaignInXs({
      demoImages: DEMO_IMAGES, largeImages: LARGE_IMAGES, residents: 400, seed: 13013,
      onProgress: (done, total, c) => {
        if (done - reported < 1000 && done !== total) return;
        reported = done;
        process.stderr.write(`corruption: ${done} of ${total} images: serving ${c.serving}, exit opened ${c.exitOpened}, widened ${c.widened}, dropped ${c.dropped} (DAMAGE ${c.droppedReported}), DAMAGE in all ${c.reported}, failures ${c.failures.length}\n`);
      },
    });
    const seconds = Math.round((performance.now() - started) / 1000);
    const kinds = Object.keys(c.byKind).sort().map((k) => `${k} ${c.byKind[k]}`).join(", ");
    const failures = c.failures.length ? `; first failures: ${c.failures.slice(0, 3).join(" / ")}` : "";
    return [
      { case: "damaged images booted in XS", value: c.images, unit: "images", target: ">= 10,000", note: `${DEMO_IMAGES} demo, ${LARGE_IMAGES} large (400 residents); ${kinds}; ${seconds} s on 2 workers` },
      { case: "images that reached a serving state", value: c.serving, unit: "images", baseline: c.images, baselineName: "images", target: "all" },
      { case: "images where the exit button opened the strike", value: c.exitOpened, unit: "images", baseline: c.images, baselineName: "images", target: "all" },
      { case: "images granting a credential the intact image denies", value: c.widened, unit: "images", target: "0", note: `probes per image: 9 (demo), 11 (large): cards, revoked cards, PINs right and wrong, a visitor code, a face${failures}` },
      { case: "images that dropped something and reported DAMAGE", value: c.droppedReported, unit: "images", baseline: c.dropped, baselineName: "images that dropped something", target: "all", note: `${c.reported} images reported DAMAGE in all` },
      { case: "XS cost per damaged image (boot, exit, probes)", value: c.computronsPerImage, unit: "computrons" },
    ];
  },
};

export default suite;
