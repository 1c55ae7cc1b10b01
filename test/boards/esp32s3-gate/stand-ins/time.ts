// Moddable's `time` module: ticks as the ESP32 hands them over (uint32 ms seen as int32), set() in seconds.
import { world } from "./rig";
export default {
  get ticks() {
    return world.rawTicks | 0;
  },
  set(seconds: number) {
    world.clockSets.push(seconds);
  },
};
