import assert from "node:assert/strict";
import { CHANGE_KINDS, type Change, decodeChange, encodeChange } from "../../../src/core/access/changes";
import { isOptgateError } from "../../../src/core/errors";
import { newRegistry, testRandom, uid } from "./fixtures";

const T0 = Date.UTC(2026, 5, 1);

function recordedLog(): Uint8Array[] {
  const r = newRegistry();
  const log: Uint8Array[] = [];
  r.onChange = (c) => log.push(c);
  const a = r.addResident({ unit: "A1", role: "owner", groups: 1, cards: [uid(4, 1, 2, 3)], pin: "583017" });
  const v = r.addResident({ unit: "A2", role: "visitor", groups: 2, validFrom: T0, validUntil: T0 + 86_400_000, codes: [{ code: "555666", validUntil: T0 + 86_400_000, uses: 3 }] });
  r.addCard(a, uid(7, 1, 2, 3, 4, 5, 6));
  r.setPin(v, "987650");
  r.setFaceEnrolled(a, true);
  r.issueCode(a, { code: "121212", validUntil: T0 + 1000, uses: 1 });
  r.updateResident(v, { groups: 3 });
  r.removeCard(uid(4, 1, 2, 3));
  return log;
}

describe("registry changes", () => {
  it("round-trip through bytes", () => {
    const samples: Change[] = [
      { kind: "meta", nextId: 77 },
      { kind: "remove-resident", id: 5 },
      { kind: "add-card", id: 9, uid: uid(4, 3, 2, 1) },
      { kind: "set-face", id: 3, flag: true },
      { kind: "update-resident", id: 4, role: 1, status: 1, groups: 0xffffffff, from: 10, until: 20, unit: "Q-1" },
    ];
    for (const change of samples) assert.deepEqual(decodeChange(encodeChange(change)), change);
  });

  it("a truncated change never applies, in part or whole", () => {
    const log = recordedLog();
    const replica = newRegistry();
    for (const change of log) {
      const before = replica.exportSnapshot();
      for (let cut = 0; cut < change.length; cut++) {
        assert.throws(() => replica.apply(change.subarray(0, cut)), (e) => isOptgateError(e, "E_BAD_CHANGE"));
        assert.deepEqual(replica.exportSnapshot(), before);
      }
      assert.throws(() => replica.apply(Uint8Array.from([...change, 0])), (e) => isOptgateError(e, "E_BAD_CHANGE"));
      replica.apply(change);
    }
  });

  it("a corrupted change either applies whole or is refused with a code, leaving the registry as it was", () => {
    const log = recordedLog();
    const random = testRandom(7);
    const pick = new Uint8Array(3);
    const rounds = (globalThis as { __XS__?: boolean }).__XS__ ? 60 : 300;
    for (let round = 0; round < rounds; round++) {
      const replica = newRegistry();
      random.fill(pick);
      const upto = pick[0] % log.length;
      for (let i = 0; i < upto; i++) replica.apply(log[i]);
      const damaged = log[upto].slice();
      damaged[pick[1] % damaged.length] ^= 1 << (pick[2] & 7);
      const before = replica.exportSnapshot();
      try {
        replica.apply(damaged);
      } catch (e) {
        assert.ok(isOptgateError(e), String(e));
        assert.deepEqual(replica.exportSnapshot(), before);
      }
    }
  });
});

describe("registry changes: every kind round-trips, every malformed one says why", () => {
  const why = (text: string) => `E_BAD_CHANGE: The registry change cannot be read: ${text}.`;
  const message = (bytes: unknown): string => {
    try { decodeChange(bytes as Uint8Array); } catch (e) { assert.ok(isOptgateError(e, "E_BAD_CHANGE")); return (e as Error).message; }
    return "decoded";
  };

  it("round-trips the kinds that carry only an id, and face flags both ways", () => {
    for (const change of [{ kind: "clear-pin", id: 5 }, { kind: "remove-resident", id: 0xfffffffe }, { kind: "set-face", id: 7, flag: false }, { kind: "set-face", id: 7, flag: true }, { kind: "rate-pin", id: 7, quality: 3 }] as Change[]) {
      assert.deepEqual(decodeChange(encodeChange(change)), change);
    }
  });

  it("refuses empty, non-byte, cut-short, over-long and out-of-range changes with their reason", () => {
    assert.equal(message(new Uint8Array(0)), why("it is empty"));
    assert.equal(message([7, 0, 0, 0, 5]), why("it is empty"));
    const clear = encodeChange({ kind: "clear-pin", id: 5 });
    assert.equal(message(clear.subarray(0, 4)), why("it ends early"));
    const longer = new Uint8Array(clear.length + 1);
    longer.set(clear);
    assert.equal(message(longer), why("it has trailing bytes"));
    const face = encodeChange({ kind: "set-face", id: 7, flag: true });
    face[face.length - 1] = 2;
    assert.equal(message(face), why("the face flag is not 0 or 1"));
    const rate = encodeChange({ kind: "rate-pin", id: 7, quality: 3 });
    rate[rate.length - 1] = 4;
    assert.equal(message(rate), why("the PIN quality is out of range"));
    const add = encodeChange({ kind: "add-resident", id: 1, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: "A", cards: [], codes: [] });
    add[1 + 4 + 1 + 1 + 4 + 4 + 4 + 1 + 1] = 3; // the PIN flag after the fields and the one-letter unit
    assert.equal(message(add), why("the PIN flag is not 0, 1 or 2"));
    add[1 + 4 + 1 + 1 + 4 + 4 + 4 + 1 + 1] = 2; // a compound verifier: its key id, salt and hash are missing
    assert.equal(message(add), why("it ends early"));
    // Kinds are appended by several features: the first byte past the last one is unknown.
    assert.equal(message(Uint8Array.from([CHANGE_KINDS.length, 0])), why(`kind ${CHANGE_KINDS.length} is unknown`));
  });
});

