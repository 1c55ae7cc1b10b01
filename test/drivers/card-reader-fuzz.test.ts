// Fuzz: the reader runs against the model with noise on SPI (MISO and MOSI
// bit flips) and on RF (flipped bits, parity errors), cards of all UID sizes
// coming and going, sometimes two at once. Every onTag must name a card that
// is in the field at that moment. 100,000 reader transactions in Node, fewer
// inside XS (same assertions).
import assert from "node:assert/strict";
import { Relay } from "../../src/drivers/relay";
import { VirtualCard } from "../models/iso14443a-card";
import { hex, makeReaderRig } from "../models/reader-rig";
import { Rng } from "../models/rng";

const IN_XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const TRANSACTIONS = IN_XS ? 6_000 : 100_000;

function randomCard(rng: Rng): VirtualCard {
  const size = [4, 7, 10][rng.int(3)];
  const uid = new Uint8Array(size);
  for (let i = 0; i < size; i++) uid[i] = rng.byte();
  if (uid[0] === 0x88) uid[0] = 0x08; // the cascade tag is not a valid first UID byte
  if (size > 4) uid[0] = 0x04; // NXP manufacturer byte, as on real 7/10-byte cards
  return new VirtualCard(uid, { sak: rng.int(2) ? 0x08 : 0x00 });
}

describe("CardReader fuzz", function () {
  // ~1 s alone; give a loaded two-core CI machine room when run without the repo's mocha config.
  this.timeout(60_000);
  it(`${TRANSACTIONS.toLocaleString("en-US")} noisy reader transactions: 0 wrong UIDs`, () => {
    const rng = new Rng(0xc0ffee);
    const rig = makeReaderRig({ pollIntervalMs: 5, presenceIntervalMs: 5, retryMs: 2, retryResetMs: 50 });
    rig.model.rfNoise = 0.05;
    rig.model.rfRandom = () => rng.float();
    rig.hw.spi.fault = { kind: "noise", probability: 0.002, rng };
    // A card answers the frames it heard while in the field; a reply may land a
    // tick after the card left. So a UID is right if its card was in the field
    // within the last 50 ms of model time, and wrong otherwise.
    const lastInField = new Map<string, number>();
    const markField = () => {
      for (const card of rig.model.field) lastInField.set(hex(card.uid), rig.hw.clock.now);
    };
    let wrong = 0, checked = 0;
    while (rig.model.transmissions < TRANSACTIONS) {
      markField();
      // A card event now and then: all cards leave, or one more enters (at most two).
      const roll = rng.int(100);
      if (roll < 3) {
        for (const card of rig.model.field.slice()) rig.model.leave(card);
      } else if (roll < 6 && rig.model.field.length < 2) {
        rig.model.enter(randomCard(rng));
        markField();
      }
      rig.run(rng.int(20) + 1, 1);
      for (; checked < rig.tags.length; checked++) {
        const seen = lastInField.get(rig.tags[checked]);
        if (seen === undefined || rig.hw.clock.now - seen > 50) wrong++;
      }
    }
    const reported = rig.tags.length;
    assert.equal(wrong, 0, `${wrong} wrong UIDs out of ${reported}`);
    assert.ok(reported > TRANSACTIONS / 200, `only ${reported} cards were read: the fuzz is not exercising reads`);
    assert.ok(rig.errors.length > 0, "noise produced no errors: the fuzz is not noisy");
  });

  it("cards one bit away from the enrolled card never read as it: the strike stays locked", () => {
    const rng = new Rng(0x5eed);
    const rig = makeReaderRig({ pollIntervalMs: 5, presenceIntervalMs: 5, retryMs: 2, retryResetMs: 50 });
    rig.model.rfNoise = 0.1;
    rig.model.rfRandom = () => rng.float();
    rig.hw.spi.fault = { kind: "noise", probability: 0.003, rng };
    const enrolled = [0x04, 0x5e, 0x21, 0x8a, 0x33, 0x6b, 0x80];
    const enrolledHex = hex(enrolled);
    const relay = new Relay({ relay: { io: rig.hw.io.Digital, pin: 30 }, failMode: "fail-secure" });
    const strike = rig.hw.gpio.pin(30);
    let checked = 0;
    while (rig.model.transmissions < TRANSACTIONS / 5) {
      // A near miss: the enrolled UID with one bit flipped (a single RF bit error away).
      const uid = enrolled.slice();
      const bit = 8 + rng.int(48); // not the manufacturer byte
      uid[bit >> 3] ^= 1 << (bit & 7);
      const card = new VirtualCard(uid);
      rig.model.enter(card);
      rig.run(rng.int(60) + 5, 1);
      rig.model.leave(card);
      rig.run(rng.int(30) + 1, 1);
      for (; checked < rig.tags.length; checked++) if (rig.tags[checked] === enrolledHex) relay.unlock(3000, rig.hw.clock.now);
      relay.tick(rig.hw.clock.now);
    }
    assert.ok(rig.tags.length > 20, `only ${rig.tags.length} near-miss cards were read`);
    assert.ok(!rig.tags.includes(enrolledHex));
    assert.equal(strike.rising, 0, "the strike was energised");
  });
});
