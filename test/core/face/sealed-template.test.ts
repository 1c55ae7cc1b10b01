import assert from "node:assert/strict";
import { describeModel, openTemplate, QUANTISATION_INT8, sealTemplate, templateMeta } from "../../../src/core/face/sealed-template";
import { aeadSeal } from "../../../src/core/crypto";
import { MemoryTemplateVault } from "../../../src/core/face/template-vault";
import { isOptgateError } from "../../../src/core/errors";

const code = (c: string) => (e: unknown) => isOptgateError(e, c);
const message = (fn: () => unknown) => { try { fn(); } catch (e) { return (e as Error).message; } return "no error"; };

function template(): { dimension: number; scale: number; values: Int8Array } {
  const values = new Int8Array(64);
  for (let i = 0; i < 64; i++) values[i] = ((i * 37) % 255) - 127;
  return { dimension: 64, scale: 127, values };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return indexOf(haystack, needle) >= 0;
}

describe("face/sealed-template", () => {
  const key = new Uint8Array(32).fill(9), nonce = new Uint8Array(12).fill(3);
  const meta = { residentId: "r-101", noticeVersion: 2, enrolledAt: 1_767_600_000_000, model: { id: "mobileface", version: 3 } };

  it("round-trips and keeps no template bytes in clear", () => {
    const t = template();
    const sealed = sealTemplate(t, meta, key, nonce);
    assert.ok(!contains(sealed, new Uint8Array(t.values.buffer).subarray(0, 8)));
    const opened = openTemplate(sealed, key, "r-101");
    assert.deepEqual(opened.template.values, t.values);
    assert.deepEqual(opened.meta, meta);
    assert.equal(templateMeta(sealed).noticeVersion, 2);
    assert.deepEqual(templateMeta(sealed).model, { id: "mobileface", version: 3 });
    assert.equal(templateMeta(sealed).quantisation, QUANTISATION_INT8);
    assert.equal(sealed.length - templateMeta(sealed).headerLength, 64 + 16, "one byte per dimension, plus the GCM tag");
  });

  it("binds the model into the seal: relabelling the header as another model or version breaks it", () => {
    const sealed = sealTemplate(template(), meta, key, nonce);
    const at = indexOf(sealed, new TextEncoder().encode("mobileface"));
    const renamed = sealed.slice();
    renamed.set(new TextEncoder().encode("mobilefacf"), at);
    assert.deepEqual(templateMeta(renamed).model, { id: "mobilefacf", version: 3 });
    assert.throws(() => openTemplate(renamed, key, "r-101"), code("E_TEMPLATE_SEAL_BROKEN"));
    const bumped = sealed.slice();
    bumped[at + 10] ^= 1;
    assert.equal(templateMeta(bumped).model.version, 2);
    assert.throws(() => openTemplate(bumped, key, "r-101"), code("E_TEMPLATE_SEAL_BROKEN"));
  });

  it("refuses to seal under a model tag without an id or with a version out of range", () => {
    for (const model of [{ id: "", version: 1 }, { id: "m", version: -1 }, { id: "m", version: 65536 }, { id: "x".repeat(33), version: 1 }]) {
      assert.throws(() => sealTemplate(template(), { ...meta, model }, key, nonce), code("E_FACE_MODEL_TAG"));
    }
  });

  it("opens a format-1 template (sealed before models were recorded) as an unrecorded model", () => {
    // Format 1: u8 1, u16 dimension, u8 scale, u16 notice, f64 enrolled at, text resident, nonce; then GCM.
    const head = [1, 64, 0, 127, 2, 0, ...new Uint8Array(new Float64Array([meta.enrolledAt]).buffer), 5, ...new TextEncoder().encode("r-101"), ...nonce];
    const h = Uint8Array.from(head);
    const t = template();
    const body = aeadSeal(key, nonce, new Uint8Array(t.values.buffer), h);
    const old = new Uint8Array(h.length + body.length);
    old.set(h);
    old.set(body, h.length);
    const opened = openTemplate(old, key, "r-101");
    assert.deepEqual(opened.meta.model, { id: "", version: 0 });
    assert.deepEqual(opened.template.values, t.values);
  });

  it("does not open with another key, for another resident, or after any bit flip", () => {
    const sealed = sealTemplate(template(), meta, key, nonce);
    assert.throws(() => openTemplate(sealed, new Uint8Array(32).fill(8), "r-101"), code("E_TEMPLATE_SEAL_BROKEN"));
    assert.throws(() => openTemplate(sealed, key, "r-102"), code("E_TEMPLATE_SEAL_BROKEN"));
    for (const at of [3, 10, sealed.length - 1, sealed.length - 40]) {
      const bad = sealed.slice();
      bad[at] ^= 1;
      assert.throws(() => openTemplate(bad, key, "r-101"));
    }
  });

  it("refuses a short key or nonce", () => {
    assert.throws(() => sealTemplate(template(), meta, new Uint8Array(16), nonce), code("E_TEMPLATE_KEY"));
    assert.equal(message(() => sealTemplate(template(), meta, key, new Uint8Array(11))), "E_TEMPLATE_KEY: A template key is 32 bytes and its nonce 12.");
    assert.equal(message(() => sealTemplate(template(), meta, new Uint8Array(33), nonce)), "E_TEMPLATE_KEY: A template key is 32 bytes and its nonce 12.");
  });

  it("takes a model id of exactly 1 and 32 characters and versions 0 and 65535, and says what it refused", () => {
    for (const model of [{ id: "m", version: 0 }, { id: "x".repeat(32), version: 65535 }]) {
      const sealed = sealTemplate(template(), { ...meta, model }, key, nonce);
      assert.deepEqual(openTemplate(sealed, key, "r-101").meta.model, model);
    }
    assert.equal(message(() => sealTemplate(template(), { ...meta, model: { id: "x".repeat(33), version: 1 } }, key, nonce)),
      `E_FACE_MODEL_TAG: A face model needs an id of 1-32 characters and a version 0-65535; got "${"x".repeat(33)}" v1.`);
    assert.equal(message(() => sealTemplate(template(), { ...meta, model: { id: "m", version: 1.5 } }, key, nonce)),
      'E_FACE_MODEL_TAG: A face model needs an id of 1-32 characters and a version 0-65535; got "m" v1.5.');
    assert.throws(() => sealTemplate(template(), { ...meta, model: { id: 7 as unknown as string, version: 1 } }, key, nonce), code("E_FACE_MODEL_TAG"));
  });

  it("names a model for people, and an unrecorded one as such", () => {
    assert.equal(describeModel({ id: "mobileface", version: 3 }), "mobileface v3");
    assert.equal(describeModel({ id: "", version: 0 }), "an unrecorded model");
  });

  it("says which sealed template it refused and why", () => {
    const sealed = sealTemplate(template(), meta, key, nonce);
    assert.equal(message(() => openTemplate(sealed, key, "r-102")), "E_TEMPLATE_SEAL_BROKEN: A sealed template filed under r-102 belongs to someone else; it was not loaded.");
    assert.equal(message(() => openTemplate(sealed, new Uint8Array(32), "r-101")), "E_TEMPLATE_SEAL_BROKEN: The sealed template of r-101 does not open with its key; it was not loaded.");
    for (const format of [0, 3]) {
      const other = sealed.slice();
      other[0] = format;
      assert.equal(message(() => templateMeta(other)), "E_RECORD_CORRUPT: The sealed template has an unknown format.");
    }
    assert.equal(message(() => templateMeta(sealed.subarray(0, 10))), "E_RECORD_CORRUPT: The sealed template record is truncated; restore it from a good copy.");
  });

  it("refuses a header that truly seals a quantisation other than int8, or a length other than its dimension", () => {
    // Forged with the right key (as a buggy writer would): the seal opens, the contents do not fit.
    const forge = (edit: (head: Uint8Array) => void, clear: Uint8Array) => {
      const good = sealTemplate(template(), meta, key, nonce);
      const head = good.slice(0, templateMeta(good).headerLength);
      edit(head);
      const body = aeadSeal(key, nonce, clear, head);
      const out = new Uint8Array(head.length + body.length);
      out.set(head);
      out.set(body, head.length);
      return out;
    };
    const values = new Uint8Array(template().values.buffer);
    const sentence = "E_TEMPLATE_SEAL_BROKEN: The sealed template has the wrong length or quantisation.";
    assert.equal(message(() => openTemplate(forge((h) => { h[4] = 2; }, values), key, "r-101")), sentence);
    assert.equal(message(() => openTemplate(forge(() => {}, values.subarray(0, 63)), key, "r-101")), sentence);
    assert.equal(message(() => openTemplate(forge((h) => { h[1] = 63; }, values), key, "r-101")), sentence);
    assert.equal(openTemplate(forge(() => {}, values), key, "r-101").template.values.length, 64, "the forge itself is sound");
  });
});

describe("face/template-vault (memory)", () => {
  it("keeps copies, replaces earlier pairs and erases the bytes on destroy", () => {
    const written: Uint8Array[] = [];
    const vault = new MemoryTemplateVault({ onWrite: (_id, b) => written.push(b) });
    vault.put("r-1", Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6));
    const got = vault.get("r-1")!;
    got.key[0] = 99;
    assert.deepEqual(vault.get("r-1")!.key, Uint8Array.of(1, 2, 3));
    vault.put("r-1", Uint8Array.of(7), Uint8Array.of(8));
    assert.deepEqual(written[0], Uint8Array.of(0, 0, 0), "the replaced key was overwritten");
    assert.deepEqual(written[1], Uint8Array.of(0, 0, 0), "the replaced template was overwritten");
    assert.ok(vault.destroy("r-1"));
    assert.deepEqual([...written[2], ...written[3]], [0, 0]);
    assert.equal(vault.get("r-1"), undefined);
    assert.deepEqual(vault.residents(), []);
    assert.ok(!vault.destroy("r-1"));
  });

  it("keeps its own copies: neither the caller's arrays after put nor the arrays get hands out reach what it holds", () => {
    const vault = new MemoryTemplateVault();
    const key = Uint8Array.of(1, 2, 3), sealed = Uint8Array.of(4, 5, 6);
    vault.put("r-1", key, sealed);
    key.fill(0);
    sealed.fill(0);
    const got = vault.get("r-1")!;
    assert.deepEqual([got.key, got.sealed], [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]);
    got.key.fill(7);
    got.sealed.fill(7);
    assert.deepEqual([vault.get("r-1")!.key, vault.get("r-1")!.sealed], [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6)]);
  });
});
