// The fleet settings records (src/app/hub-settings.ts) in the real store:
// they round-trip across a restart, every bad value is refused with its
// sentence and leaves the store as it was, bytes that do not check read back
// as damage (never an exception, never half a setting), and the Wi-Fi
// password is sealed: a flash dump does not show it, and `off` erases it.
// Portable (Node and XS).
import assert from "node:assert/strict";
import { NorFlash } from "../../boards/host/nor-flash";
import type { SettingsStore } from "../../src/app/console-settings";
import {
  HUB_PASSWORD_KEY, HUB_SETTINGS_KEY, HUB_TLS_KEY, parseHubKey, readHubTls, writeHubTls, readBrokerPassword, readHubSettings, readWifiSettings, WIFI_SETTINGS_KEY, writeBrokerPassword, writeHubSettings,
  writeWifiSettings, type HubSettings, type WifiSettings,
} from "../../src/app/hub-settings";
import { utf8 } from "../../src/core/crypto";
import { isOptgateError, OptgateError } from "../../src/core/errors";
import { LogStore } from "../../src/core/store/log-store";
import { containsBytes as contains } from "./byte-scan";
import { caDerFromText } from "../../src/core/tls/ca-certificate";
import { CA_PEM, LEAF_PEM } from "../support/test-ca-certs";

let n = 7;
const random = { fill: (b: Uint8Array) => { for (let i = 0; i < b.length; i++) b[i] = (n = (n * 1103515245 + 12345) >>> 0) >>> 24; } };
const KEY_A = new Uint8Array(32).map((_, i) => 0xa0 + i);
const KEY_B = new Uint8Array(32).map((_, i) => 0x10 + 3 * i);
const HUB: HubSettings = { compoundId: 7, host: "hub.example.org", port: 8883, hubKeys: [KEY_A] };
const PASSWORD = "Gate-Net pass 2026";

function memoryStore(): SettingsStore & { map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return { map, get: (k) => map.get(k), put: (k, v) => { map.set(k, v.slice()); }, delete: (k) => { map.delete(k); } };
}


/** Asserts `run` throws an OptgateError with this code whose sentence matches. */
function refuses(run: () => unknown, code: string, sentence: RegExp): void {
  assert.throws(run, (e: unknown) => isOptgateError(e, code) && sentence.test((e as Error).message), `${code} ${sentence}`);
}

describe("fleet settings records", () => {
  it("round-trip through the store and survive a restart: one or two hub keys, a Wi-Fi network with or without a password", () => {
    const flash = new NorFlash(64 * 1024);
    let store = LogStore.open(flash, { random });
    assert.deepEqual(readHubSettings(store), {});
    assert.deepEqual(readWifiSettings(store), {});
    writeHubSettings(store, { ...HUB, hubKeys: [KEY_A, KEY_B] });
    writeWifiSettings(store, { ssid: "Block 3 Wi-Fi", password: PASSWORD });
    store = LogStore.open(flash, { random });
    assert.deepEqual(readHubSettings(store), { settings: { ...HUB, hubKeys: [KEY_A, KEY_B] } });
    assert.deepEqual(readWifiSettings(store), { settings: { ssid: "Block 3 Wi-Fi", password: PASSWORD } });
    assert.equal(store.isSealed(WIFI_SETTINGS_KEY), true);
    assert.equal(store.isSealed(HUB_SETTINGS_KEY), false);

    writeHubSettings(store, { compoundId: 2 ** 32 - 1, host: "10.0.0.1", port: 1, hubKeys: [KEY_B] });
    writeWifiSettings(store, { ssid: "公寓门禁", password: "" }); // an open network; 12 bytes of UTF-8
    store = LogStore.open(flash, { random });
    assert.deepEqual(readHubSettings(store).settings, { compoundId: 2 ** 32 - 1, host: "10.0.0.1", port: 1, hubKeys: [KEY_B] });
    assert.deepEqual(readWifiSettings(store).settings, { ssid: "公寓门禁", password: "" });

    writeHubSettings(store, undefined);
    writeWifiSettings(store, undefined);
    store = LogStore.open(flash, { random });
    assert.deepEqual([readHubSettings(store), readWifiSettings(store)], [{}, {}]);
    assert.deepEqual([store.has(HUB_SETTINGS_KEY), store.has(WIFI_SETTINGS_KEY)], [false, false]);
  });

  it("the transport record: none reads as tcp; tls with its CA survives a restart; a bad CA is refused and nothing stored; damage never reads as tcp", () => {
    const flash = new NorFlash(64 * 1024);
    let store = LogStore.open(flash, { random });
    assert.deepEqual(readHubTls(store), { settings: { transport: "tcp" } }, "gates set before TLS keep TCP");
    const ca = caDerFromText(CA_PEM);
    writeHubTls(store, { transport: "tls" });
    store = LogStore.open(flash, { random });
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls" } });
    writeHubTls(store, { transport: "tls", ca });
    store = LogStore.open(flash, { random });
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls", ca } });
    assert.equal(store.isSealed(HUB_TLS_KEY), false, "a CA certificate is public");
    refuses(() => writeHubTls(store, { transport: "tls", ca: caDerFromText(LEAF_PEM) }), "E_BAD_CA", /not a CA/);
    refuses(() => writeHubTls(store, { transport: "udp" as "tls" }), "E_BAD_HUB_SETTING", /tcp or tls/);
    assert.deepEqual(readHubTls(store), { settings: { transport: "tls", ca } }, "nothing refused was stored");

    const mem = memoryStore();
    writeHubTls(mem, { transport: "tls", ca });
    const good = mem.map.get(HUB_TLS_KEY)!.slice();
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.of(2, ...good.subarray(1)), /has version 2/],
      [patch(good, 1, 2), /name a transport \(it holds 2\)/],
      [patch(good, 2, 0x08, 0x01), /a CA certificate of a possible size/],
      [good.subarray(0, good.length - 1), /cut short/],
      [Uint8Array.of(...good, 0), /end where its fields end/],
      [patch(good, 4, 0x31), /E_BAD_CA/],
    ];
    for (const [bytes, why] of cases) {
      mem.map.set(HUB_TLS_KEY, bytes);
      const read = readHubTls(mem);
      assert.equal(read.settings, undefined, "damage is never a transport, least of all tcp");
      assert.match(read.damage ?? "", why);
      assert.match(read.damage ?? "", /^hub transport settings unreadable \(.*\): the link stays down until an installer sets them again \(hub transport, hub ca\)$/);
    }
    writeHubTls(mem, undefined);
    assert.deepEqual(readHubTls(mem), { settings: { transport: "tcp" } });
  });

  it("keeps the broker password sealed across a restart, refuses a bad one unrepeated, reads damage as damage, and erases it", () => {
    const flash = new NorFlash(64 * 1024);
    let store = LogStore.open(flash, { random });
    assert.deepEqual(readBrokerPassword(store), {});
    writeBrokerPassword(store, "broker pass 1");
    store = LogStore.open(flash, { random });
    assert.deepEqual(readBrokerPassword(store), { settings: "broker pass 1" });
    assert.equal(store.isSealed(HUB_PASSWORD_KEY), true);
    assert.equal(contains(flash.image, utf8("broker pass 1")), false);
    for (const bad of ["", "x".repeat(65), "tab\there", "名字"]) {
      refuses(() => writeBrokerPassword(store, bad), "E_BAD_HUB_SETTING", /^E_BAD_HUB_SETTING: A broker password is 1\.\.64 printable ASCII characters\.$/);
    }
    assert.deepEqual(readBrokerPassword(store), { settings: "broker pass 1" }, "nothing refused was stored");
    const mem = memoryStore();
    for (const bytes of [Uint8Array.of(1, 5, 0x61), Uint8Array.of(2, 1, 0x61), Uint8Array.of(1, 0), Uint8Array.of(1, 1, 0x0a)]) {
      mem.map.set(HUB_PASSWORD_KEY, bytes);
      assert.match(readBrokerPassword(mem).damage ?? "", /^the broker password unreadable \(.+\): the broker refuses this gate until an installer sets it again \(hub password\)$/);
    }
    writeBrokerPassword(store, undefined);
    store = LogStore.open(flash, { random });
    assert.deepEqual(readBrokerPassword(store), {});
    assert.equal(store.has(HUB_PASSWORD_KEY), false);
  });

  it("accepts the hosts and limits at their edges", () => {
    const store = memoryStore();
    for (const host of ["localhost", "hub.example.org", "a-b.c9", "192.168.1.20", "0.0.0.0", "255.255.255.255", `${"a".repeat(61)}.b`, "x1.example.123abc"]) {
      writeHubSettings(store, { ...HUB, host });
      assert.equal(readHubSettings(store).settings?.host, host);
    }
    for (const [compoundId, port] of [[1, 65_535], [2 ** 32 - 1, 1]]) {
      writeHubSettings(store, { ...HUB, compoundId, port });
      assert.deepEqual([readHubSettings(store).settings?.compoundId, readHubSettings(store).settings?.port], [compoundId, port]);
    }
    for (const wifi of [{ ssid: "x", password: "12345678" }, { ssid: "s".repeat(32), password: "~".repeat(63) }, { ssid: "é".repeat(16), password: " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}" }]) {
      writeWifiSettings(store, wifi);
      assert.deepEqual(readWifiSettings(store).settings, wifi);
    }
    assert.deepEqual(parseHubKey("A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"), KEY_A);
  });

  it("refuses every bad hub value with its sentence, and stores nothing", () => {
    const store = memoryStore();
    writeHubSettings(store, HUB);
    const before = store.map.get(HUB_SETTINGS_KEY)!.slice();
    const compound = /compound id is a whole number 1\.\.4294967295/;
    const port = /port is a whole number 1\.\.65535/;
    const host = /give a DNS name \(hub\.example\.org\) or a dotted IPv4 address \(192\.168\.1\.20\), at most 63 characters/;
    const cases: [Partial<HubSettings>, string, RegExp][] = [
      [{ compoundId: 0 }, "E_BAD_HUB_SETTING", compound], [{ compoundId: 2 ** 32 }, "E_BAD_HUB_SETTING", compound],
      [{ compoundId: 1.5 }, "E_BAD_HUB_SETTING", compound], [{ compoundId: NaN }, "E_BAD_HUB_SETTING", compound],
      [{ port: 0 }, "E_BAD_HUB_SETTING", port], [{ port: 65_536 }, "E_BAD_HUB_SETTING", port], [{ port: 8883.5 }, "E_BAD_HUB_SETTING", port],
      [{ host: "" }, "E_BAD_HUB_SETTING", /The hub host is empty/],
      [{ host: `${"a".repeat(62)}.b` }, "E_BAD_HUB_SETTING", /The hub host is 64 characters long/],
      [{ host: "hub example.org" }, "E_BAD_HUB_SETTING", host], [{ host: "hub_1.example.org" }, "E_BAD_HUB_SETTING", host],
      [{ host: "-hub.example.org" }, "E_BAD_HUB_SETTING", host], [{ host: "hub-.example.org" }, "E_BAD_HUB_SETTING", host],
      [{ host: "hub..org" }, "E_BAD_HUB_SETTING", host], [{ host: "hub.org." }, "E_BAD_HUB_SETTING", host],
      [{ host: "hüb.org" }, "E_BAD_HUB_SETTING", host], [{ host: "hub.org:8883" }, "E_BAD_HUB_SETTING", host],
      [{ host: "256.1.1.1" }, "E_BAD_HUB_SETTING", /is not a dotted IPv4 address/], [{ host: "1.2.3" }, "E_BAD_HUB_SETTING", /is not a dotted IPv4 address/],
      [{ host: "01.2.3.4" }, "E_BAD_HUB_SETTING", /no leading zeros/], [{ host: "1.2.3.4.5" }, "E_BAD_HUB_SETTING", /is not a dotted IPv4 address/],
      [{ hubKeys: [] }, "E_BAD_HUB_SETTING", /one or two hub keys/], [{ hubKeys: [KEY_A, KEY_B, new Uint8Array(32)] }, "E_BAD_HUB_SETTING", /one or two hub keys/],
      [{ hubKeys: [KEY_A.slice(1)] }, "E_BAD_HUB_KEY", /32 bytes/], [{ hubKeys: [KEY_A, KEY_A.slice()] }, "E_BAD_HUB_SETTING", /the same key/],
    ];
    for (const [change, code, sentence] of cases) refuses(() => writeHubSettings(store, { ...HUB, ...change }), code, sentence);
    assert.deepEqual(store.map.get(HUB_SETTINGS_KEY), before, "nothing refused was stored");
  });

  it("parses a hub key only from 64 hex digits", () => {
    refuses(() => parseHubKey("ab".repeat(31) + "a"), "E_BAD_HUB_KEY", /64 hex digits .*got 63 character\(s\)\.$/);
    refuses(() => parseHubKey("ab".repeat(33)), "E_BAD_HUB_KEY", /got 66 character\(s\)\.$/);
    refuses(() => parseHubKey("zz" + "ab".repeat(31)), "E_BAD_HUB_KEY", /got 64 character\(s\), not all hex\./);
    refuses(() => parseHubKey(""), "E_BAD_HUB_KEY", /got 0 character\(s\)/);
  });

  it("refuses every bad Wi-Fi value with its sentence, never repeating the password, and stores nothing", () => {
    const store = memoryStore();
    writeWifiSettings(store, { ssid: "GateNet", password: PASSWORD });
    const before = store.map.get(WIFI_SETTINGS_KEY)!.slice();
    const password = /A Wi-Fi password is 8\.\.63 printable ASCII characters, or empty for an open network\.$/;
    const cases: [string, string, RegExp][] = [
      ["", PASSWORD, /An SSID is 1\.\.32 bytes \(this one is 0\)/], ["s".repeat(33), PASSWORD, /An SSID is 1\.\.32 bytes \(this one is 33\)/],
      ["é".repeat(17), PASSWORD, /this one is 34/], ["Gate\tNet", PASSWORD, /control characters/],
      ["GateNet", "seven77", password], ["GateNet", "x".repeat(64), password], ["GateNet", "pässwort-1", password], ["GateNet", "tab\there-9", password],
    ];
    for (const [ssid, secret, sentence] of cases) {
      assert.throws(() => writeWifiSettings(store, { ssid, password: secret }), (e: unknown) => {
        const message = (e as Error).message;
        return isOptgateError(e, "E_BAD_WIFI_SETTING") && sentence.test(message) && !message.includes(secret);
      }, `${ssid} ${sentence}`);
    }
    assert.deepEqual(store.map.get(WIFI_SETTINGS_KEY), before);
  });

  it("reads damaged bytes as one DAMAGE sentence, never an exception nor a setting that does not check", () => {
    const store = memoryStore();
    writeHubSettings(store, { ...HUB, hubKeys: [KEY_A, KEY_B] });
    writeWifiSettings(store, { ssid: "GateNet", password: PASSWORD });
    const hub = store.map.get(HUB_SETTINGS_KEY)!.slice();
    const wifi = store.map.get(WIFI_SETTINGS_KEY)!.slice();
    const damageOf = (key: string, bytes: Uint8Array) => {
      store.map.set(key, bytes);
      const read = key === HUB_SETTINGS_KEY ? readHubSettings(store) : readWifiSettings(store);
      assert.ok((read.settings === undefined) !== (read.damage === undefined), "settings or damage, never both");
      return read;
    };
    const named: [string, Uint8Array, Uint8Array, RegExp][] = [
      [HUB_SETTINGS_KEY, hub, Uint8Array.of(2, ...hub.subarray(1)), /has version 2, this firmware reads 1/],
      [HUB_SETTINGS_KEY, hub, hub.subarray(0, hub.length - 1), /cut short/],
      [HUB_SETTINGS_KEY, hub, Uint8Array.of(...hub, 0), /end where its fields end/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 5, 0, 0), /port is a whole number/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 1, 0, 0, 0, 0), /compound id/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 8, 0x20), /hub host/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 8, 0x07), /printable text/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 8 + HUB.host.length, 3), /hold 3 hub keys/],
      [HUB_SETTINGS_KEY, hub, patch(hub, 8 + HUB.host.length, 0), /hold 0 hub keys/],
      [WIFI_SETTINGS_KEY, wifi, patch(wifi, 2, 0xff), /UTF-8/],
      [WIFI_SETTINGS_KEY, wifi, Uint8Array.of(1, 0, 8, ...utf8("password")), /An SSID is 1\.\.32 bytes/],
      [WIFI_SETTINGS_KEY, wifi, patch(wifi, 2 + 7, 5), /cut short|end where/],
      [WIFI_SETTINGS_KEY, wifi, new Uint8Array(0), /cut short/],
    ];
    for (const [key, , bytes, why] of named) {
      const read = damageOf(key, bytes);
      assert.match(read.damage ?? "", why);
      assert.match(read.damage ?? "", key === HUB_SETTINGS_KEY
        ? /^hub settings unreadable \(.*\): this gate stays off the fleet hub until an installer sets them again \(hub set\)$/
        : /^Wi-Fi settings unreadable \(.*\): no Wi-Fi until an installer sets them again \(wifi set\)$/);
    }
    // Every single-byte change and every cut: each reads as a setting that passes the checks, or as damage.
    for (const [key, good] of [[HUB_SETTINGS_KEY, hub], [WIFI_SETTINGS_KEY, wifi]] as const) {
      for (let at = 0; at < good.length; at++) {
        for (const value of [0x00, 0x01, 0x20, 0x2d, 0x7f, 0x80, 0xff, good[at] ^ 0x01]) {
          const read = damageOf(key, patch(good, at, value));
          // What does read back must pass the checks a write makes.
          if (read.settings && key === HUB_SETTINGS_KEY) writeHubSettings(memoryStore(), read.settings as HubSettings);
          else if (read.settings) writeWifiSettings(memoryStore(), read.settings as WifiSettings);
        }
        damageOf(key, good.subarray(0, at));
      }
    }
    // A store that cannot read the record at all (a sealed record from another chip).
    const failing: SettingsStore = { get: () => { throw new Error("E_STORE_SEALED: cannot be decrypted"); }, put: () => undefined };
    assert.deepEqual(readHubSettings(failing), { damage: "hub settings unreadable (the store could not read them): this gate stays off the fleet hub until an installer sets them again (hub set)" });
    assert.deepEqual(readWifiSettings(failing), { damage: "Wi-Fi settings unreadable (the store could not read them): no Wi-Fi until an installer sets them again (wifi set)" });
    const sealedElsewhere: SettingsStore = { get: () => { throw new OptgateError("E_STORE_SEALED", "the sealed record cannot be decrypted; enrol again."); }, put: () => undefined };
    assert.deepEqual(readWifiSettings(sealedElsewhere), { damage: "Wi-Fi settings unreadable (the store could not read them: E_STORE_SEALED): no Wi-Fi until an installer sets them again (wifi set)" });
  });

  it("keeps the Wi-Fi password sealed: a flash dump shows neither it nor the SSID, and off erases the ciphertext", () => {
    const flash = new NorFlash(64 * 1024);
    const store = LogStore.open(flash, { random });
    writeHubSettings(store, HUB);
    writeWifiSettings(store, { ssid: "GateNet-Block3", password: PASSWORD });
    assert.ok(contains(flash.image, utf8(HUB.host)), "the search finds what is stored in clear (the hub host)");
    assert.equal(contains(flash.image, utf8(PASSWORD)), false, "the password is on flash in clear");
    assert.equal(contains(flash.image, utf8("GateNet-Block3")), false, "the SSID is on flash in clear");
    const ciphertext = store.storedForm(WIFI_SETTINGS_KEY)!;
    assert.ok(contains(flash.image, ciphertext));
    writeWifiSettings(store, undefined);
    assert.equal(contains(flash.image, ciphertext), false, "wifi off leaves the sealed record on flash");
    assert.deepEqual(readWifiSettings(LogStore.open(flash, { random })), {});
  });

  it("off removes even an unreadable record, and refuses clearly on a store that cannot remove", () => {
    const store = memoryStore();
    store.map.set(WIFI_SETTINGS_KEY, Uint8Array.of(9, 9));
    writeWifiSettings(store, undefined);
    assert.equal(store.map.has(WIFI_SETTINGS_KEY), false);
    const sealedElsewhere: SettingsStore & { deleted: string[] } = {
      deleted: [], get: () => { throw new Error("cannot be decrypted"); }, put: () => undefined, delete(k) { this.deleted.push(k); },
    };
    writeWifiSettings(sealedElsewhere, undefined);
    assert.deepEqual(sealedElsewhere.deleted, [WIFI_SETTINGS_KEY]);
    const noDelete: SettingsStore = { get: (k) => (k === HUB_SETTINGS_KEY ? Uint8Array.of(1) : undefined), put: () => undefined };
    writeWifiSettings(noDelete, undefined); // nothing stored: nothing to do
    refuses(() => writeHubSettings(noDelete, undefined), "E_UNSUPPORTED", /cannot remove settings/);
  });
});

function patch(bytes: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}
