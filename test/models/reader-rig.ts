// A complete reader on the host: clock, GPIO, SPI bus, MFRC522 model with
// cards, the host IO classes and the real driver stack (Mfrc522Spi +
// CardReader). Tests, benchmarks and the simulator build one of these.
import { createHostHardware, type HostHardware } from "../../boards/host/io/index";
import { CardReader, type CardReaderOptions } from "../../src/drivers/card-reader";
import { Mfrc522Spi } from "../../src/drivers/mfrc522-spi";
import { Mfrc522Model } from "./mfrc522";

export const RIG_PINS = { clock: 7, miso: 8, mosi: 9, select: 1, reset: 2 } as const;

export interface ReaderRig {
  hw: HostHardware;
  model: Mfrc522Model;
  reader: CardReader;
  tags: string[];
  removed: string[];
  errors: string[];
  /** The last message seen for each error code. */
  messages: Map<string, string>;
  /** Advance the clock in `stepMs` steps for `ms`, ticking the reader each step. */
  run(ms: number, stepMs?: number): void;
}

export function hex(uid: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < uid.length; i++) s += (uid[i] < 16 ? "0" : "") + uid[i].toString(16);
  return s;
}

export function makeReaderRig(options: Partial<Omit<CardReaderOptions, "transport">> & { version?: number; withReset?: boolean } = {}): ReaderRig {
  const hw = createHostHardware();
  const model = new Mfrc522Model({ clock: hw.clock, version: options.version, gpio: hw.gpio, selectPin: RIG_PINS.select, resetPin: options.withReset ? RIG_PINS.reset : undefined });
  hw.spi.attach(RIG_PINS.select, model);
  const tags: string[] = [], removed: string[] = [], errors: string[] = [];
  /** The last message seen for each error code. */
  const messages = new Map<string, string>();
  const transport = new Mfrc522Spi({
    spi: { io: hw.io.SPI, clock: RIG_PINS.clock, in: RIG_PINS.miso, out: RIG_PINS.mosi, port: 1 },
    select: { io: hw.io.Digital, pin: RIG_PINS.select },
    reset: options.withReset ? { io: hw.io.Digital, pin: RIG_PINS.reset } : undefined,
  });
  const reader = new CardReader({
    onTag: (uid) => tags.push(hex(uid)),
    onTagRemoved: (uid) => removed.push(hex(uid)),
    onError: (e) => {
      errors.push(e.code);
      messages.set(e.code, e.message);
    },
    ...options,
    transport,
  });
  const run = (ms: number, stepMs = 5) => {
    const end = hw.clock.now + ms;
    while (hw.clock.now < end) {
      hw.clock.advance(stepMs);
      reader.tick(hw.clock.now);
    }
  };
  return { hw, model, reader, tags, removed, errors, messages, run };
}
