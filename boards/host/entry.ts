// Host board entry, bundled for xsnap-worker: the firmware runs inside XS and
// the Node simulator (tools/sim/) drives it through handleCommand(); see
// protocol.ts for the messages and link.ts for the flash round trips.
import { boot } from "../../src/app/firmware";
import { decodeJson, encodeJson } from "./link";
import type { HostCommand, HostEvent, HostState } from "./protocol";
import { advanceTimers, startTimers, timerNow } from "./timer";

const events: HostEvent[] = [];
let booted = false;

function state(): HostState {
  return { now: timerNow(), booted, relay: false, doorOpen: false, leds: {}, buzzer: false, cameraPowered: false, prompt: "", keypad: "", decisions: [] };
}

function handle(command: HostCommand): void {
  switch (command.t) {
    case "boot":
      startTimers(command.now);
      boot({ name: "host", log: (line) => events.push({ e: "log", line }) });
      booted = true;
      return;
    case "tick":
      advanceTimers(command.now);
      return;
    default:
      return;
  }
}

(globalThis as Record<string, unknown>).handleCommand = (message: ArrayBuffer): ArrayBuffer => {
  try {
    handle(decodeJson(message) as HostCommand);
  } catch (error) {
    events.push({ e: "error", message: String(error) });
  }
  const reply = encodeJson({ events, state: state() });
  events.length = 0;
  return reply;
};
