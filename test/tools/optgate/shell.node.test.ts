import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { openLink } from "../../../tools/optgate/link";
import { runShell } from "../../../tools/optgate/shell";
import { startPtyGate, TECH } from "./pty-host";

describe("optgate shell", function () {
  this.timeout(30_000);
  it("passes keys through raw (Ctrl-C, hidden password) and leaves on Ctrl-]", async () => {
    const gate = startPtyGate();
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      const notice = new PassThrough();
      let screen = "";
      output.on("data", (c: Buffer) => { screen += c.toString(); });
      const done = runShell(await openLink({ port: gate.path }), { input, output, notice });
      const waitFor = async (pattern: RegExp) => {
        for (let i = 0; i < 500 && !pattern.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
        assert.match(screen, pattern);
      };
      await waitFor(/optgate> $/);
      input.write("door op\x03");
      await waitFor(/\^C\r\noptgate> $/);
      input.write(`login ${TECH.id}\r`);
      await waitFor(/Password: $/);
      input.write(`${TECH.password}\r`);
      await waitFor(/optgate:tech1# $/);
      assert.ok(!screen.includes(TECH.password));
      input.write("version\r\x1d");
      await done;
      assert.match(notice.read()?.toString() ?? "", /shell closed/);
      assert.equal(gate.core.registry.size, 0);
    } finally {
      gate.close();
    }
  });

  it("sends what was typed in the same keystroke burst as Ctrl-] before it closes the port", async () => {
    const gate = startPtyGate();
    try {
      const input = new PassThrough();
      const output = new PassThrough();
      let screen = "";
      output.on("data", (c: Buffer) => { screen += c.toString(); });
      const done = runShell(await openLink({ port: gate.path }), { input, output, notice: new PassThrough() });
      for (let i = 0; i < 500 && !/optgate> $/.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
      input.write(`login ${TECH.id}\r`);
      for (let i = 0; i < 500 && !/Password: $/.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
      input.write(`${TECH.password}\r`);
      for (let i = 0; i < 500 && !/optgate:tech1# $/.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
      // Three pasted lines and Ctrl-] in one chunk: the port closes only once they are all sent.
      const lines = [1, 2, 3].map((n) => `resident add --unit 9-90${n} --role owner --card 04a1b2c${n}\r`).join("");
      input.write(`${lines}\x1d`);
      await done;
      for (let i = 0; i < 300 && gate.core.registry.size < 3; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(gate.core.registry.size, 3, screen.slice(-400));
    } finally {
      gate.close();
    }
  });
});
