// Fleet sync on the gate, in XS computrons: verifying the hub's Ed25519
// signature, a change set of 200 new residents verified and applied (per
// resident), one small incremental set on a gate that already holds 1,000
// and 5,000 residents (the all-or-nothing checkpoint copies the registry tables, so this grows with the
// registry), signing the ack, and staging the hub's schedules (the console
// settings and policy they give). Sets are signed in Node (noble) and
// embedded, so only the gate's work is counted.
import { ed25519 } from "@noble/curves/ed25519.js";
import { encodeChange } from "../../../src/core/access/changes";
import { toHex } from "../../../src/core/crypto";
import { encodeChangeSet, keyIdOf } from "../../../src/core/sync/messages";
import { sealKeyPair } from "../../../src/core/sync/gate-seal";
import { sealTemplate } from "../../../src/core/sync/template-seal";
import { encodeDelivery, encodeSealKeys, encodeSharedTemplate } from "../../../src/core/sync/template-share";
import { cardFor } from "../../../test/core/access/scale-fixture";
import { xsComputrons, type BenchRow, type BenchSuite } from "../harness";

const HUB_SEED = new Uint8Array(32).fill(11);
const HUB_KEY = ed25519.getPublicKey(HUB_SEED);
const T = Date.UTC(2026, 11, 4);

function resident(id: number): Uint8Array {
  return encodeChange({
    kind: "add-resident", id, role: 0, status: 0, groups: 1, from: 0, until: 0xffffffff, unit: `B${id % 40}-${id % 1000}`,
    pin: { salt: Uint8Array.from([1, 2, 3, 4]), hash: new Uint8Array(16).fill(0x5c) }, cards: [cardFor(id, 0), cardFor(id, 1)], codes: [],
  });
}

function set(version: number, changes: Uint8Array[]): string {
  return toHex(encodeChangeSet({ gateId: 1, version, base: version - 1, full: false, part: 0, parts: 1, issuedAt: T, keyId: keyIdOf(HUB_KEY), changes }, (b) => ed25519.sign(b, HUB_SEED)));
}

const imports = `
import { Registry } from "./src/core/access/registry";
import { encodeChange } from "./src/core/access/changes";
import { fromHex } from "./src/core/crypto";
import { Ed25519Signer, ed25519Verify } from "./src/core/ed25519";
import { GateSync } from "./src/core/sync/gate-sync";
import { applyToRegistry } from "./src/core/sync/registry-apply";
import { buildResidents } from "./test/core/access/scale-fixture";
`;

const gateSetup = (registry: string, applied: number) => `
const registry = ${registry};
const signer = new Ed25519Signer(new Uint8Array(32).fill(5));
const sync = new GateSync({ gateId: 1, hubKeys: [fromHex("${toHex(HUB_KEY)}")], sign: (b) => signer.sign(b), applied: ${applied} });
const target = { apply: (changes, full) => { applyToRegistry(registry, changes, full); } };
let next = 0;
`;

const suite: BenchSuite = {
  name: "sync",
  async run(): Promise<BenchRow[]> {
    const n = 3;
    const message = new TextEncoder().encode("optgate sync v1 benchmark message");
    const signature = toHex(ed25519.sign(message, HUB_SEED));
    const verify = await xsComputrons({
      imports, n,
      setup: `const key = fromHex("${toHex(HUB_KEY)}"), msg = fromHex("${toHex(message)}"), sig = fromHex("${signature}");`,
      op: `if (!ed25519Verify(key, msg, sig)) throw new Error("verify");`,
    });
    const sign = await xsComputrons({ imports, n, setup: `const s = new Ed25519Signer(new Uint8Array(32).fill(5)); const m = new Uint8Array(40);`, op: `s.sign(m);` });

    // n consecutive sets of 200 new residents each, on an empty gate.
    const bulk = Array.from({ length: n }, (_, v) => set(v + 1, Array.from({ length: 200 }, (_, i) => resident(v * 200 + i + 1))));
    const bulkSet = await xsComputrons({
      imports, n,
      setup: `${gateSetup("new Registry({ deviceKey: new Uint8Array(32).fill(7), random: { fill: (b) => { b.fill(1); } } })", 0)}
const sets = [${bulk.map((h) => `"${h}"`).join(",")}].map(fromHex);`,
      op: `const out = sync.handleChangeSet(sets[next++], ${T}, target); if (out.applied === undefined) throw new Error(String(out.refused));`,
    });

    const rows: BenchRow[] = [
      { case: "Ed25519 verify (hub signature)", value: Math.round(verify), unit: "computrons" },
      { case: "Ed25519 sign (gate's ack)", value: Math.round(sign), unit: "computrons" },
      { case: "set of 200 new residents: verify, apply, ack", value: Math.round(bulkSet), unit: "computrons", baseline: verify, baselineName: "one verify" },
      { case: "  per resident applied", value: Math.round((bulkSet - verify - sign) / 200), unit: "computrons", note: "set cost less one verify and one ack signature, / 200" },
    ];
    for (const size of [1000, 5000]) {
      const small = Array.from({ length: n }, (_, v) => set(v + 1, [resident(size + v + 1)]));
      const one = await xsComputrons({
        imports, n,
        setup: `${gateSetup(`buildResidents(${size})`, 0)}
const sets = [${small.map((h) => `"${h}"`).join(",")}].map(fromHex);`,
        op: `const out = sync.handleChangeSet(sets[next++], ${T}, target); if (out.applied === undefined) throw new Error(String(out.refused));`,
      });
      rows.push({ case: `set of 1 change at ${size.toLocaleString("en-US")} residents`, value: Math.round(one), unit: "computrons", baseline: verify, baselineName: "one verify", note: "includes the rollback checkpoint (a copy of the registry tables)" });
    }
    // The hub's set-schedule staged at the gate: the console settings it gives, compiled as a technician's group add.
    const week = Array.from({ length: 7 }, (_, d) => (d < 5 ? [{ from: 480, to: 720 }, { from: 780, to: 1080 }] : [{ from: 540, to: 720 }]));
    const schedule = await xsComputrons({
      imports: `
import { compilePolicy, DEFAULT_LOCKOUT } from "./src/core/access/policy";
import { settingsPolicy } from "./src/app/console-settings";
import { withHubSchedules } from "./src/app/hub-schedules";
`, n,
      setup: `const settings = { groups: { all: { bit: 0, schedules: [] } }, schedules: {}, holidays: {}, config: {} };
const now = compilePolicy({ gateId: 1, modes: { card: true, pin: true, cardPin: true, face: false, facePin: false, code: true }, pinLength: { min: 6, max: 8 }, lockout: DEFAULT_LOCKOUT, timeZone: "CST-8", clockFloorMs: 0, groups: [] });
const changes = [{ kind: "set-schedule", group: 3, schedule: { name: "cleaners", week: ${JSON.stringify(week)}, holiday: [] } }, { kind: "set-holidays", days: [20500, 20501, 20502] }];`,
      op: `compilePolicy(settingsPolicy(withHubSchedules(settings, changes, false), now));`,
    });
    rows.push({ case: "set-schedule + set-holidays staged (settings compiled)", value: Math.round(schedule), unit: "computrons", baseline: verify, baselineName: "one verify", note: "a week of 12 windows and 3 holidays, at the console's 2 groups" });
    rows.push(...await templateRows(n, verify));
    return rows;
  },
};

/**
 * Templates within the consent's scope (docs/sync.md): a delivery opened at
 * the receiving gate (the hub's signature, X25519, HKDF, AES-GCM, the
 * plaintext decoded; the install into the gallery left out), and a 512-d
 * template sealed to one other gate and signed at the enrolling gate.
 */
async function templateRows(n: number, verify: number): Promise<BenchRow[]> {
  const seal2 = sealKeyPair(new Uint8Array(32).fill(2));
  let counter = 1;
  const random = { fill: (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (counter++ * 131 + i) & 0xff; } };
  const plain = encodeSharedTemplate({ model: { id: "bench", version: 1 }, enrolledAt: T, template: { dimension: 512, scale: 127, values: Int8Array.from({ length: 512 }, (_, i) => (i % 200) - 100) } });
  const sealed = sealTemplate(seal2.publicKey, plain, { gateId: 2, residentId: 42, scope: 7 }, random);
  const delivery = encodeDelivery({ gateId: 2, residentId: 42, fromGate: 1, scope: 7, grantedAt: T, issuedAt: T, keyId: keyIdOf(HUB_KEY), sealed }, (b) => ed25519.sign(b, HUB_SEED));
  const directory = encodeSealKeys({ gateId: 1, issuedAt: T, keyId: keyIdOf(HUB_KEY), keys: [{ gateId: 2, key: seal2.publicKey }] }, (b) => ed25519.sign(b, HUB_SEED));
  const imports = `
import { fromHex } from "./src/core/crypto";
import { Ed25519Signer } from "./src/core/ed25519";
import { sealKeyPair } from "./src/core/sync/gate-seal";
import { GateTemplates } from "./src/core/sync/template-share";
`;
  const setup = (gateId: number) => `
const signer = new Ed25519Signer(new Uint8Array(32).fill(5));
const keys = sealKeyPair(new Uint8Array(32).fill(${gateId}));
const g = new GateTemplates({ gateId: ${gateId}, hubKeys: [fromHex("${toHex(HUB_KEY)}")], sign: (b) => signer.sign(b), sealKeys: () => keys });
let counter = 1;
const random = { fill: (b) => { for (let i = 0; i < b.length; i++) b[i] = (counter++ * 131 + i) & 0xff; } };
`;
  const open = await xsComputrons({
    imports, n, setup: `${setup(2)} const d = fromHex("${toHex(delivery)}");`,
    op: `const out = g.handleDelivery(d, ${T}, { install: () => "installed" }); if (out.result !== "installed") throw new Error(String(out.result));`,
  });
  const share = await xsComputrons({
    imports, n, setup: `${setup(1)} if (!g.handleSealKeys(fromHex("${toHex(directory)}"), ${T}).ok) throw new Error("directory"); const plain = fromHex("${toHex(plain)}");`,
    op: `if (!g.share({ residentId: 42, scope: 7, grantedAt: ${T}, gates: [2], plain: plain.slice() }, random).message) throw new Error("share");`,
  });
  return [
    { case: "template delivery opened (verify, X25519, AES-GCM) and answered", value: Math.round(open), unit: "computrons", baseline: verify, baselineName: "one verify", note: "512-d; the install into gallery and vault not counted" },
    { case: "template shared: sealed to one gate and signed", value: Math.round(share), unit: "computrons", baseline: verify, baselineName: "one verify", note: "each further gate in scope adds one seal" },
  ];
}

export default suite;
