// Sealed template distribution (portable: Node and XS): only the gate it is
// sealed to opens it, and only for the resident and consent scope it names.
import assert from "node:assert/strict";
import type { Random } from "../../../src/core/ports";
import { SEAL_OVERHEAD, openTemplate, sealKeyPair, sealTemplate } from "../../../src/core/sync/template-seal";

let counter = 1;
const random: Random = { fill: (b) => { for (let i = 0; i < b.length; i++) b[i] = (counter++ * 131 + i * 7) & 0xff; } };
const gate10 = sealKeyPair(new Uint8Array(32).fill(10));
const gate11 = sealKeyPair(new Uint8Array(32).fill(11));
const template = Uint8Array.from({ length: 512 }, (_, i) => (i * 13) & 0xff);
const ctx = { gateId: 10, residentId: 42, scope: 0b11 };

describe("sealed templates", () => {
  it("opens at the gate it was sealed to, for the same resident and scope", () => {
    const sealed = sealTemplate(gate10.publicKey, template, ctx, random);
    assert.equal(sealed.length, template.length + SEAL_OVERHEAD);
    assert.deepEqual(openTemplate(gate10, sealed, ctx), template);
  });

  it("hides the template: no 16-byte run of it appears in the sealed bytes", () => {
    const sealed = sealTemplate(gate10.publicKey, template, ctx, random);
    const hex = Array.from(sealed, (b) => b.toString(16).padStart(2, "0")).join("");
    for (let at = 0; at + 16 <= template.length; at += 16) {
      assert.ok(!hex.includes(Array.from(template.subarray(at, at + 16), (b) => b.toString(16).padStart(2, "0")).join("")));
    }
  });

  it("computes RFC 7748 section 6.1's X25519 public keys", () => {
    const hex = (t: string) => Uint8Array.from(t.match(/../g)!, (h) => parseInt(h, 16));
    const alice = sealKeyPair(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    const bob = sealKeyPair(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    assert.deepEqual(alice.publicKey, hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    assert.deepEqual(bob.publicKey, hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
  });

  it("two seals of the same template differ (fresh ephemeral key and nonce)", () => {
    assert.notDeepEqual(sealTemplate(gate10.publicKey, template, ctx, random), sealTemplate(gate10.publicKey, template, ctx, random));
  });

  const refusals: [string, () => void][] = [
    ["another gate's key", () => openTemplate(gate11, sealTemplate(gate10.publicKey, template, ctx, random), ctx)],
    ["another gate id", () => openTemplate(gate10, sealTemplate(gate10.publicKey, template, ctx, random), { ...ctx, gateId: 11 })],
    ["another resident", () => openTemplate(gate10, sealTemplate(gate10.publicKey, template, ctx, random), { ...ctx, residentId: 43 })],
    ["a wider scope", () => openTemplate(gate10, sealTemplate(gate10.publicKey, template, ctx, random), { ...ctx, scope: 0b111 })],
    ["one flipped bit", () => { const s = sealTemplate(gate10.publicKey, template, ctx, random); s[100] ^= 1; openTemplate(gate10, s, ctx); }],
    ["a swapped ephemeral key", () => { const s = sealTemplate(gate10.publicKey, template, ctx, random); s.set(gate11.publicKey, 4); openTemplate(gate10, s, ctx); }],
    ["a low-order ephemeral key", () => { const s = sealTemplate(gate10.publicKey, template, ctx, random); s.fill(0, 4, 36); openTemplate(gate10, s, ctx); }],
    ["a truncated seal", () => openTemplate(gate10, sealTemplate(gate10.publicKey, template, ctx, random).subarray(0, 40), ctx)],
  ];
  for (const [what, attempt] of refusals) {
    it(`refuses to open with ${what}`, () => assert.throws(attempt, /E_SEAL_OPEN|not for this gate/));
  }
});
