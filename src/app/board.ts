// What a board gives the firmware: ports for time, randomness, flash and the
// console link, the face pipeline's parts, and IO descriptors ({io, pin, ...})
// for every gate peripheral. boards/esp32s3-gate fills this from
// embedded:io and the pin map; boards/host from the chip models.
import type { Flash } from "../core/store/flash";
import type { Camera, Clock, ConsolePort, Embedder, Frame, Matcher, Random } from "../core/ports";
import type { DigitalSpec, SpiSpec } from "../drivers/io";

export interface GateDevice {
  rfid: { spi: SpiSpec; select: DigitalSpec; reset?: DigitalSpec };
  keypad: { rows: DigitalSpec[]; columns: DigitalSpec[]; keys?: string };
  /** Door strike relay. */
  relay: DigitalSpec;
  /** Door contact: reads 1 while the door is open (reed switch to ground when closed). */
  door: DigitalSpec;
  /** Exit button inside the compound, to ground. */
  exit: DigitalSpec;
  leds: { green: DigitalSpec; red: DigitalSpec };
  buzzer: DigitalSpec;
}

export interface Board {
  name: string;
  /** This gate's number in the compound (policy, audit, consent scope "gate-<n>"). */
  gateId: number;
  log(line: string): void;
  clock: Clock;
  random: Random;
  flash: Flash;
  device: GateDevice;
  /** Camera port (power switch + privacy LED + frame source), off until a face session. */
  camera: Camera;
  embedder: Embedder;
  matcher: Matcher;
  /** The one frame buffer for the camera's format. */
  frame: Frame;
  console: ConsolePort;
  /** Where prompts go (display, voice, or the simulator's screen); optional. */
  display?(text: string): void;
}
