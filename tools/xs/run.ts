// Bundle an entry and run it once inside XS. Messages the script sends with
// issueCommand() come back as strings; the meter gives the computron count.
import path from "node:path";
import { bundleForXs, repoRoot, type BundleOptions } from "./bundle";
import { XsWorker, type CommandHandler, type Meter } from "./xsnap";

export interface RunOptions extends BundleOptions {
  meteringLimit?: number;
  /** Answers to issueCommand(); by default every message is collected and answered empty. */
  onCommand?: CommandHandler;
}

export interface RunResult {
  messages: string[];
  meter: Meter;
}

const decoder = new TextDecoder();

export async function runInXs(entry: string, options: RunOptions = {}): Promise<RunResult> {
  const script = await bundleForXs(entry, options);
  return runScriptInXs(script, options);
}

export async function runScriptInXs(script: string, options: RunOptions = {}): Promise<RunResult> {
  const messages: string[] = [];
  const worker = new XsWorker({
    meteringLimit: options.meteringLimit ?? 2_000_000_000,
    onCommand: (bytes) => {
      messages.push(decoder.decode(bytes));
      return options.onCommand?.(bytes);
    },
  });
  try {
    const reply = await worker.evaluate(script);
    return { messages, meter: reply.meter };
  } finally {
    await worker.close();
  }
}

/** Inline entry source, resolved from the repo root. */
export function inlineEntry(name: string, contents: string): { entry: string; contents: string; resolveDir: string } {
  return { entry: name, contents, resolveDir: repoRoot };
}

export const toolsXsDir = path.join(repoRoot, "tools/xs");
