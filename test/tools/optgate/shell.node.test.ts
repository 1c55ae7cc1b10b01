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
});
