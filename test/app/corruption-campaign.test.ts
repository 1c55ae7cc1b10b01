// Issue 13's corruption campaign, the deterministic subset npm test runs (in
// Node, and inside XS, where the firmware runs on the board). The full
// campaign (at least 10,000 images, booted in XS) is `npm run bench corruption`;
// corruption-campaign.node.test.ts boots a few hundred inside XS, in batches.
// What each image is checked for: test/app/corruption-campaign.ts.
import assert from "node:assert/strict";
import { corrupt, demoBase, emptyCounts, KINDS, largeBase, runCampaign } from "./corruption-campaign";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const DEMO_IMAGES = XS ? 24 : 320;
const LARGE_IMAGES = XS ? 8 : 96;
const SEED = 13;

describe("corruption campaign (subset): every damaged image serves, opens the exit, grants nothing new, reports what it dropped", function () {
  this.timeout(600_000);

  it("the bases are what they should be: intact images grant their residents and refuse the rest", () => {
    const demo = demoBase();
    assert.deepEqual(demo.grants, [true, true, true, false, true, true, false, true, true]);
    const large = largeBase(XS ? 60 : 120);
    assert.deepEqual(large.grants.slice(0, 7), [true, true, true, true, false, false, false], "live cards open, revoked ones do not");
    assert.equal(large.grants[large.grants.length - 1], false, "visitor codes are off in the large compound's settings");
  });

  it("the generator is deterministic and covers every kind of damage", () => {
    const demo = demoBase();
    const a = corrupt(demo, SEED, 5), b = corrupt(demo, SEED, 5);
    assert.equal(a.kind, b.kind);
    assert.deepEqual(a.image, b.image);
    assert.notDeepEqual(a.image, demo.image);
    const kinds = new Set(Array.from({ length: KINDS.length }, (_, i) => corrupt(demo, SEED, i).kind.replace(/^valid-CRC .*/, "valid-CRC record")));
    assert.deepEqual([...kinds].sort(), [...KINDS].sort());
  });

  it(`${DEMO_IMAGES} damaged demo images and ${LARGE_IMAGES} damaged large-compound images`, () => {
    const counts = emptyCounts();
    runCampaign(demoBase(), SEED, 0, DEMO_IMAGES, counts);
    runCampaign(largeBase(XS ? 60 : 120), SEED + 1, 0, LARGE_IMAGES, counts);
    assert.deepEqual(counts.failures, []);
    assert.equal(counts.images, DEMO_IMAGES + LARGE_IMAGES);
    assert.equal(counts.serving, counts.images, "every image serves");
    assert.equal(counts.exitOpened, counts.images, "the exit button opens the strike in every one");
    assert.equal(counts.widened, 0, "no credential granted that the intact image denies");
    assert.equal(counts.droppedReported, counts.dropped, "DAMAGE whenever something was dropped");
    assert.ok(counts.dropped > 0 && counts.reported > counts.dropped / 2, `the campaign really damaged things: ${JSON.stringify(counts)}`);
    for (const kind of KINDS) assert.ok((counts.byKind[kind] ?? 0) > 0, kind);
  });
});
