// Fuzzing the console over the real core: before login nothing may reach the
// registry, the policy, the store, the door or the clock; logged in, random
// commands may change things but never break the audit chain or leave an
// active resident without a card, PIN or code.
import assert from "node:assert/strict";
import { createSyntheticFrame, SyntheticEmbedder } from "../../boards/host/synthetic-embedder";
import { CoreConsoleBackend } from "../../src/app/console-backend";
import { GateCore } from "../../src/app/core";
import { Console } from "../../src/core/console/console";
import { makeTechnician } from "../../src/core/console/technicians";
import { fromHex, toHex } from "../../src/core/crypto";
import { TsMatcher } from "../../src/core/matcher/ts-matcher";
import { fuzzLine } from "../core/console/fuzz-lines";
import { seeded } from "../core/console/harness";

const PASSWORD = "fuzz-tech-pass";

function gate(seed: number) {
  const t = { now: Date.UTC(2026, 10, 25, 1) };
  const clock = { now: () => t.now };
  const next = seeded(seed);
  const random = { fill(b: Uint8Array) { for (let i = 0; i < b.length; i++) b[i] = next() & 255; } };
  const core = new GateCore({
    gateId: 1, clock, random, deviceKey: new Uint8Array(32).fill(2), matcher: new TsMatcher(128, 8),
    camera: { powered: false, powerOn() {}, powerOff() {}, capture: () => "error" },
    embedder: new SyntheticEmbedder({ dimension: 128 }), frame: createSyntheticFrame(),
    outputs: { unlock: () => undefined, signal: () => undefined, prompt: () => undefined },
  });
  core.registry.addResident({ unit: "1-1", role: "owner", groups: 1, cards: [fromHex("0A0B0C0D")], pin: "135790" });
  const stored = new Map<string, Uint8Array>();
  const hooks = { doors: 0, clocks: 0 };
  const backend = new CoreConsoleBackend({
    core, clock, random,
    settings: { get: (k) => stored.get(k), put: (k, v) => { stored.set(k, v.slice()); } },
    hooks: { openDoor: () => { hooks.doors++; }, setClock: (ms) => { hooks.clocks++; t.now = ms; } },
  });
  const deviceKey = new Uint8Array(32).fill(6);
  backend.technicians.save(makeTechnician(deviceKey, random, "tech1", PASSWORD, "installer"));
  let out = "";
  const console = new Console({ port: { write: (d) => { out += String(d); } }, clock, random, deviceKey, backend, audit: backend.audit, technicians: backend.technicians, policy: { idleMs: 1e12 } });
  const send = (bytes: Uint8Array | string) => { out = ""; console.receive(bytes); console.receive("\r"); return out; };
  return { t, core, stored, hooks, console, send, next };
}

describe("console fuzz over the real core", function () {
  this.timeout(300_000);

  it("100,000 random lines before login: registry, policy, store, door and clock untouched", () => {
    const g = gate(4242);
    const snapshot = toHex(g.core.registry.exportSnapshot());
    const policy = JSON.stringify(g.core.access.policy.modes);
    const stored = g.stored.size;
    for (let i = 0; i < 100_000; i++) {
      const out = g.send(fuzzLine(g.next));
      assert.match(out, /(optgate> |: )$/, `line ${i}`);
      g.t.now += g.next() % 2000;
    }
    assert.equal(toHex(g.core.registry.exportSnapshot()), snapshot);
    assert.equal(JSON.stringify(g.core.access.policy.modes), policy);
    assert.equal(g.stored.size, stored);
    assert.deepEqual(g.hooks, { doors: 0, clocks: 0 });
    // Failed logins, refused installation attempts (a technician exists) and refused lines in aggregate are audited, nothing else.
    let refused = 0;
    for (const e of g.core.audit.entries()) {
      if (e.kind === "console-refused") refused++;
      else assert.ok(e.kind === "technician-login-failed" || (e.kind === "technician-installed" && e.decision === "deny"), `${e.kind} ${e.decision}`);
    }
    assert.ok(refused >= 1, "refused lines are recorded");
    assert.equal(g.core.audit.verify().ok, true);
  });

  it("10,000 random lines logged in: the chain holds and every active resident keeps a card, PIN or code", () => {
    const g = gate(777);
    // The fuzzer can type "login tech1" and a wrong password itself, so wait out any lockout first.
    const login = () => {
      g.t.now += g.console.session.lockRemaining();
      g.send("login tech1");
      assert.match(g.send(PASSWORD), /Logged in/);
    };
    login();
    for (let i = 0; i < 10_000; i++) {
      g.send(fuzzLine(g.next));
      if (!g.console.session.technician) login();
    }
    assert.equal(g.core.audit.verify().ok, true);
    // Mutations that went through: recorded "info", or "grant" for a door opened from the console.
    const changes = g.core.audit.entries().filter((e) => e.actorKind === "technician" && e.decision !== "deny" && e.kind !== "technician-login").length;
    assert.ok(changes >= 10, `only ${changes} changes: the fuzzer should reach real commands`);
    for (const id of g.core.registry.ids()) {
      const r = g.core.registry.get(id)!;
      if (r.status === "active") assert.ok(r.cards > 0 || r.hasPin || r.codes > 0, `R${id}`);
    }
    assert.match(g.send("version"), /optgate \d/);
  });
});
