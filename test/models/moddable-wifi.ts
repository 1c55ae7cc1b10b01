// A model of Moddable's `wifi` module as its ESP32 build behaves
// (modules/network/wifi/esp32/xs6wifi.c over ESP-IDF's station), with the
// event loop it reports through, an access point, and Moddable's Timer on the
// same clock. What it keeps from the C:
// - WiFi.connect(options) throws for a missing or over-long ssid (32 bytes) or
//   password (64), starts the station if needed, drops the previous join
//   (clearConfig), resets the retry budget to 5 and the reason to 0, and
//   calls esp_wifi_connect(); WiFi.connect()/disconnect() clears the settings.
// - ESP-IDF's STA_DISCONNECTED: a handshake failure (wrong password) sets the
//   reason to -1; while retries remain (and settings are held) the driver
//   calls esp_wifi_connect() again without telling JavaScript; otherwise
//   "disconnect" is posted with the reason. STA_CONNECTED ends the retries
//   (a later loss is reported at once) and posts "connect"; "gotIP" is posted
//   once the IPv4 address (DHCP) and the IPv6 link-local address are up.
// - Reports are messages to the XS machine: they run from the event loop,
//   after the call that caused them has returned.
import { utf8 } from "../../src/core/crypto";

export interface AccessPoint {
  ssid: string;
  /** "" for an open network. */
  password: string;
  inRange: boolean;
  /** Whether its DHCP server answers. */
  dhcp: boolean;
  /** The address its DHCP server hands out. */
  address: string;
}

/** ESP-IDF reason codes (wifi_err_reason_t) the model uses. */
const REASON = { ASSOC_LEAVE: 8, HANDSHAKE_TIMEOUT: 204, BEACON_TIMEOUT: 200, NO_AP_FOUND: 201 } as const;
const CONNECT_RETRIES = 5;

export class WifiWorld {
  now = 0;
  ap: AccessPoint = { ssid: "Office", password: "correct horse", inRange: true, dhcp: true, address: "192.168.1.50" };
  /** How long one join attempt (scan, authenticate, associate) takes. */
  attemptMs = 2_500;
  dhcpMs = 800;
  /** Every esp_wifi_connect() the driver made, with its time: JavaScript's and the driver's own retries. */
  readonly attempts: { at: number; ssid: string }[] = [];
  /** Every WiFi.connect(options) JavaScript made, as given (the tests check what reached the driver). */
  readonly connectCalls: { ssid: string; password?: string }[] = [];
  disconnectCalls = 0;
  /** WiFi.mode as set from JavaScript; undefined while the radio was never started. */
  mode: number | undefined;

  readonly #queue: { due: number; seq: number; run: () => void; timer?: { cancelled: boolean } }[] = [];
  #seq = 0;
  // Driver state (xs6wifi.c globals).
  #credentials: { ssid: string; password: string } | undefined;
  #retries = 0;
  #reason = 0;
  #associated = false;
  #ip = false;
  /** Bumped when the driver drops a join: ESP-IDF's events for the old attempt no longer land. */
  #epoch = 0;
  readonly #listeners = new Set<(message: string, reason?: number) => void>();

  readonly WiFi = this.#moduleClass();
  readonly Timer = {
    set: (callback: () => void, ms: number) => this.#schedule(ms, callback),
    clear: (timer: { cancelled: boolean } | undefined) => { if (timer) timer.cancelled = true; },
  };

  /** Net.get("IP"): the station's address once DHCP answered. */
  address(): string | undefined {
    return this.#ip ? this.ap.address : undefined;
  }

  /** Runs the event loop for `ms`: due timers, driver events and reports, in time order. */
  run(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.#queue.length; i++) {
        const e = this.#queue[i];
        if (e.due <= end && (next < 0 || e.due < this.#queue[next].due || (e.due === this.#queue[next].due && e.seq < this.#queue[next].seq))) next = i;
      }
      if (next < 0) break;
      const [event] = this.#queue.splice(next, 1);
      this.now = Math.max(this.now, event.due);
      event.run();
    }
    this.now = end;
  }

  /** Timers (Timer.set) waiting to run. */
  get pendingTimers(): number {
    return this.#queue.filter((e) => e.timer && !e.timer.cancelled).length;
  }

  /** The access point goes away (power cut, out of range): a joined station loses it at once. */
  dropAccessPoint(): void {
    this.ap.inRange = false;
    if (this.#associated) this.#disconnected(REASON.BEACON_TIMEOUT);
  }

  #schedule(ms: number, callback: () => void): { cancelled: boolean } {
    const timer = { cancelled: false };
    this.#queue.push({ due: this.now + Math.max(0, ms), seq: this.#seq++, timer, run: () => { if (!timer.cancelled) callback(); } });
    return timer;
  }

  /** An ESP-IDF event, handled in the driver's event task after `ms`; dropped if the join it belongs to was dropped. */
  #idf(ms: number, handle: () => void): void {
    const epoch = this.#epoch;
    this.#queue.push({ due: this.now + ms, seq: this.#seq++, run: () => { if (epoch === this.#epoch) handle(); } });
  }

  /** modMessagePostToMachine: runs in the XS machine's loop, after the current call. */
  #post(message: string, reason?: number): void {
    this.#queue.push({ due: this.now, seq: this.#seq++, run: () => { for (const listen of this.#listeners) reason === undefined ? listen(message) : listen(message, reason); } });
  }

  #espConnect(): void {
    const credentials = this.#credentials!;
    this.attempts.push({ at: this.now, ssid: credentials.ssid });
    this.#idf(this.attemptMs, () => {
      const ap = this.ap;
      if (!ap.inRange || ap.ssid !== credentials.ssid) this.#disconnected(REASON.NO_AP_FOUND);
      else if (ap.password !== credentials.password) this.#disconnected(REASON.HANDSHAKE_TIMEOUT);
      else this.#connected();
    });
  }

  #connected(): void {
    this.#associated = true;
    this.#retries = 0;
    this.#post("connect");
    if (this.ap.dhcp) {
      this.#idf(this.dhcpMs, () => {
        if (!this.#associated) return;
        this.#ip = true;
        this.#post("gotIP");
      });
    }
  }

  #disconnected(reason: number): void {
    this.#associated = false;
    this.#ip = false;
    this.#epoch++;
    if (reason === REASON.HANDSHAKE_TIMEOUT) this.#reason = -1;
    if (!this.#credentials) this.#retries = 0;
    if (this.#retries > 0) {
      this.#retries--;
      this.#espConnect();
      return;
    }
    this.#post("disconnect", this.#reason);
  }

  /** clearConfig(): the settings go and a joined station leaves (its STA_DISCONNECTED follows). */
  #clearConfig(): void {
    this.#credentials = undefined;
    this.#epoch++;
    if (this.#associated) {
      this.#associated = false;
      this.#ip = false;
      this.#idf(0, () => this.#disconnected(REASON.ASSOC_LEAVE));
    }
  }

  #moduleClass() {
    const world = this;
    return class WiFi {
      static readonly Mode = Object.freeze({ off: -5, none: 0, station: 1, accessPoint: 2 });
      #listener: ((message: string, reason?: number) => void) | undefined;

      constructor(options?: { ssid: string; password?: string }, onNotify?: (message: string, reason?: number) => void) {
        if (options) WiFi.connect(options);
        if (onNotify) {
          this.#listener = onNotify;
          world.#listeners.add(onNotify);
        }
      }

      close(): void {
        if (this.#listener) world.#listeners.delete(this.#listener);
        this.#listener = undefined;
      }

      static set mode(mode: number) {
        if (world.mode === undefined) world.#post("start");
        world.mode = mode;
      }

      static get mode(): number {
        return world.mode ?? WiFi.Mode.off;
      }

      static connect(options?: { ssid: string; password?: string }): void {
        world.#reason = 0;
        world.#clearConfig();
        if (!options) return;
        world.connectCalls.push({ ...options });
        if (!options.ssid) throw new Error("ssid required");
        if (utf8(options.ssid).length > 32) throw new Error("ssid too long - 32 bytes max");
        const password = options.password ?? "";
        if (password.length > 64) throw new Error("password too long - 64 bytes max");
        if (world.mode === undefined) WiFi.mode = WiFi.Mode.station;
        world.#credentials = { ssid: options.ssid, password };
        world.#retries = CONNECT_RETRIES;
        world.#espConnect();
      }

      static disconnect(): void {
        world.disconnectCalls++;
        WiFi.connect();
      }
    };
  }
}
