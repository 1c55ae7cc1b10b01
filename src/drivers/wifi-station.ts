// The gate's Wi-Fi station over Moddable's `wifi` module (modules/network/wifi,
// the ESP32 build): joins the network the technician set (`wifi set`), keeps
// trying while it cannot, and says in one line where it stands. It is the
// board's `network` port (src/app/board.ts).
//
//   const network = new WifiStation({ wifi: WiFi, address: () => Net.get("IP"), timer: Timer, log });
//   network.connect({ ssid, password });   // at boot and after `wifi set`; undefined disconnects
//   network.status();                      // "connected 192.168.1.50", "connecting Office", "off", "failed: ..."
//
// What the ESP32 build of the module does, and so what this relies on:
// - WiFi.connect({ssid, password}) starts ESP-IDF's station and retries the
//   join itself (5 times) before it reports anything; each WiFi.connect()
//   first drops what was joined before. WiFi.disconnect() leaves the network.
// - Reports arrive later, from the event loop, never inside a call:
//   "connect" (joined), "gotIP" (addresses up), "disconnect" with a reason
//   (-1 when the access point rejected the password during those retries,
//   0 otherwise). After "disconnect" nothing more is tried: trying again is
//   up to us, with a delay that doubles while it keeps failing.
// - A "disconnect" can also arrive for a join this station has already given
//   up on or left: it only counts while a join is under way or up.
// The password goes to WiFi.connect and nowhere else: never into a log line,
// a status or an error text.

/** The part of Moddable's `wifi` module the station uses: the class itself is passed. */
export interface WifiModule {
  new (options: undefined, onNotify: (message: string, reason?: number) => void): { close(): void };
  connect(options: { ssid: string; password?: string }): void;
  disconnect(): void;
  /** Setting it to Mode.station starts the radio as a station. */
  mode: number;
  readonly Mode: { readonly station: number };
}

/** Moddable's `timer` module (Timer.set / Timer.clear), or a model of it. */
export interface TimerModule<T> {
  set(callback: () => void, ms: number): T;
  clear(timer: T): void;
}

export interface WifiSettings {
  ssid: string;
  /** "" for an open network. */
  password: string;
}

export interface WifiStationOptions<T> {
  wifi: WifiModule;
  /** The station's IPv4 address once "gotIP" came (Net.get("IP") on the board). */
  address: () => string | undefined;
  timer: TimerModule<T>;
  log?: (line: string) => void;
}

/** First delay before trying again after a failed join; it doubles up to RETRY_MAX_MS. */
export const RETRY_MIN_MS = 5_000;
export const RETRY_MAX_MS = 120_000;
/** A join that brings no address in this long is given up and tried again (a stuck DHCP, a driver that never answered). */
export const JOIN_TIMEOUT_MS = 60_000;

/** The reason code the ESP32 build gives "disconnect" when the password was rejected. */
const PASSWORD_REJECTED = -1;

type State =
  | { kind: "off" }
  | { kind: "joining"; joined: boolean }
  | { kind: "connected"; address: string }
  | { kind: "failed"; reason: string };

export class WifiStation<T = unknown> {
  readonly #o: WifiStationOptions<T>;
  #settings: WifiSettings | undefined;
  #state: State = { kind: "off" };
  /** The retry or join-timeout timer, whichever is pending. */
  #timer: T | undefined;
  #retryMs = RETRY_MIN_MS;
  /** Whether the radio was ever started (a station never started is not disconnected). */
  #started = false;
  #notifier: { close(): void } | undefined;

  constructor(options: WifiStationOptions<T>) {
    if (!options?.wifi || !options.address || !options.timer) throw new Error("WifiStation: wifi, address and timer are required");
    this.#o = options;
  }

  /** Joins the network `settings` names (afresh, unless already joining or joined to it with the same password); undefined leaves it. */
  connect(settings: WifiSettings | undefined): void {
    const same = settings !== undefined && this.#settings !== undefined && settings.ssid === this.#settings.ssid && settings.password === this.#settings.password;
    if (same && (this.#state.kind === "joining" || this.#state.kind === "connected")) return;
    this.#cancelTimer();
    this.#retryMs = RETRY_MIN_MS;
    if (!settings) {
      const was = this.#settings;
      this.#settings = undefined;
      this.#state = { kind: "off" };
      if (this.#started) this.#guard("disconnect", () => this.#o.wifi.disconnect());
      if (was) this.#log(`left ${was.ssid}`);
      return;
    }
    this.#settings = { ssid: settings.ssid, password: settings.password };
    this.#join();
  }

  status(): string {
    const s = this.#state;
    switch (s.kind) {
      case "off": return "off";
      case "joining": return `connecting ${this.#settings!.ssid}`;
      case "connected": return `connected ${s.address}`;
      case "failed": return `failed: ${s.reason}`;
    }
  }

  #join(): void {
    const { ssid, password } = this.#settings!;
    const wifi = this.#o.wifi;
    this.#state = { kind: "joining", joined: false };
    try {
      if (!this.#notifier) this.#notifier = new wifi(undefined, (message, reason) => this.#guard("report", () => this.#report(message, reason)));
      if (!this.#started) wifi.mode = wifi.Mode.station;
      this.#started = true;
      wifi.connect(password === "" ? { ssid } : { ssid, password });
    } catch (error) {
      // The module's own messages name lengths and states, never the password.
      this.#fail(`the Wi-Fi driver refused (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    this.#timer = this.#o.timer.set(() => this.#guard("timeout", () => this.#joinTimedOut()), JOIN_TIMEOUT_MS);
  }

  #report(message: string, reason: number | undefined): void {
    const s = this.#state;
    if (message === "connect") {
      if (s.kind === "joining") s.joined = true;
    } else if (message === "gotIP") {
      // Also after a join was given up on: the address is real, and the station is on the network.
      if (s.kind !== "joining" && s.kind !== "failed") return;
      this.#cancelTimer();
      this.#retryMs = RETRY_MIN_MS;
      const address = this.#o.address() ?? "(address unknown)";
      this.#state = { kind: "connected", address };
      this.#log(`connected to ${this.#settings!.ssid} as ${address}`);
    } else if (message === "disconnect" || message === "lostIP") {
      if (s.kind === "connected") {
        this.#log(`lost ${this.#settings!.ssid}; joining again`);
        this.#join();
      } else if (s.kind === "joining") {
        this.#cancelTimer();
        const ssid = this.#settings!.ssid;
        if (reason === PASSWORD_REJECTED) {
          // Rarely a handshake lost to a weak signal looks the same: keep trying, at the slowest pace.
          this.#retryMs = RETRY_MAX_MS;
          this.#fail(`${ssid} rejected the password (set it again: wifi set)`);
        } else {
          this.#fail(s.joined ? `${ssid} dropped the connection` : `${ssid} not found or not answering`);
        }
      }
    }
  }

  #joinTimedOut(): void {
    this.#timer = undefined;
    const s = this.#state;
    if (s.kind !== "joining") return;
    this.#guard("disconnect", () => this.#o.wifi.disconnect());
    this.#fail(s.joined ? `joined ${this.#settings!.ssid} but got no address (DHCP) in ${JOIN_TIMEOUT_MS / 1000} s` : `no answer from ${this.#settings!.ssid} in ${JOIN_TIMEOUT_MS / 1000} s`);
  }

  /** Fails this join and tries again after the current delay, which then doubles. */
  #fail(reason: string): void {
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
    this.#state = { kind: "failed", reason };
    this.#log(`${reason}; trying again in ${Math.round(delay / 1000)} s`);
    this.#cancelTimer();
    this.#timer = this.#o.timer.set(() => this.#guard("retry", () => {
      this.#timer = undefined;
      if (this.#state.kind === "failed") this.#join();
    }), delay);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#o.timer.clear(this.#timer);
    this.#timer = undefined;
  }

  /** Runs work from a module callback or timer: a fault is logged, never thrown into the event loop. */
  #guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#log(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #log(line: string): void {
    this.#o.log?.(`wifi: ${line}`);
  }
}
