// The full command table, in the order `help` lists it.
import type { Command } from "../command";
import { credentialCommands } from "./credentials";
import { faceCommands } from "./face";
import { fleetCommands } from "./fleet";
import { groupCommands } from "./groups";
import { residentCommands } from "./residents";
import { systemCommands } from "./system";

export const allCommands: readonly Command[] = [...systemCommands, ...residentCommands, ...credentialCommands, ...groupCommands, ...faceCommands, ...fleetCommands];
