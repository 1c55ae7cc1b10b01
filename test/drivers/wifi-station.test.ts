// WifiStation over a model of Moddable's `wifi` module as its ESP32 build
// behaves (test/models/moddable-wifi.ts: the driver's own 5 retries, the -1
// reason for a rejected password, reports from the event loop) and an
// access point that comes and goes.
import assert from "node:assert/strict";
import { JOIN_TIMEOUT_MS, RETRY_MAX_MS, RETRY_MIN_MS, WifiStation } from "../../src/drivers/wifi-station";
import { WifiWorld } from "../models/moddable-wifi";

const OFFICE = { ssid: "Office", password: "correct horse" };

function rig() {
  const world = new WifiWorld();
  const logs: string[] = [];
  const station = new WifiStation({ wifi: world.WiFi, address: () => world.address(), timer: world.Timer, log: (line) => logs.push(line) });
  return { world, station, logs };
}

describe("WifiStation (Moddable wifi module, ESP32 behaviour)", () => {
  it("is off and leaves the radio alone until it has settings, also when told there are none", () => {
    const { world, station } = rig();
    assert.equal(station.status(), "off");
    station.connect(undefined);
    world.run(10_000);
    assert.equal(station.status(), "off");
    assert.equal(world.mode, undefined, "radio never started");
    assert.deepEqual(world.connectCalls, []);
    assert.equal(world.disconnectCalls, 0);
  });

  it("joins as a station and reports its address once DHCP has answered", () => {
    const { world, station, logs } = rig();
    station.connect(OFFICE);
    assert.equal(station.status(), "connecting Office");
    assert.equal(world.mode, world.WiFi.Mode.station);
    assert.deepEqual(world.connectCalls, [{ ssid: "Office", password: "correct horse" }]);
    world.run(world.attemptMs);
    assert.equal(station.status(), "connecting Office", "joined, no address yet");
    world.run(world.dhcpMs);
    assert.equal(station.status(), "connected 192.168.1.50");
    assert.ok(logs.includes("wifi: connected to Office as 192.168.1.50"), logs.join("\n"));
    assert.equal(world.pendingTimers, 0, "the join timeout is cleared");
  });

  it("joins an open network without a password field", () => {
    const { world, station } = rig();
    world.ap.password = "";
    station.connect({ ssid: "Office", password: "" });
    assert.deepEqual(world.connectCalls, [{ ssid: "Office" }]);
    world.run(5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
  });

  it("a rejected password fails after the driver's own retries, is tried again at the slowest pace, and never shows the password", () => {
    const { world, station, logs } = rig();
    world.ap.password = "another password";
    station.connect(OFFICE);
    world.run(6 * world.attemptMs);
    assert.equal(world.attempts.length, 6, "one join and the driver's 5 retries");
    assert.equal(station.status(), "failed: Office rejected the password (set it again: wifi set)");
    const failedAt = world.now;
    world.run(RETRY_MAX_MS - 1);
    assert.equal(world.connectCalls.length, 1, "not before the slowest delay");
    world.run(1);
    assert.equal(world.connectCalls.length, 2);
    assert.equal(world.now - failedAt, RETRY_MAX_MS);
    assert.equal(station.status(), "connecting Office");
    // The technician types the right one: joined at once, whatever the pending retry.
    world.ap.password = "correct horse";
    station.connect({ ssid: "Office", password: "correct horse" });
    world.run(5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
    for (const line of [...logs, station.status()]) assert.ok(!/correct horse|another password/.test(line), line);
  });

  it("retries a network it cannot find with a doubling delay, and joins when it appears", () => {
    const { world, station, logs } = rig();
    world.ap.inRange = false;
    station.connect(OFFICE);
    // When JavaScript (not the driver's own retries) started each join.
    const starts = [0];
    let seen = 1;
    for (let t = 0; t < 400_000; t += 100) {
      world.run(100);
      if (world.connectCalls.length > seen) { seen = world.connectCalls.length; starts.push(world.now); }
    }
    assert.equal(station.status(), "failed: Office not found or not answering");
    const joinMs = 6 * world.attemptMs; // the driver's retries before it reports
    const delays = starts.slice(1).map((at, i) => at - starts[i] - joinMs);
    const expected = [RETRY_MIN_MS, 2 * RETRY_MIN_MS, 4 * RETRY_MIN_MS, 8 * RETRY_MIN_MS, 16 * RETRY_MIN_MS, RETRY_MAX_MS];
    assert.deepEqual(delays.slice(0, expected.length), expected);
    assert.ok(delays.slice(expected.length).every((d) => d === RETRY_MAX_MS), `never slower than the slowest: ${delays}`);
    assert.ok(logs.some((l) => l === "wifi: Office not found or not answering; trying again in 5 s"), logs.join("\n"));
    world.ap.inRange = true;
    world.run(RETRY_MAX_MS + 5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
    // After a success the delay starts small again.
    world.dropAccessPoint();
    world.run(0);
    assert.equal(station.status(), "connecting Office");
    const before = world.connectCalls.length;
    world.run(joinMs + RETRY_MIN_MS);
    assert.equal(world.connectCalls.length, before + 1, "tried again after the shortest delay");
  });

  it("joins again at once when a joined network is lost, and holds when it cannot", () => {
    const { world, station, logs } = rig();
    station.connect(OFFICE);
    world.run(5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
    world.dropAccessPoint();
    world.run(0);
    assert.ok(logs.includes("wifi: lost Office; joining again"), logs.join("\n"));
    assert.equal(world.connectCalls.length, 2, "a new join right away");
    assert.equal(station.status(), "connecting Office");
    world.run(6 * world.attemptMs);
    assert.equal(station.status(), "failed: Office not found or not answering");
    world.ap.inRange = true;
    world.run(RETRY_MIN_MS + 5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
  });

  it("gives up a join that brings no address and tries again", () => {
    const { world, station } = rig();
    world.ap.dhcp = false;
    station.connect(OFFICE);
    world.run(JOIN_TIMEOUT_MS - 1);
    assert.equal(station.status(), "connecting Office");
    world.run(1);
    assert.equal(station.status(), `failed: joined Office but got no address (DHCP) in ${JOIN_TIMEOUT_MS / 1000} s`);
    assert.equal(world.disconnectCalls, 1, "the stuck join is left");
    world.ap.dhcp = true;
    world.run(RETRY_MIN_MS + 5_000);
    assert.equal(station.status(), "connected 192.168.1.50");
  });

  it("settings removed: leaves the network, and the driver's disconnect report starts nothing", () => {
    const { world, station, logs } = rig();
    station.connect(OFFICE);
    world.run(5_000);
    station.connect(undefined);
    assert.equal(station.status(), "off");
    assert.equal(world.disconnectCalls, 1);
    world.run(RETRY_MAX_MS * 3);
    assert.equal(station.status(), "off");
    assert.equal(world.connectCalls.length, 1, "no join after off");
    assert.equal(world.pendingTimers, 0);
    assert.ok(logs.includes("wifi: left Office"), logs.join("\n"));
  });

  it("the same settings again keep the join; other settings join the other network", () => {
    const { world, station } = rig();
    station.connect(OFFICE);
    world.run(5_000);
    station.connect({ ...OFFICE });
    world.run(5_000);
    assert.equal(world.connectCalls.length, 1);
    assert.equal(station.status(), "connected 192.168.1.50");
    world.ap = { ssid: "Gatehouse", password: "gatehouse-pass", inRange: true, dhcp: true, address: "10.0.0.7" };
    station.connect({ ssid: "Gatehouse", password: "gatehouse-pass" });
    assert.equal(station.status(), "connecting Gatehouse");
    world.run(10_000);
    assert.equal(station.status(), "connected 10.0.0.7");
    assert.deepEqual(world.connectCalls.map((c) => c.ssid), ["Office", "Gatehouse"]);
  });

  it("a driver that refuses the settings is a failure with its reason, tried again later, not an exception", () => {
    const { world, station } = rig();
    const ssid = "x".repeat(33); // hub-settings refuses this before it is stored; the driver's own check is the last word
    assert.doesNotThrow(() => station.connect({ ssid, password: "correct horse" }));
    assert.equal(station.status(), "failed: the Wi-Fi driver refused (ssid too long - 32 bytes max)");
    world.run(RETRY_MIN_MS);
    assert.equal(world.connectCalls.length, 2);
  });
});
