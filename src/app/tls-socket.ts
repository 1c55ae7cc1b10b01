// The hub link's TLS socket on Moddable (ESP32-S3 and lin): the shape of an
// ECMA-419 TCP socket (onWritable once connected, onReadable, onError; read,
// write, close), so TcpMqttLink runs over it unchanged, with Moddable's TLS 1.2
// (ssl/session from modules/crypt/tls_419.json) over the board's TCP socket.
//
// - The broker's certificate is checked by the gate's own rules
//   (core/tls/broker-check.ts: signed by the hub ca CA, naming the host, dates
//   when the clock is trusted), not by ssl/cert's verify(), which can accept a
//   certificate whose signature failed; ssl/cert still checks the signature.
// - The link is "up" only after the handshake's Finished: an alert from the
//   peer (which also ends ssl/session's handshake) is an error, never a
//   connection, so nothing the client writes can go out unencrypted.
// - Any exception inside the TLS engine (a record it cannot parse: a plain
//   MQTT broker answering, a refusal of the certificate) closes the socket and
//   is reported through onError; the reason goes to onRefused.
// - No session cache: each connection checks the certificate again (a CA
//   changed with hub ca applies at once).
import Session, { type SessionSocket } from "ssl/session";
import CertificateManager from "ssl/cert";
import X509 from "x509";
import { brokerCertificateRefusal, type BrokerCheck } from "../core/tls/broker-check";
import type { TcpOptions, TcpSocket } from "./mqtt-tcp-link";

/** Room left in each TCP write for the record's header, explicit nonce or IV, MAC or tag and padding. */
const RECORD_OVERHEAD = 96;
/** The largest TLS record's plaintext. */
const MAX_FRAGMENT = 16_384;
/** Handshake steps one callback may run (each reads a record or writes a flight). */
const MAX_STEPS = 32;

export interface TlsSpec {
  /** [REQUIRED] The board's TCP socket class (it must accept read(buffer) as ECMA-419 allows). */
  tcp: new (options: TcpOptions & Record<string, unknown>) => TcpSocket;
  /** [REQUIRED] The CA set with hub ca (DER), the host to expect, and the trusted clock at the time of the check. */
  check(): BrokerCheck;
  /** [OPTIONAL] Why the last connection was refused or failed, one sentence. */
  onRefused?(reason: string): void;
  /** [OPTIONAL] The handshake finished and the broker's certificate passed. */
  onSecured?(): void;
  /** [REQUIRED] Runs fn soon, outside the current callback. */
  defer(fn: () => void): void;
}

/** The raw socket as the TLS engine reads and writes it (it keeps the counts itself). */
type RawSocket = TcpSocket & { read(buffer: Uint8Array | number): ArrayBuffer | number };

/** A TcpSocket class that speaks TLS to the broker and checks its certificate. */
export function tlsSocketClass(spec: TlsSpec): new (options: TcpOptions) => TcpSocket {
  return class TlsSocket implements TcpSocket {
    #tcp: RawSocket | undefined;
    #session: Session | undefined;
    readonly #io: SessionSocket;
    readonly #options: TcpOptions;
    #ready = false;
    /** Plaintext of one record not read yet. */
    #data: Uint8Array | undefined;
    #pumping = false;
    /** Bytes of the broker's first record header seen (its first two tell TLS from plain MQTT). */
    #headerSeen = 0;
    /** Why the broker's certificate was refused (the engine then fails with its own, vaguer, error). */
    #refusal: string | undefined;

    constructor(options: TcpOptions) {
      this.#options = options;
      const check = spec.check();
      const session = new Session({ tls_server_name: check.host, protocolVersion: 0x303, cache: false, trace: false });
      session.certificateManager = new BrokerCertificates(check, (why) => { this.#refusal ??= why; });
      session.initiateHandshake();
      this.#session = session;
      const self = this;
      // The engine's view of the TCP socket: the counts it keeps, the bytes through the real socket.
      this.#io = {
        readable: 0,
        writable: 0,
        read(buffer: Uint8Array) {
          const result = self.#tcp!.read(buffer);
          self.#checkFirstRecord(buffer);
          return result;
        },
        // The engine keeps the count: during the handshake it subtracts what it wrote, after it takes what write returns.
        write(bytes: Uint8Array | ArrayBuffer) {
          self.#tcp!.write(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
          return this.writable - bytes.byteLength;
        },
      };
      const { onReadable: _r, onWritable: _w, onError: _e, ...rest } = options;
      this.#tcp = new spec.tcp({
        ...rest,
        format: "buffer",
        onWritable: (count: number) => this.#onWritable(count),
        onReadable: (count: number) => this.#onReadable(count),
        onError: () => this.#fail("the connection to the broker failed or was closed"),
      }) as RawSocket;
    }

    read(byteLength: number): ArrayBuffer | number {
      const data = this.#data;
      if (!data || !this.#ready) return new ArrayBuffer(0);
      const n = Math.min(byteLength, data.length);
      const out = data.slice(0, n).buffer;
      this.#data = n < data.length ? data.subarray(n) : undefined;
      if (!this.#data && this.#io.readable > 0) spec.defer(() => this.#pump());
      return out;
    }

    write(bytes: Uint8Array): void {
      const session = this.#session;
      if (!session || !this.#ready) throw new Error("tls: not connected");
      for (let at = 0; at < bytes.length; at += MAX_FRAGMENT) {
        session.write(this.#io, bytes.subarray(at, Math.min(bytes.length, at + MAX_FRAGMENT)));
      }
    }

    close(): void {
      const tcp = this.#tcp;
      this.#tcp = undefined;
      this.#session = undefined;
      this.#ready = false;
      this.#data = undefined;
      try { tcp?.close(); } catch { /* already closed */ }
    }

    #onWritable(count: number): void {
      if (!this.#tcp) return;
      this.#io.writable = count;
      if (!this.#ready) {
        this.#pump();
        return;
      }
      const room = Math.min(count - RECORD_OVERHEAD, MAX_FRAGMENT);
      if (room > 0) this.#options.onWritable?.(room);
    }

    #onReadable(count: number): void {
      if (!this.#tcp) return;
      this.#io.readable = count;
      this.#pump();
    }

    /** Runs the handshake, or hands over the application data waiting, as far as the bytes received allow. */
    #pump(): void {
      if (this.#pumping) return; // the application read inside onReadable: the loop below goes on
      this.#pumping = true;
      let steps = 0;
      try {
        for (; this.#session && steps < MAX_STEPS; steps++) {
          const session = this.#session;
          if (!this.#ready) {
            const before = this.#io.readable;
            const pending = (session as unknown as { handshakeProcess: number }).handshakeProcess;
            if (session.handshake(this.#io)) {
              if (session.alert) throw new TlsFailure(`the broker ended the handshake (TLS alert ${session.alert.description})`);
              this.#ready = true;
              spec.onSecured?.();
              const room = Math.min(this.#io.writable - RECORD_OVERHEAD, MAX_FRAGMENT);
              if (room > 0) this.#options.onWritable?.(room);
              continue;
            }
            if (this.#io.readable === before && pending === -1) break; // waiting for the broker
            continue;
          }
          if (this.#data || this.#io.readable === 0) break;
          const data = session.read(this.#io);
          if (data === null) throw new TlsFailure(`the broker closed the TLS session (alert ${session.alert?.description ?? "?"})`);
          if (!data) break; // a record not complete yet
          if (data.length === 0) continue;
          this.#data = data;
          this.#options.onReadable?.(data.length);
        }
      } catch (error) {
        this.#fail(error instanceof TlsFailure ? error.message : `the TLS handshake failed (${error instanceof Error ? error.message : String(error)})`);
      } finally {
        this.#pumping = false;
      }
      // Records left in the TCP buffer get no new onReadable: go on from the event loop.
      if (steps === MAX_STEPS && this.#session && this.#io.readable > 0) spec.defer(() => this.#pump());
    }

    /**
     * A plain MQTT broker answers a ClientHello with MQTT bytes (or nothing)
     * that ssl/session would wait on as a record: a TLS record starts with a
     * content type 20..23 and version major 3, anything else ends it now.
     */
    #checkFirstRecord(bytes: Uint8Array): void {
      for (let i = 0; i < bytes.length && this.#headerSeen < 2; i++, this.#headerSeen++) {
        const b = bytes[i];
        if (this.#headerSeen === 0 ? b < 20 || b > 23 : b !== 3) throw new TlsFailure("the broker did not answer in TLS (a plain MQTT port?)");
      }
    }

    #fail(reason: string): void {
      if (!this.#tcp) return;
      this.close();
      spec.onRefused?.(this.#refusal ?? reason);
      this.#options.onError?.();
    }
  };
}

/** A failure this socket names itself (the engine's own errors are wrapped). */
class TlsFailure extends Error {}

/** ssl/cert with the gate's rules for the broker's certificate (and no certificate store of its own). */
class BrokerCertificates extends CertificateManager {
  readonly #check: BrokerCheck;
  readonly #refused: (why: string) => void;
  #peer: ArrayBuffer | undefined;

  constructor(check: BrokerCheck, refused: (why: string) => void) {
    super({ verify: true });
    this.#check = check;
    this.#refused = refused;
  }

  verify(certs: Uint8Array[]): boolean {
    const chain = certs.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    const why = brokerCertificateRefusal(chain, this.#check, (issuer, cert) => this._verify(X509.decodeSPKI(issuer.slice().buffer), X509.decode(cert.slice().buffer)));
    if (why) this.#refused(why);
    return why === undefined;
  }

  /** The broker's certificate, kept for getKey (ssl/cert's own register() would check its dates by an untrusted clock). */
  register(cert: ArrayBuffer): void {
    this.#peer = cert;
  }

  /** The broker's public key, for its ServerKeyExchange signature. */
  getKey(cert?: ArrayBuffer): unknown {
    if (cert === undefined || this.#peer === undefined || !sameBuffer(cert, this.#peer)) return undefined;
    return X509.decode(cert).spki;
  }
}

function sameBuffer(a: ArrayBuffer, b: ArrayBuffer): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a), y = new Uint8Array(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
