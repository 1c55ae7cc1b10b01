// The hub and Wi-Fi commands end to end: Console → CoreConsoleBackend →
// the real store (a LogStore on a NorFlash) and audit chain. Installers
// change, every technician reads; each change is audited without a secret
// and restarts the link; the Wi-Fi password is typed hidden and appears in
// no transcript, audit record, log output or flash dump. Portable (Node and XS).
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import { HUB_PASSWORD_KEY, HUB_SETTINGS_KEY, HUB_TLS_KEY, readBrokerPassword, readHubSettings, readHubTls, readWifiSettings, WIFI_SETTINGS_KEY } from "../../src/app/hub-settings";
import { caDerFromText } from "../../src/core/tls/ca-certificate";
import { CA_PEM, CA_SHA256, LEAF_PEM } from "../support/test-ca-certs";
import { makeTechnician } from "../../src/core/console/technicians";
import { sha256, toHex, utf8 } from "../../src/core/crypto";
import { LogStore } from "../../src/core/store/log-store";
import { blankFlash, boot } from "./boot-rig";
import { consoleRig, lcgRandom, PASSWORD } from "./console-rig";
import { containsBytes as contains } from "./byte-scan";

const KEY_A = new Uint8Array(32).map((_, i) => 0xa0 + i);
const KEY_B = new Uint8Array(32).map((_, i) => 0x10 + 3 * i);
const KEY_C = new Uint8Array(32).fill(0x5c);
const WIFI_PASSWORD = "Gate-Net pass 2026";


function fleetRig() {
  const flash = new NorFlash(128 * 1024);
  const store = LogStore.open(flash, { random: lcgRandom(3) });
  const link = { status: "connected to hub.example.org:8883 (version 12 applied)", restarts: 0 };
  const rig = consoleRig({ settings: store, hooks: { hubStatus: () => link.status, onFleetSettingsChanged: () => { link.restarts++; } } });
  let transcript = "";
  const type = (line: string) => { const out = rig.type(line); transcript += out; return out; };
  const securitySince = (seq: number) => rig.core.audit.entries().filter((e) => e.log === "security" && e.seq > seq);
  return { ...rig, flash, store, link, type, transcript: () => transcript, securitySince };
}

describe("console: hub and Wi-Fi settings", () => {
  it("an installer sets the hub, rotates its key and takes the gate off; hub show tells it; each change is audited and restarts the link", () => {
    const { type, json, login, store, link, core, securitySince } = fleetRig();
    login();
    const start = core.audit.security.head().seq;
    const off = type("hub show");
    assert.match(off, /hub: +off\r\n/);
    assert.match(off, /gate: +1\r\n/);
    assert.match(off, /link: +connected to hub\.example\.org:8883 \(version 12 applied\)/);

    assert.match(type("hub set hub.example.org 8883 7"), /E_HUB_KEY_REQUIRED: This gate holds no hub key yet/);
    assert.match(type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`), /Hub settings stored; the link restarts with them\./);
    assert.deepEqual(readHubSettings(store), { settings: { compoundId: 7, host: "hub.example.org", port: 8883, hubKeys: [KEY_A] } });
    assert.match(type(`hub key add ${toHex(KEY_B).toUpperCase()}`), /Hub key added\./);
    assert.match(type(`hub key add ${toHex(KEY_B)}`), /E_DUPLICATE_KEY: Hub key 101316191c1f2225\.\.\. is already trusted/);
    assert.match(type(`hub key add ${toHex(KEY_C)}`), /E_TOO_MANY_KEYS: A gate trusts at most 2 hub keys/);
    const shown = type("hub show");
    assert.match(shown, /hub: +hub\.example\.org:8883, compound 7\r\n/);
    assert.match(shown, new RegExp(`hub key 1: a0a1a2a3a4a5a6a7\\.\\.\\. \\(key id ${toHex(sha256(KEY_A).subarray(0, 8))}\\)`));
    assert.match(shown, new RegExp(`hub key 2: 101316191c1f2225\\.\\.\\. \\(key id ${toHex(sha256(KEY_B).subarray(0, 8))}\\)`));
    assert.deepEqual(json("hub show").data, {
      enabled: true, host: "hub.example.org", port: 8883, compound: 7,
      keys: [
        { slot: 1, fingerprint: "a0a1a2a3a4a5a6a7", keyId: toHex(sha256(KEY_A).subarray(0, 8)) },
        { slot: 2, fingerprint: "101316191c1f2225", keyId: toHex(sha256(KEY_B).subarray(0, 8)) },
      ],
      gateId: 1, gateKey: null, sealKey: null, password: false, transport: "tcp", ca: null, link: link.status, damage: null,
    });

    assert.match(type("hub key remove 1"), /Hub key removed\./);
    assert.deepEqual(readHubSettings(store).settings?.hubKeys, [KEY_B]);
    assert.match(type("hub key remove 2"), /E_NO_KEY: There is no hub key 2/);
    assert.match(type("hub key remove 1"), /E_LAST_KEY: That is the only hub key/);
    assert.match(type("hub set 10.0.0.2 1883 4294967295"), /compound 4294967295/);
    assert.deepEqual(readHubSettings(store).settings, { compoundId: 2 ** 32 - 1, host: "10.0.0.2", port: 1883, hubKeys: [KEY_B] }, "the key held stays");
    assert.match(type("hub set bad_host 8883 7"), /E_BAD_HUB_SETTING: The hub host has a character/);
    assert.match(type("hub set hub.example.org 0 7"), /E_BAD_ARGUMENT: port/);
    assert.match(type("hub set hub.example.org 8883 0"), /E_BAD_ARGUMENT: compound/);
    assert.match(type("hub key add 12ab"), /E_BAD_HUB_KEY: A hub key is 64 hex digits/);
    assert.equal(readHubSettings(store).settings?.host, "10.0.0.2", "nothing refused was stored");
    assert.match(type("hub off"), /Hub settings deleted; this gate no longer syncs\.\r\nhub: +off/);
    assert.deepEqual(readHubSettings(store), {});
    assert.match(type(`hub key add ${toHex(KEY_A)}`), /E_NO_HUB: No hub is set/);

    assert.equal(link.restarts, 5, "set, key add, key remove, set, off");
    assert.deepEqual(securitySince(start).map((e) => `${e.kind} ${e.decision} ${e.detail}`), [
      "setting-changed deny E_HUB_KEY_REQUIRED hub.example.org host=",
      "setting-changed info hub c7 hub.example.org:8883",
      "setting-changed info hub key +101316191c1f2225",
      "setting-changed deny E_DUPLICATE_KEY 101316191c1f2225282b2e31",
      "setting-changed deny E_TOO_MANY_KEYS 5c5c5c5c5c5c5c5c5c5c5c5c",
      "setting-changed info hub key -a0a1a2a3a4a5a6a7",
      "setting-changed deny E_NO_KEY 2 slot=2",
      "setting-changed deny E_LAST_KEY 1 slot=1",
      "setting-changed info hub c4294967295 10.0.0.2:1883",
      "setting-changed deny E_BAD_HUB_SETTING bad_host host=bad_host",
      "setting-changed deny E_BAD_HUB_KEY 12ab key=12ab",
      "setting-changed info hub off",
      "setting-changed deny E_NO_HUB a0a1a2a3a4a5a6a7a8a9aaabacadaea",
    ]); // details stop at 40 characters (MAX_DETAIL)
    assert.ok(securitySince(start).every((e) => e.actorKind === "technician"));
  });

  it("wifi set asks the password hidden, twice; it is in no transcript, audit record, log output or flash image", () => {
    const { type, json, login, store, flash, link, core, transcript, securitySince } = fleetRig();
    login();
    const start = core.audit.security.head().seq;
    assert.match(type("wifi show"), /wifi: +off/);
    assert.match(type("wifi set GateNet"), /Wi-Fi password for GateNet \(8-63 characters, Enter alone for an open network; hidden\): $/);
    assert.equal(type(WIFI_PASSWORD), "\r\nRepeat the password: ", "nothing typed is echoed");
    assert.match(type(WIFI_PASSWORD), /Wi-Fi settings stored; the link restarts with them\.\r\nwifi: +GateNet\r\n/);
    assert.deepEqual(readWifiSettings(store).settings, { ssid: "GateNet", password: WIFI_PASSWORD });
    assert.deepEqual(json("wifi show").data, { enabled: true, ssid: "GateNet", open: false, damage: null });

    // Refused: the two entries differ; a password the rules refuse (not repeated back); the password on the command line.
    type(`wifi set "Other Net"`); type("first-password"); assert.match(type("second-password"), /E_MISMATCH: The two passwords differ; nothing was changed\./);
    type(`wifi set "Other Net"`); assert.match(type("short"), /E_BAD_WIFI_SETTING: A Wi-Fi password is 8\.\.63 printable ASCII characters/);
    assert.match(type("wifi set x".padEnd(44, "x")), /E_BAD_ARGUMENT: ssid: 35 characters is too long/);
    assert.deepEqual(readWifiSettings(store).settings, { ssid: "GateNet", password: WIFI_PASSWORD }, "nothing refused was stored");
    const typedInClear = "on-the-line-pw-1";
    const auditedBefore = core.audit.security.head().seq;
    const refused = type(`wifi set OtherNet ${typedInClear}`);
    assert.match(refused, /E_TOO_MANY_ARGUMENTS: wifi set takes 1 argument\(s\), got 2; usage: wifi set <ssid>/);
    assert.equal(core.audit.security.head().seq, auditedBefore, "a refused line is not recorded");
    assert.equal(readWifiSettings(store).settings?.ssid, "GateNet");

    // An open network: Enter alone, twice.
    type("wifi set Lobby"); type(""); assert.match(type(""), /wifi: +Lobby \(open network, no password\)/);
    assert.deepEqual(readWifiSettings(store).settings, { ssid: "Lobby", password: "" });
    type("wifi set GateNet"); type(WIFI_PASSWORD); type(WIFI_PASSWORD);

    const logText = type("log show --last 100") + type("log show --last 100 --json") + type("log export --log security --limit 100 --json");
    const entries = securitySince(start);
    assert.deepEqual(entries.map((e) => `${e.kind} ${e.decision} ${e.detail}`), [
      "setting-changed info wifi GateNet",
      "setting-changed deny E_MISMATCH Other Net ssid=Other Net",
      "setting-changed deny E_BAD_WIFI_SETTING Other Net ssid=Other ",
      "setting-changed info wifi open Lobby",
      "setting-changed info wifi GateNet",
    ]);
    for (const secret of [WIFI_PASSWORD, "first-password", "second-password"]) {
      assert.ok(!transcript().replace(typedInClear, "").includes(secret), `${secret} in the transcript`);
      assert.ok(!logText.includes(secret) && !logText.includes(toHex(utf8(secret))), `${secret} in log show or log export`);
      assert.ok(entries.every((e) => !e.detail.includes(secret.slice(0, 8))), `${secret} in an audit record`);
    }
    assert.ok(!core.audit.entries().some((e) => e.detail.includes(typedInClear.slice(0, 8))), "the password typed on the line is in no record");
    assert.equal(contains(flash.image, utf8(WIFI_PASSWORD)), false, "the password is on flash in clear");
    assert.equal(contains(flash.image, utf8(typedInClear)), false);

    assert.match(type("wifi off"), /Wi-Fi settings erased\.\r\nwifi: +off/);
    assert.deepEqual(readWifiSettings(store), {});
    assert.equal(link.restarts, 4, "three sets and off; no refusal restarts the link");
    assert.equal(securitySince(start).at(-1)?.detail, "wifi off");
  });

  it("hub password asks the broker password hidden, twice; it is stored sealed, shown only as set, audited without it, and hub off erases it", () => {
    const { type, json, login, store, flash, link, transcript, securitySince, core } = fleetRig();
    login();
    type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    const start = core.audit.security.head().seq;
    const restarts = link.restarts;
    const BROKER_PASSWORD = "gate-7-12 broker secret";
    assert.match(type("hub password"), /Broker password for this gate \(Enter alone for none; hidden\): $/);
    assert.equal(type(BROKER_PASSWORD), "\r\nRepeat the password: ", "nothing typed is echoed");
    assert.match(type(BROKER_PASSWORD), /Broker password stored; the link restarts with it\.[\s\S]*password: +set \(hub password\)/);
    assert.equal(readBrokerPassword(store).settings, BROKER_PASSWORD);
    assert.equal((json("hub show").data as { password: boolean }).password, true);
    type("hub password"); type("one-password"); assert.match(type("another-password"), /E_MISMATCH/);
    type("hub password"); assert.match(type("x".repeat(65)), /E_BAD_HUB_SETTING: A broker password is 1\.\.64 printable ASCII characters\./);
    assert.equal(readBrokerPassword(store).settings, BROKER_PASSWORD, "nothing refused was stored");
    assert.equal(contains(flash.image, utf8(BROKER_PASSWORD)), false, "sealed: not on flash in clear");
    const entries = securitySince(start);
    assert.equal(entries[0].detail, "hub password set");
    for (const e of entries) assert.ok(!e.detail.includes("secret") && !e.detail.includes("one-pass"), e.detail);
    assert.ok(!transcript().includes(BROKER_PASSWORD) && !transcript().includes("one-password"));
    assert.equal(link.restarts, restarts + 1, "one restart: refusals restart nothing");
    type("hub password"); type(""); assert.match(type(""), /Broker password removed\.[\s\S]*password: +none/);
    assert.deepEqual(readBrokerPassword(store), {});
    type("hub password"); type(BROKER_PASSWORD); type(BROKER_PASSWORD);
    type("hub off");
    assert.equal(store.get(HUB_PASSWORD_KEY), undefined, "hub off erases the password too");
    assert.equal(contains(flash.image, utf8(BROKER_PASSWORD)), false);
  });

  it("hub transport and hub ca: tls without a CA says the link stays down; the CA is pasted line by line, checked, shown by fingerprint, audited; hub off forgets both", () => {
    const { type, json, login, store, link, core, securitySince } = fleetRig();
    login();
    type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    const start = core.audit.security.head().seq;
    const restarts = link.restarts;
    assert.match(type("hub show"), /transport: tcp \(in clear\)\r\nca: +none\r\n/);
    assert.match(type("hub transport tls"), /Transport tls; the link stays down until the CA is given: hub ca\.[\s\S]*transport: tls \(broker certificate checked against the CA\)\r\nca: +none: the link stays down \(hub ca\)/);
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls" } });
    assert.match(type("hub transport udp"), /E_BAD_ARGUMENT: transport/);

    // The broker's own certificate is refused after its last line; nothing is stored.
    assert.match(type("hub ca"), /Paste the CA certificate \(PEM, up to its -----END CERTIFICATE----- line; Ctrl-C to cancel\):/);
    const leaf = LEAF_PEM.split("\n");
    for (const line of leaf.slice(0, -1)) assert.doesNotMatch(type(line), /error/);
    assert.match(type(leaf[leaf.length - 1]), /E_BAD_CA: This certificate is not a CA/);
    // A paste that is not PEM ends at its first line; one that never ends stops at the size of a CA.
    type("hub ca");
    assert.match(type("hub show"), /E_BAD_CA: A PEM certificate starts with -----BEGIN CERTIFICATE-----; nothing was changed\./);
    type("hub ca");
    type("-----BEGIN CERTIFICATE-----");
    assert.match(type("hub transport tcp"), /E_BAD_CA: That line is not part of a PEM certificate; nothing was changed\./);
    type("hub ca");
    type("-----BEGIN CERTIFICATE-----");
    let out = "";
    for (let i = 0; i < 60 && !/error/.test(out); i++) out = type("A".repeat(64));
    assert.match(out, /E_BAD_CA: That is more than a CA certificate \(2048 bytes\); nothing was changed\./);
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls" } });

    type("hub ca");
    const lines = CA_PEM.split("\n");
    for (const line of lines.slice(0, -1)) type(line);
    const stored = type(lines[lines.length - 1]);
    assert.match(stored, new RegExp(`CA stored; the link restarts with it\\.[\\s\\S]*ca: +sha256 ${CA_SHA256}, valid 2026-12-04 to 2126-11-10`));
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls", ca: caDerFromText(CA_PEM) } });
    assert.deepEqual((json("hub show").data as { ca: unknown }).ca, { fingerprint: CA_SHA256, notBefore: Date.UTC(2026, 11, 4, 21, 38, 46), notAfter: Date.UTC(2126, 10, 10, 21, 38, 46) });
    assert.match(type("hub transport tcp"), /Transport tcp: the link restarts in clear \(the broker password too\)\./);
    assert.match(type("hub transport tls"), /Transport tls; the link restarts and checks the broker's certificate\./);
    assert.match(type("hub ca remove"), /CA removed\.[\s\S]*ca: +none: the link stays down/);
    type("hub ca"); for (const line of lines) type(line);
    assert.match(type("hub off"), /hub: +off/);
    assert.equal(store.get(HUB_TLS_KEY), undefined, "hub off forgets the transport and the CA");

    assert.equal(link.restarts, restarts + 7, "tls, ca, tcp, tls, ca remove, ca, off; refusals restart nothing");
    assert.deepEqual(securitySince(start).map((e) => `${e.kind} ${e.decision} ${e.detail}`), [
      "setting-changed info hub transport tcp -> tls",
      "setting-changed deny E_BAD_CA ",
      "setting-changed deny E_BAD_CA ",
      "setting-changed deny E_BAD_CA ",
      "setting-changed deny E_BAD_CA ",
      `setting-changed info hub ca +${CA_SHA256.slice(0, 16)}`,
      "setting-changed info hub transport tls -> tcp",
      "setting-changed info hub transport tcp -> tls",
      `setting-changed info hub ca -${CA_SHA256.slice(0, 16)}`,
      `setting-changed info hub ca +${CA_SHA256.slice(0, 16)}`,
      "setting-changed info hub off",
    ]);
  });

  it("damaged transport settings: hub show says so and shows no transport; the next change starts from tls without a CA", () => {
    const { type, login, store } = fleetRig();
    login();
    type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    store.put(HUB_TLS_KEY, Uint8Array.of(1, 0, 0x08, 0x01));
    const shown = type("hub show");
    assert.match(shown, /transport: unreadable \(link down\)/);
    assert.match(shown, /DAMAGE: +hub transport settings unreadable \(E_SETTINGS_DAMAGED: the stored record does not hold a CA certificate of a possible size\): the link stays down until an installer sets them again/);
    type("hub ca"); for (const line of CA_PEM.split("\n")) type(line);
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls", ca: caDerFromText(CA_PEM) } });
  });

  it("only an installer changes them; every technician reads hub show and wifi show; refusals are audited and change nothing", () => {
    const { type, login, store, link, core, backend, deviceKey } = fleetRig();
    login();
    type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    type("wifi set GateNet"); type(WIFI_PASSWORD); type(WIFI_PASSWORD);
    type("logout");
    const random = lcgRandom(11);
    backend.technicians.save(makeTechnician(deviceKey, random, "op1", PASSWORD, "operator"));
    backend.technicians.save(makeTechnician(deviceKey, random, "aud1", PASSWORD, "auditor"));
    const hub = readHubSettings(store);
    const wifi = readWifiSettings(store);
    const restarts = link.restarts;
    for (const id of ["op1", "aud1"]) {
      type(`login ${id}`);
      assert.match(type(PASSWORD), new RegExp(`Logged in as ${id}`));
      assert.match(type("hub show"), /hub: +hub\.example\.org:8883, compound 7/);
      assert.match(type("wifi show"), /wifi: +GateNet\r\n/);
      const start = core.audit.security.head().seq;
      const changes = ["hub set other.example.org 8883 8", `hub key add ${toHex(KEY_B)}`, "hub key remove 1", "hub password", "hub transport tcp", "hub ca", "hub ca remove", "hub off", "wifi set Other", "wifi off"];
      for (const line of changes) assert.match(type(line), new RegExp(`error: E_ROLE: ${line.split(" ").slice(0, line.startsWith("hub key") ? 3 : 2).join(" ")} needs the installer role`));
      const refusals = core.audit.entries().filter((e) => e.log === "security" && e.seq > start);
      assert.deepEqual(refusals.map((e) => `${e.kind} ${e.decision} ${e.detail}`), changes.map(() => "setting-changed deny E_ROLE "));
      type("logout");
    }
    assert.deepEqual([readHubSettings(store), readWifiSettings(store), link.restarts], [hub, wifi, restarts]);
  });

  it("damaged hub settings: hub show says so, a key change is refused, hub set with a key stores readable ones", () => {
    const { type, login, store } = fleetRig();
    store.put(HUB_SETTINGS_KEY, Uint8Array.of(1, 0, 0, 0, 7, 0x22, 0xb3, 200));
    login();
    assert.match(type("hub show"), /hub: +off\r\n.*DAMAGE: +hub settings unreadable \(E_SETTINGS_DAMAGED: the stored record does not hold all its fields \(cut short\)\): this gate stays off the fleet hub until an installer sets them again \(hub set\)/s);
    assert.match(type(`hub key add ${toHex(KEY_B)}`), /E_SETTINGS_DAMAGED: The stored hub settings cannot be read; set them again with their key/);
    assert.match(type("hub set hub.example.org 8883 7"), /E_HUB_KEY_REQUIRED/);
    type(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    assert.doesNotMatch(type("hub show"), /DAMAGE/);
    assert.equal(readHubSettings(store).settings?.compoundId, 7);
  });

  it("on the firmware: hub show prints this gate's audit signing key in full; the settings survive a reboot sealed, and off erases them", () => {
    const flash = blankFlash();
    const gate = boot(flash);
    gate.firmware!.addTechnician("tech1", "correct horse 9");
    gate.console("login tech1");
    gate.console("correct horse 9");
    const publicKey = toHex(gate.firmware!.auditStore!.publicKey);
    assert.match(gate.console("hub show"), new RegExp(`gate key:  ${publicKey}\\r\\n`));
    assert.match(gate.console("hub show"), /link: +not connected/);
    gate.console(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    gate.console("wifi set GateNet");
    gate.console(WIFI_PASSWORD);
    assert.match(gate.console(WIFI_PASSWORD), /Wi-Fi settings stored/);
    gate.settle();
    const again = boot(flash);
    again.console("login tech1");
    again.console("correct horse 9");
    const shown = again.console("hub show");
    assert.match(shown, /hub: +hub\.example\.org:8883, compound 7/);
    assert.match(shown, new RegExp(`gate key:  ${publicKey}\\r\\n`), "the same key after a reboot");
    assert.match(again.console("wifi show"), /wifi: +GateNet\r\n/);
    assert.equal(contains(flash.image, utf8(WIFI_PASSWORD)), false, "the password is on flash in clear");
    const sealed = again.firmware!.store.storedForm(WIFI_SETTINGS_KEY)!;
    assert.ok(contains(flash.image, sealed));
    assert.match(again.console("wifi off"), /Wi-Fi settings erased\./);
    assert.match(again.console("hub off"), /Hub settings deleted/);
    assert.equal(contains(flash.image, sealed), false, "wifi off leaves the sealed record on flash");
    again.settle();
    const third = boot(flash);
    third.console("login tech1");
    third.console("correct horse 9");
    assert.match(third.console("hub show"), /hub: +off\r\n/);
    assert.match(third.console("wifi show"), /wifi: +off\r\n/);
  });

  it("on the firmware: the board's network gets the stored Wi-Fi at boot, again only when wifi set changes it, and nothing after wifi off", () => {
    const flash = blankFlash();
    const calls: string[] = [];
    const network = { connect: (w: { ssid: string; password: string } | undefined) => { calls.push(w ? `${w.ssid}/${w.password.length}` : "off"); }, status: () => "connected 10.0.0.7" };
    const adapt = (board: { network?: typeof network }) => { board.network = network; };
    const gate = boot(flash, { adapt });
    assert.deepEqual(calls, ["off"], "no Wi-Fi stored: the board is told so at boot");
    gate.firmware!.addTechnician("tech1", "correct horse 9");
    gate.console("login tech1");
    gate.console("correct horse 9");
    gate.console("wifi set GateNet"); gate.console(WIFI_PASSWORD); gate.console(WIFI_PASSWORD);
    assert.deepEqual(calls, ["off", `GateNet/${WIFI_PASSWORD.length}`]);
    gate.console(`hub set hub.example.org 8883 7 ${toHex(KEY_A)}`);
    assert.equal(calls.length, 2, "a hub change leaves Wi-Fi alone");
    assert.match(gate.console("hub show"), /link: +.*; network connected 10\.0\.0\.7/);
    gate.settle();
    calls.length = 0;
    const again = boot(flash, { adapt });
    assert.deepEqual(calls, [`GateNet/${WIFI_PASSWORD.length}`], "the stored network at boot");
    again.console("login tech1");
    again.console("correct horse 9");
    again.console("wifi off");
    assert.deepEqual(calls, [`GateNet/${WIFI_PASSWORD.length}`, "off"]);
  });
});
