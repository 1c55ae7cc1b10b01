// Issue 13's corruption campaign inside XS (the engine the board runs), a
// deterministic few hundred images: every one serves, opens the exit, grants
// nothing the intact image denies, and reports DAMAGE whenever it dropped
// something. The same checks over at least 10,000 images: npm run bench corruption.
import assert from "node:assert/strict";
import { KINDS } from "./corruption-campaign";
import { runCampaignInXs } from "./corruption-xs";

describe("corruption campaign inside XS (a few hundred seeded images)", function () {
  this.timeout(900_000);

  it("200 damaged demo images and 56 damaged large-compound images, booted in XS", async () => {
    const counts = await runCampaignInXs({ demoImages: 200, largeImages: 56, residents: 120, seed: 2026 });
    assert.deepEqual(counts.failures, []);
    assert.equal(counts.images, 256);
    assert.equal(counts.serving, counts.images);
    assert.equal(counts.exitOpened, counts.images);
    assert.equal(counts.widened, 0);
    assert.equal(counts.droppedReported, counts.dropped);
    assert.ok(counts.dropped > 0, JSON.stringify(counts));
    for (const kind of KINDS) assert.ok((counts.byKind[kind] ?? 0) > 0, kind);
  });
});
