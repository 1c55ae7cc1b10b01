import assert from "node:assert/strict";
import { Session } from "../../../src/core/console/session";
import { checkPassword, hashPassword, makeTechnician, MemoryTechnicianDirectory } from "../../../src/core/console/technicians";
import { toHex } from "../../../src/core/crypto";

const key = new Uint8Array(32).fill(1);
const random = { fill: (b: Uint8Array) => b.fill(9) };

function rig() {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const directory = new MemoryTechnicianDirectory();
  directory.save(makeTechnician(key, random, "tech1", "password-1", "installer"));
  const session = new Session({ clock, deviceKey: key, directory, policy: { freeAttempts: 3, baseLockMs: 1000, maxLockMs: 8000, idleMs: 60_000 } });
  return { clock, session, directory };
}

describe("technician passwords", () => {
  it("are HMAC-SHA256 with the device key and a salt, never kept in clear", () => {
    const record = makeTechnician(key, random, "t", "password-1", "installer");
    assert.equal(record.hash.length, 32);
    assert.equal(toHex(record.hash), toHex(hashPassword(key, record.salt, "password-1")));
    assert.notEqual(toHex(record.hash), toHex(hashPassword(new Uint8Array(32).fill(2), record.salt, "password-1")), "device key matters");
    assert.ok(checkPassword(key, record, "password-1"));
    assert.ok(!checkPassword(key, record, "password-2"));
    assert.ok(!checkPassword(key, undefined, "password-1"));
    assert.throws(() => makeTechnician(key, random, "t", "short", "installer"), { code: "E_WEAK_PASSWORD" });
  });
});

describe("console session", () => {
  it("logs in with the right password only", () => {
    const { session } = rig();
    assert.throws(() => session.login("tech1", "nope"), { code: "E_BAD_LOGIN" });
    assert.throws(() => session.login("ghost", "password-1"), { code: "E_BAD_LOGIN", message: /Wrong technician id or password/ });
    assert.equal(session.technician, undefined);
    session.login("tech1", "password-1");
    assert.equal(session.technician, "tech1");
  });

  it("locks out with exponential backoff after the free attempts, capped", () => {
    const { session, clock } = rig();
    for (let i = 0; i < 2; i++) assert.throws(() => session.login("tech1", "x"), { code: "E_BAD_LOGIN" });
    assert.throws(() => session.login("tech1", "x"), { message: /locked for 1 s/ });
    assert.throws(() => session.login("tech1", "password-1"), { code: "E_LOCKED_OUT" }, "even the right password waits");
    const locks: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.t += session.lockRemaining();
      assert.throws(() => session.login("tech1", "x"), { code: "E_BAD_LOGIN" });
      locks.push(session.lockRemaining());
    }
    assert.deepEqual(locks, [2000, 4000, 8000, 8000, 8000]);
    clock.t += 8000;
    session.login("tech1", "password-1");
    assert.equal(session.failures, 0);
  });

  it("logs out after inactivity, and when the clock jumps back", () => {
    const { session, clock } = rig();
    session.login("tech1", "password-1");
    clock.t += 59_999;
    assert.equal(session.expireIfIdle(), false);
    session.touch();
    clock.t += 60_000;
    assert.equal(session.expireIfIdle(), true);
    assert.equal(session.technician, undefined);
    session.login("tech1", "password-1");
    clock.t -= 10;
    assert.equal(session.expireIfIdle(), true);
  });
});
