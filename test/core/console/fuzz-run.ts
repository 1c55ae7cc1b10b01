// Drives a console with fuzz lines and checks the invariants after each one.
import { fuzzLine } from "./fuzz-lines";
import { Rig, seeded } from "./harness";

const PROMPT_OR_QUESTION = /(optgate> |optgate:tech1# |: )$/;

export function fuzzConsole(count: number, seed: number, loggedIn: boolean): { lines: number; mutations: number } {
  const next = seeded(seed);
  // A long idle timeout so the logged-in run stays logged in unless it logs itself out.
  const rig = new Rig({ idleMs: 1e12 });
  if (loggedIn) {
    rig.login();
    // Someone for random commands to act on, so some of them really change state.
    rig.backend.residentAdd("setup", { unit: "1", role: "owner", validFrom: null, validUntil: null, groups: [], card: "0A0B0C0D", pin: null });
  }
  for (let i = 0; i < count; i++) {
    const line = fuzzLine(next);
    let out: string;
    try {
      out = rig.send(line) + rig.send("\r");
    } catch (error) {
      throw new Error(`line ${i} (seed ${seed}) crashed the console: ${String(error)}`);
    }
    if (!PROMPT_OR_QUESTION.test(out)) throw new Error(`line ${i} (seed ${seed}) left no prompt: ${JSON.stringify(out.slice(-80))}`);
    if (!loggedIn && rig.backend.mutations !== 0) throw new Error(`line ${i} (seed ${seed}) changed state without login`);
    if (loggedIn && !rig.console.session.technician) rig.login(); // the fuzzer may type "logout"
    rig.now += next() % 1000;
  }
  // Every change the backend saw came from the logged-in technician, and was audited.
  const changes = rig.backend.log.filter((e) => e.actor !== "setup");
  for (const entry of changes) {
    if (entry.actor !== "tech1") throw new Error(`change by ${entry.actor}`);
  }
  const audited = rig.audit.filter((e) => e.outcome === "ok" && e.actor === "tech1").length;
  if (audited < changes.length) throw new Error(`${rig.backend.log.length} changes but ${audited} audit records`);
  if (!loggedIn && rig.audit.some((e) => e.actor !== "-")) throw new Error("audit record with an actor before login");
  // Still alive and answering.
  if (!rig.type("version").includes("optgate")) throw new Error("console stopped answering");
  return { lines: count, mutations: loggedIn ? changes.length : rig.backend.mutations };
}
