// The gate's peripherals, opened from the board's IO descriptors with the
// real drivers, and routed to the gate controller. Each driver is advanced by
// tick(now) from the firmware's one timer, so no step blocks the XS thread.
import type { OptgateError } from "../core/errors";
import type { Gate } from "../core/gate/gate";
import { CardReader } from "../drivers/card-reader";
import { Keypad } from "../drivers/keypad";
import { Mfrc522Spi } from "../drivers/mfrc522-spi";
import type { GateDevice } from "./board";

export interface HardwareOptions {
  device: GateDevice;
  /** The gate is built after the hardware (its outputs drive the relay), so events look it up late. */
  gate: () => Gate;
  now: () => number;
  /** Driver faults (never with UID bytes or keys). */
  onError?: (error: OptgateError) => void;
}

export class GateHardware {
  readonly reader: CardReader;
  readonly keypad: Keypad;

  constructor(o: HardwareOptions) {
    const { device } = o;
    this.reader = new CardReader({
      transport: new Mfrc522Spi({ spi: device.rfid.spi, select: device.rfid.select, reset: device.rfid.reset }),
      onTag: (uid) => o.gate().card(uid, o.now()),
      onError: o.onError,
    });
    this.keypad = new Keypad({
      rows: device.keypad.rows,
      columns: device.keypad.columns,
      keys: device.keypad.keys,
      onKey: (key) => o.gate().key(key, o.now()),
      onError: o.onError,
    });
  }

  tick(now: number): void {
    this.reader.tick(now);
    this.keypad.tick(now);
  }

  close(): void {
    this.reader.close();
    this.keypad.close();
  }
}
