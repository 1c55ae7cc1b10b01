// Moddable entry on the gate board (esp32/* platforms): the manifest names this
// module ("src/app/main") as creation.main. It builds the ESP32-S3 Board
// (boards/esp32s3-gate/board.ts), boots the firmware under its supervisor
// (store recovery, core, drivers, the 10 ms tick timer; safe mode when that
// fails) and routes the console UART's bytes to it. A board that cannot even
// be built (a bad manifest config, no storage partition) still gets the safe
// mode on the pin map: the exit button must open the strike whatever failed.
// The lin platform has no gate hardware and boots src/app/lin-main instead.
import Timer from "timer";
import { createDeviceBoard } from "../../boards/esp32s3-gate/board";
import { openGateDevice } from "../../boards/esp32s3-gate/pins";
import { monotonicTicks } from "../drivers/monotonic-ticks";
import Time from "time";
import { SafeMode } from "./safe-mode";
import { startFirmware } from "./start";
import { TICK_MS } from "./firmware";

declare const trace: (...values: unknown[]) => void;

export default function main(): void {
  let board;
  try {
    board = createDeviceBoard();
  } catch (error) {
    const log = (line: string) => trace(`${line}\n`);
    const reason = `the board did not start: ${error instanceof Error ? error.message : String(error)}`;
    const safe = new SafeMode({ device: openGateDevice().device, log, ticks: monotonicTicks(() => Time.ticks), reason });
    Timer.repeat(() => safe.tick(), TICK_MS);
    return;
  }
  const gate = startFirmware(board);
  board.consoleInput((bytes) => gate.receiveConsole(bytes));
}
