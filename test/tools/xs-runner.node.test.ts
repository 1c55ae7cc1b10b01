import assert from "node:assert/strict";
import { bundleForXs } from "../../tools/xs/bundle";
import { runScriptInXs } from "../../tools/xs/run";
import { XsWorker } from "../../tools/xs/xsnap";

describe("XS runner (xsnap-worker over netstrings)", () => {
  it("evaluates a script and reports computrons", async () => {
    const small = await runScriptInXs("let s = 0; for (let i = 0; i < 10; i++) s += i; issueCommand(new TextEncoder().encode(String(s)).buffer);");
    const large = await runScriptInXs("let s = 0; for (let i = 0; i < 10000; i++) s += i; issueCommand(new TextEncoder().encode(String(s)).buffer);");
    assert.deepEqual(small.messages, ["45"]);
    assert.deepEqual(large.messages, ["49995000"]);
    assert.ok(large.meter.compute > small.meter.compute * 10, `${large.meter.compute} vs ${small.meter.compute}`);
  });

  it("answers issueCommand synchronously from the host", async () => {
    const worker = new XsWorker({ onCommand: (bytes) => `echo:${new TextDecoder().decode(bytes)}` });
    try {
      await worker.evaluate(`globalThis.answer = String.fromArrayBuffer ? "" : ""; const r = issueCommand(new TextEncoder().encode("ping").buffer); globalThis.answer = new TextDecoder().decode(r);`);
      const reply = await worker.evaluate("new TextEncoder().encode(globalThis.answer).buffer");
      assert.equal(new TextDecoder().decode(reply.result), "echo:ping");
    } finally {
      await worker.close();
    }
  });

  it("stops a runaway loop with the meter and reports an error, not a hang", async () => {
    await assert.rejects(runScriptInXs("for (;;) {}", { meteringLimit: 1_000_000 }), /meter limit/);
  });

  it("reports an exception thrown inside XS", async () => {
    await assert.rejects(runScriptInXs("throw new Error('boom')"), /boom/);
  });

  it("refuses to bundle Node built-ins for XS", async () => {
    await assert.rejects(bundleForXs("entry.ts", { contents: "import fs from 'node:fs'; fs.readFileSync('x');" }), /Node built-in/);
  });

  it("runs in XS, which lacks what Node has", async () => {
    const probe = ["structuredClone", "setTimeout", "console", "process", "Intl"]
      .map((name) => `${name}:typeof globalThis.${name}`).join(",");
    const { messages } = await runScriptInXs(`issueCommand(new TextEncoder().encode(JSON.stringify({${probe}})).buffer)`);
    assert.deepEqual(JSON.parse(messages[0]), {
      structuredClone: "undefined", setTimeout: "undefined", console: "undefined", process: "undefined", Intl: "undefined",
    });
  });
});
