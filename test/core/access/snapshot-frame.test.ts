// The registry snapshot's framing (src/core/access/snapshot-frame.ts): what a
// restore reads back from flash or a hub's full resync. Portable.
import assert from "node:assert/strict";
import { OptgateError } from "../../../src/core/errors";
import { frameSnapshot, unframeSnapshot } from "../../../src/core/access/snapshot-frame";

const bad = (why: RegExp) => (e: unknown) => e instanceof OptgateError && e.code === "E_BAD_SNAPSHOT" && why.test(e.message);

describe("access/snapshot frame", () => {
  it("gives back exactly the changes it framed, in order, empty ones and none at all included", () => {
    const changes = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(9)];
    assert.deepEqual(unframeSnapshot(frameSnapshot(changes)).map((c) => Array.from(c)), [[1, 2, 3], [], [9]]);
    assert.deepEqual(unframeSnapshot(frameSnapshot([])), []);
  });

  it("refuses a wrong magic, a short header, a count or a length past the end, and trailing bytes", () => {
    const good = frameSnapshot([Uint8Array.of(1, 2, 3), Uint8Array.of(4)]);
    const wrongMagic = good.slice();
    wrongMagic[3] ^= 1;
    assert.throws(() => unframeSnapshot(wrongMagic), bad(/does not start with OGR1/));
    assert.throws(() => unframeSnapshot(good.subarray(0, 7)), bad(/does not start with OGR1/));
    assert.throws(() => unframeSnapshot("OGR1" as unknown as Uint8Array), bad(/does not start with OGR1/));
    const moreCounted = good.slice();
    moreCounted[7] = 3;
    assert.throws(() => unframeSnapshot(moreCounted), bad(/ends early/));
    for (let cut = 9; cut < good.length; cut++) assert.throws(() => unframeSnapshot(good.subarray(0, cut)), bad(/ends early/), `cut at ${cut}`);
    const longer = good.slice();
    longer[11] = 4; // the first change claims one byte more than it has before the next length
    assert.throws(() => unframeSnapshot(longer), bad(/ends early|trailing/));
    assert.throws(() => unframeSnapshot(Uint8Array.from([...good, 0])), bad(/trailing bytes/));
  });
});
