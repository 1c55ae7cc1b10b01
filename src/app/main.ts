// Moddable entry on the gate board (esp32/* platforms): the manifest names this
// module ("src/app/main") as creation.main. It builds the ESP32-S3 Board
// (boards/esp32s3-gate/board.ts), boots the firmware (store recovery, core,
// drivers, the 10 ms tick timer) and routes the console UART's bytes to it.
// The lin platform has no gate hardware and boots src/app/lin-main instead.
import { createDeviceBoard } from "../../boards/esp32s3-gate/board";
import { startFirmware } from "./firmware";

export default function main(): void {
  const board = createDeviceBoard();
  const firmware = startFirmware(board);
  board.consoleInput((bytes) => firmware.receiveConsole(bytes));
}
