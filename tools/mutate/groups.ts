// The safety-critical modules under mutation testing (issue 17), each with the
// tests that are about it. A mutant runs only the tests that reached it.
export interface MutationGroup {
  mutate: string[];
  spec: string[];
  /** Spec files left out: scale runs that take minutes per mutant and test no logic the others miss. */
  skip?: string[];
}

export const GROUPS: Record<string, MutationGroup> = {
  relay: { mutate: ["src/drivers/relay.ts"], spec: ["test/drivers/relay.test.ts"] },
  "card-reader": { mutate: ["src/drivers/card-reader.ts"], spec: ["test/drivers/card-reader.test.ts", "test/drivers/card-reader-protocol.test.ts", "test/drivers/card-reader-fuzz.test.ts"] },
  records: { mutate: ["tools/optgate/records.ts"], spec: ["test/tools/optgate/records.node.test.ts", "test/tools/optgate/cli.node.test.ts"] },
  audit: {
    mutate: ["src/core/audit/*.ts"],
    spec: ["test/core/audit/*.test.ts", "test/app/audit-store.test.ts", "test/tools/optgate/witness.node.test.ts", "test/core/ed25519.test.ts"],
  },
  access: {
    mutate: ["src/core/access/*.ts"],
    // The gate core and its console decide through AccessCore: their tests are about it too.
    spec: ["test/core/access/*.test.ts", "test/app/core.test.ts", "test/app/console-backend.test.ts", "test/app/persistence-codes.test.ts", "test/app/persistence-integrity.test.ts", "test/app/local-days.test.ts"],
    skip: ["test/core/access/scale.test.ts"],
  },
  face: { mutate: ["src/core/face/*.ts"], spec: ["test/core/face/*.test.ts"] },
  mqtt: {
    mutate: ["src/core/mqtt/*.ts", "src/app/mqtt-tcp-link.ts"],
    spec: ["test/core/mqtt/codec.test.ts", "test/core/mqtt/codec-edges.test.ts", "test/core/mqtt/client.test.ts", "test/core/mqtt/session-faults.test.ts", "test/app/mqtt-tcp-link.test.ts"],
  },
  // Sync messages from the back office: a forged, replayed or stale one must never change the registry.
  sync: { mutate: ["src/core/sync/*.ts"], spec: ["test/core/sync/*.test.ts"] },
  // The hub's signed time against the gate's own clocks: a mutant here lets a hub key walk the clock.
  time: { mutate: ["src/core/time/hub-clock.ts"], spec: ["test/app/clock-source-hub.test.ts"] },
  store: {
    mutate: ["src/core/store/*.ts"],
    // Fast unit tests first: a mutant runs its tests in this order, --bail, so most die in milliseconds.
    spec: [
      "test/core/store/format.test.ts", "test/core/store/store-ops.test.ts", "test/core/store/log-walk.test.ts", "test/core/store/erase-proof.test.ts", "test/core/store/sealed-copies.test.ts", "test/core/store/log-store-edges.test.ts", "test/core/store/log-store-abort.test.ts", "test/core/store/wear.test.ts",
      "test/core/store/log-store.test.ts", "test/core/store/power-cut.test.ts", "test/core/store/recovery-ram.test.ts",
    ],
  },
};
