// Host board entry, bundled for xsnap-worker: the firmware runs inside XS and
// talks to the Node side through issueCommand().
import { boot } from "../../src/app/firmware";

declare function issueCommand(message: ArrayBuffer): ArrayBuffer;
const send = (value: unknown) => issueCommand(new TextEncoder().encode(JSON.stringify(value)).buffer as ArrayBuffer);

const state = boot({ name: "host", log: (line) => send({ log: line }) });
send({ state, engine: typeof (globalThis as Record<string, unknown>).process === "undefined" ? "XS" : "not XS" });
