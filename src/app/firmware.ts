// The firmware's entry: everything board-specific arrives in `board`.
import { FIRMWARE_NAME, FIRMWARE_VERSION } from "../core/version";

export interface BoardInfo {
  name: string;
  log(line: string): void;
}

export function boot(board: BoardInfo): { name: string; version: string; board: string } {
  const state = { name: FIRMWARE_NAME, version: FIRMWARE_VERSION, board: board.name };
  board.log(`${FIRMWARE_NAME} ${FIRMWARE_VERSION} booted on ${board.name}`);
  return state;
}
