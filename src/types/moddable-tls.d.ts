// The parts of Moddable's TLS (modules/crypt: ssl/session from tls_419.json,
// ssl/cert, x509) that src/app/tls-socket.ts uses. Not in @moddable/typings.
declare module "ssl/session" {
  /** What the session reads and writes records through: the TCP socket's counts kept as properties. */
  export interface SessionSocket {
    readable: number;
    writable: number;
    read(buffer: Uint8Array): unknown;
    write(bytes: Uint8Array | ArrayBuffer): number;
  }
  export default class SSLSession {
    constructor(options: Record<string, unknown>);
    certificateManager: unknown;
    alert?: { level: number; description: number };
    initiateHandshake(): void;
    /** One step; true when the handshake ended (finished, or an alert: check `alert`). */
    handshake(socket: SessionSocket): boolean;
    /** Application data of one record; undefined while a record is incomplete, null after an alert. */
    read(socket: SessionSocket): Uint8Array | null | undefined;
    write(socket: SessionSocket, data: Uint8Array): number;
    close(socket: SessionSocket): void;
  }
}

declare module "ssl/cert" {
  export default class CertificateManager {
    constructor(options: Record<string, unknown>);
    /** Checks `x509`'s signature with the issuer's decoded key. */
    _verify(spki: unknown, x509: unknown): boolean;
  }
}

declare module "x509" {
  const X509: {
    decode(der: ArrayBuffer): { tbs: ArrayBuffer; algo: unknown; sig: ArrayBuffer; spki: unknown };
    decodeSPKI(der: ArrayBuffer): unknown;
  };
  export default X509;
}
