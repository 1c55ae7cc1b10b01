// Starts the gate on a board: the supervisor (firmware, or safe mode when it
// cannot serve) ticked every TICK_MS by Moddable's timer. Never throws.
//
//   const gate = startFirmware(board);
//   board.consoleInput((bytes) => gate.receiveConsole(bytes));
import Timer from "timer";
import type { Board } from "./board";
import { TICK_MS } from "./firmware";
import { Supervisor } from "./supervisor";

export function startFirmware(board: Board): Supervisor {
  const supervisor = new Supervisor(board);
  Timer.repeat(() => supervisor.tick(), TICK_MS);
  return supervisor;
}
