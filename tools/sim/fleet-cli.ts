// The line interface of `npm start -- --gates N`: one status line per gate
// when it changes, the hub's office URL, and commands on stdin that act on
// one gate (the gates' own consoles are reached with `<gate> console <line>`).
import type { HostEvent } from "../../boards/host/protocol";
import type { FaceKind } from "../../boards/host/protocol";
import type { FleetSim } from "./fleet";

export const FLEET_HELP = `commands (one per line):
  <gate> card <uid hex>            a card held to gate <gate>'s reader
  <gate> keys <keys>               keys typed at its keypad (0-9 A-D * #)
  <gate> face <genuine|impostor> [identity] | <gate> face-off
  <gate> console <line>            a line on its technician console (answer printed)
  status                           every gate's line now
  help | quit`;

/** One line about a gate: its hub link, door and last decision. */
export function gateLine(id: number, sim: FleetSim["gates"][number]): string {
  const s = sim.state;
  const last = s.decisions.at(-1);
  const decision = last ? `last: ${last.via} ${last.grant ? "granted" : "denied"}${last.resident ? ` ${last.resident}` : ""} (${last.reason})` : "no decision yet";
  return `gate ${id}: ${sim.fleetStatus ?? "no hub"} | door ${s.relay ? "unlocked" : "locked"} | ${decision}`;
}

/** Runs one command line; returns what to print. */
export async function fleetCommand(fleet: FleetSim, line: string): Promise<string> {
  const words = line.trim().split(/\s+/);
  if (words[0] === "" ) return "";
  if (words[0] === "help") return FLEET_HELP;
  if (words[0] === "status") return fleet.gates.map((g, i) => gateLine(i + 1, g)).join("\n");
  const n = Number(words[0]);
  const sim = Number.isInteger(n) ? fleet.gates[n - 1] : undefined;
  if (!sim) return `no gate ${words[0]} (gates 1..${fleet.gates.length}); help lists the commands`;
  const rest = line.trim().slice(words[0].length).trim();
  const [verb, ...args] = rest.split(/\s+/);
  switch (verb) {
    case "card":
      if (!/^[0-9a-fA-F]{8,20}$/.test(args[0] ?? "")) return "card takes the card's UID in hex (8 to 20 digits)";
      await sim.presentCard(args[0]);
      return gateLine(n, sim);
    case "keys":
      if (!/^[0-9A-D*#]+$/.test(args[0] ?? "")) return "keys takes 0-9, A-D, * and #";
      await sim.type(args[0]);
      return gateLine(n, sim);
    case "face":
      if (args[0] !== "genuine" && args[0] !== "impostor") return "face takes genuine or impostor, then an identity";
      await sim.showFace(args[0] as FaceKind, args[1] ? Number(args[1]) : undefined);
      return `gate ${n}: ${args[0]} face in front of the camera`;
    case "face-off":
      await sim.hideFace();
      return `gate ${n}: nobody in front of the camera`;
    case "console":
      return (await sim.consoleLine(rest.slice("console".length).trim())).trimEnd();
    default:
      return `unknown command ${verb ?? ""}; help lists them`;
  }
}

/** The events worth a line while the gates run. */
export function fleetEventLine(id: number, event: HostEvent): string | undefined {
  if (event.e === "decision") return `gate ${id}: ${event.decision.via} ${event.decision.grant ? "granted" : "denied"}${event.decision.resident ? ` ${event.decision.resident}` : ""} (${event.decision.reason})`;
  if (event.e === "alarm") return `gate ${id}: alarm ${event.kind}`;
  if (event.e === "error") return `gate ${id}: error ${event.message}`;
  return undefined;
}
