// The compound PIN key on the firmware (host board, real store on a NorFlash):
// installed at the console from a blob sealed to this gate and compound, kept
// sealed on flash, back after a reboot, shown by fingerprint only; refused
// (nothing changed) when sealed for another gate or compound, altered, cut
// short or not base64; a power cut at any flash operation of the install
// leaves no key or the key, never damage. Portable (Node and XS: XS cuts at a
// sample of the flash operations).
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { COMPOUND_PIN_KEY } from "../../src/app/compound-pin-key";
import { compoundPinKey, compoundPinKeyFingerprint } from "../../src/core/access/compound-pin";
import { toHex } from "../../src/core/crypto";
import { gateSealKeys } from "../../src/core/sync/gate-seal";
import { sealPinKey, toBase64 } from "../../src/core/sync/pin-key-seal";
import { seal } from "../../src/core/sync/gate-seal";
import { blankFlash, boot, type BootedGate } from "./boot-rig";
import { containsBytes as contains } from "./byte-scan";
import { lcgRandom } from "./console-rig";

const XS = (globalThis as { __XS__?: boolean }).__XS__ === true;
const HUB_KEY = new Uint8Array(32).map((_, i) => 0xa0 + i);
const KEY = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
const OTHER_KEY = new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff);
const COMPOUND = 7;

function login(gate: BootedGate): void {
  gate.console("login tech1");
  gate.console("correct horse 9");
}

/** A gate with a technician and the hub set (compound 7); its flash image. */
function provisioned(): { gate: BootedGate; flash: NorFlash } {
  const flash = blankFlash();
  const gate = boot(flash);
  gate.firmware!.addTechnician("tech1", "correct horse 9");
  login(gate);
  gate.console(`hub set hub.example.org 8883 ${COMPOUND} ${toHex(HUB_KEY)}`);
  return { gate, flash };
}

function sealedFor(gate: BootedGate, key = KEY, o: { gateId?: number; compoundId?: number; sealKey?: Uint8Array } = {}): string {
  const id = gate.firmware!.gateIdentity()!;
  return toBase64(sealPinKey(o.sealKey ?? id.sealKey!, key, { gateId: o.gateId ?? id.gateId, compoundId: o.compoundId ?? COMPOUND }, lcgRandom(9)));
}

describe("compound PIN key at the gate", () => {
  it("installs from a blob sealed to this gate: shown by fingerprint, sealed on flash, back after a reboot, new PINs made under it", () => {
    const { gate, flash } = provisioned();
    assert.match(gate.console("pin key"), /compound PIN key: none/);
    const out = gate.console(`pin key install ${sealedFor(gate)}`);
    const fingerprint = compoundPinKeyFingerprint(KEY);
    assert.match(out, /Compound PIN key installed/);
    assert.match(out, new RegExp(`compound PIN key: ${fingerprint} \\(key id ${compoundPinKey(KEY).id.toString(16).padStart(8, "0")}\\)`));
    assert.ok(!out.includes(toHex(KEY)), "the key is never printed");
    assert.equal(contains(flash.image, KEY), false, "the key is on flash in clear");
    assert.ok(gate.firmware!.store.storedForm(COMPOUND_PIN_KEY), "kept sealed in the store");
    // The install is audited (a security record naming the command, ciphertext only in its detail).
    const audited = gate.firmware!.core.audit.entries().filter((e) => e.log === "security" && e.kind === "setting-changed" && e.detail.startsWith("pin key"));
    assert.deepEqual(audited.map((e) => `${e.decision} ${e.detail}`), [`info pin key ${fingerprint} id ${compoundPinKey(KEY).id.toString(16).padStart(8, "0")}`]);
    gate.settle();

    const again = boot(flash);
    login(again);
    assert.match(again.console("pin key"), new RegExp(`compound PIN key: ${fingerprint}`));
    const registry = again.firmware!.core.registry;
    assert.equal(registry.compoundPinKeyId, compoundPinKey(KEY).id);
    const id = registry.addResident({ unit: "B3-1204", role: "owner", groups: 1, cards: [Uint8Array.of(4, 1, 2, 3)] });
    registry.setPin(id, "583017");
    assert.equal(registry.pinVerifier(id)?.keyId, compoundPinKey(KEY).id);
    assert.match(again.console("pin key"), /PINs held: +1 under the compound key, 0 under this gate's own key/);
  });

  it("refuses a key sealed for another gate, another compound, another seal key, altered, cut short or not base64: nothing changes", () => {
    const { gate, flash } = provisioned();
    const id = gate.firmware!.gateIdentity()!;
    const stranger = gateSealKeys(new Uint8Array(32).fill(0x33)).publicKey;
    const good = sealedFor(gate);
    const flipped = (() => {
      const bytes = sealPinKey(id.sealKey!, KEY, { gateId: id.gateId, compoundId: COMPOUND }, lcgRandom(9));
      bytes[60] ^= 1;
      return toBase64(bytes);
    })();
    const asCode = toBase64(seal(id.sealKey!, KEY, { purpose: "code", gateId: id.gateId, residentId: 0, scope: COMPOUND }, lcgRandom(9)));
    const cases: [string, RegExp][] = [
      [sealedFor(gate, KEY, { gateId: id.gateId + 1 }), /E_SEAL_OPEN/],
      [sealedFor(gate, KEY, { compoundId: COMPOUND + 1 }), /E_SEAL_OPEN/],
      [sealedFor(gate, KEY, { sealKey: stranger }), /E_SEAL_OPEN/],
      [flipped, /E_SEAL_OPEN/],
      [asCode, /E_SEAL_OPEN/],
      [good.slice(0, 124), /E_BAD_PIN_KEY: A sealed PIN key is 96 bytes \(128 base64 characters\); this one is 93/],
      [toBase64(new Uint8Array(97)), /E_BAD_PIN_KEY: A sealed PIN key is 96 bytes/],
      [good.replace(/[A-Z]/, "*"), /E_BAD_PIN_KEY: The sealed PIN key is not base64/],
    ];
    for (const [text, expected] of cases) {
      assert.match(gate.console(`pin key install ${text}`), expected, text);
      assert.match(gate.console("pin key"), /compound PIN key: none/);
      assert.equal(gate.firmware!.core.registry.compoundPinKeyId, undefined);
      assert.equal(gate.firmware!.store.has(COMPOUND_PIN_KEY), false);
    }
    const refused = gate.firmware!.core.audit.entries().filter((e) => e.log === "security" && e.kind === "setting-changed" && e.decision === "deny");
    assert.deepEqual(refused.map((e) => e.detail.split(" ")[0]), cases.map(([, expected]) => String(expected).match(/E_[A-Z_]+/)![0]), "every refusal is audited");
    // Without a hub there is no compound to open it for.
    gate.console("hub off");
    assert.match(gate.console(`pin key install ${good}`), /E_HUB_NOT_SET/);
    assert.equal(contains(flash.image, KEY), false);
  });

  it("another key later replaces it; PINs made under the first stop opening here (the status says how many)", () => {
    const { gate } = provisioned();
    gate.console(`pin key install ${sealedFor(gate)}`);
    const registry = gate.firmware!.core.registry;
    const id = registry.addResident({ unit: "A1", role: "owner", groups: 1, cards: [Uint8Array.of(4, 7, 7, 7)] });
    registry.setPin(id, "583017");
    assert.match(gate.console(`pin key install ${sealedFor(gate, OTHER_KEY)}`), new RegExp(compoundPinKeyFingerprint(OTHER_KEY)));
    assert.match(gate.console("pin key"), /PINs held: +0 under the compound key, 0 under this gate's own key, 1 under another key \(they do not open here\)/);
    assert.equal(registry.pinMatchesAt(registry.residents.find(id), "583017"), false);
  });

  it("a key record damaged on flash: a DAMAGE line, no key in force (never a new one), and installing it again clears it", () => {
    const { gate, flash } = provisioned();
    const sealed = sealedFor(gate);
    gate.console(`pin key install ${sealed}`);
    const registry = gate.firmware!.core.registry;
    const id = registry.addResident({ unit: "A1", role: "owner", groups: 1, cards: [Uint8Array.of(4, 5, 5, 5)] });
    registry.setPin(id, "583017");
    gate.settle();
    const stored = gate.firmware!.store.storedForm(COMPOUND_PIN_KEY)!;
    const copies: number[] = [];
    for (let i = 0; i + stored.length <= flash.image.length; i++) {
      let j = 0;
      while (j < stored.length && flash.image[i + j] === stored[j]) j++;
      if (j === stored.length) copies.push(i);
    }
    assert.ok(copies.length > 0, "the sealed record is on flash");
    let bit = 16;
    while ((stored[bit] & 1) === 0) bit++;
    for (const at of copies) flash.image[at + bit] &= 0xfe; // a bit of the ciphertext lost (NOR can only clear bits)
    const again = boot(flash);
    login(again);
    const shown = again.console("pin key");
    assert.match(shown, /compound PIN key: none/);
    assert.match(shown, /DAMAGE: +compound PIN key (lost|unreadable)/);
    assert.ok(again.firmware!.damageLines().some((line) => /compound PIN key/.test(line)));
    const r = again.firmware!.core.registry;
    assert.equal(r.compoundPinKeyId, undefined);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "583017"), false, "no key: the compound PIN does not open");
    assert.match(again.console(`pin key install ${sealed}`), /installed/);
    assert.doesNotMatch(again.console("pin key"), /DAMAGE/);
    assert.equal(r.pinMatchesAt(r.residents.find(id), "583017"), true);
  });

  it("a power cut at any flash operation of the install: after the reboot no key or the key, never damage", () => {
    const { gate, flash } = provisioned();
    const sealed = sealedFor(gate);
    gate.settle();
    const image = flash.image.slice();
    const clean = new NorFlash(flash.size, { image });
    const cleanGate = boot(clean);
    login(cleanGate);
    const ops = clean.ops;
    assert.match(cleanGate.console(`pin key install ${sealed}`), /installed/);
    const total = clean.ops - ops;
    assert.ok(total > 0);
    const seen = { none: 0, key: 0 };
    for (let k = 1; k <= total; k += XS ? Math.max(1, Math.floor(total / 4)) : 1) {
      const nor = new NorFlash(flash.size, { image, seed: k });
      const g = boot(nor);
      login(g);
      nor.cutAt = nor.ops + k;
      try { g.console(`pin key install ${sealed}`); } catch { /* the cut stops the board */ }
      nor.powerOn();
      const again = boot(nor);
      // The store reports the torn write it skipped; no loader finds damage, no key is called lost.
      assert.deepEqual(again.firmware!.damage, [], `cut at op ${k}: a power cut is not damage`);
      assert.ok(!again.firmware!.damageLines().some((line) => /PIN key/.test(line)), `cut at op ${k}: ${again.firmware!.damageLines().join("; ")}`);
      assert.equal(again.firmware!.core.registry.damage, undefined);
      const held = again.firmware!.core.registry.compoundPinKeyId;
      if (held === undefined) seen.none++;
      else {
        assert.equal(held, compoundPinKey(KEY).id, `cut at op ${k}: the key, whole`);
        seen.key++;
      }
      assert.equal(contains(nor.image, KEY), false, `cut at op ${k}: the key in clear on flash`);
      assert.equal(nor.violations, 0);
    }
    assert.ok(seen.none > 0, JSON.stringify(seen));
  });

  it("a power cut at any flash operation of a PIN set here: after the reboot the PIN with its report for the hub, or neither", () => {
    const { gate, flash } = provisioned();
    gate.console(`pin key install ${sealedFor(gate)}`);
    const id = gate.firmware!.core.registry.addResident({ unit: "A1", role: "owner", groups: 1, cards: [Uint8Array.of(4, 6, 6, 6)] });
    gate.settle();
    const image = flash.image.slice();
    const reportKey = `fleet/pin/${id.toString(16).padStart(8, "0")}`;
    const clean = new NorFlash(flash.size, { image });
    const cleanGate = boot(clean);
    const ops = clean.ops;
    cleanGate.firmware!.core.registry.setPin(id, "583017");
    const total = clean.ops - ops;
    assert.ok(cleanGate.firmware!.store.get(reportKey), "the report is kept");
    const seen = { neither: 0, both: 0 };
    for (let k = 1; k <= total; k += XS ? Math.max(1, Math.floor(total / 4)) : 1) {
      const nor = new NorFlash(flash.size, { image, seed: k });
      const g = boot(nor);
      nor.cutAt = nor.ops + k;
      try { g.firmware!.core.registry.setPin(id, "583017"); } catch { /* the cut */ }
      nor.powerOn();
      const again = boot(nor);
      const verifier = again.firmware!.core.registry.pinVerifier(id);
      const report = again.firmware!.store.get(reportKey);
      if (!verifier) {
        assert.equal(report, undefined, `cut at op ${k}: a report without its PIN`);
        seen.neither++;
      } else {
        assert.ok(report, `cut at op ${k}: the PIN without its report`);
        assert.deepEqual(report.subarray(24, 40), verifier.hash, `cut at op ${k}: the report names the PIN kept`);
        seen.both++;
      }
    }
    assert.ok(seen.neither > 0, JSON.stringify(seen));
  });
});
