// npm run hub: one command starts the hub with its embedded database and
// broker, keeps its signing key and its data across restarts, stops cleanly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { repoRoot } from "../../../tools/xs/bundle";

function startHub(data: string): Promise<{ line: string; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ["--import=tsx", "tools/hub/main.ts", "--data", data, "--port", "0", "--web", "0"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("hub ready"));
      if (line) resolve({ line, stop: () => new Promise((r) => { child.once("exit", (code) => r(code)); child.kill("SIGTERM"); }) });
    });
    child.once("exit", (code) => reject(new Error(`hub exited (${code}) before it was ready: ${err}`)));
  });
}

describe("npm run hub", () => {
  it("starts with the embedded database and broker, keeps its key across restarts, stops cleanly", async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), "optgate-hub-"));
    try {
      const first = await startHub(data);
      const match = /broker (mqtt:\/\/\S+), database pglite, hub public key ([0-9a-f]{64})/.exec(first.line);
      assert.ok(match, first.line);
      const client = await mqtt.connectAsync(match[1], { protocolVersion: 4, reconnectPeriod: 0 });
      await client.endAsync();
      assert.equal(statSync(path.join(data, "hub.key")).mode & 0o777, 0o600);
      // The office page, with its first installer account's password in a private file.
      const office = /office (http:\/\/127\.0\.0\.1:\d+)/.exec(first.line);
      assert.ok(office, first.line);
      const passwordFile = path.join(data, "office-admin-password");
      assert.equal(statSync(passwordFile).mode & 0o777, 0o600);
      const login = await fetch(`${office[1]}/login`, {
        method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "admin", password: readFileSync(passwordFile, "utf8").trim() }),
      });
      assert.equal(login.status, 303);
      assert.match(login.headers.get("set-cookie") ?? "", /og_session=[^;]+;.*HttpOnly.*SameSite=Strict/i);
      assert.equal((await fetch(`${office[1]}/residents`, { redirect: "manual" })).status, 303, "no page without a session");
      assert.equal(await first.stop(), 0);
      const second = await startHub(data);
      assert.ok(second.line.includes(match[2]), "the same signing key after a restart");
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
