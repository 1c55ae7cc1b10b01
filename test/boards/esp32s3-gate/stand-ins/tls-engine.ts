// Stand-in for Moddable's TLS modules (ssl/session, ssl/cert, x509) that the
// board's TLS socket (src/app/tls-socket.ts) imports. No TLS engine runs in
// these XS board tests: the real one is exercised in a Moddable lin build
// (test/moddable/tls-lin.node.test.ts). Using it here fails loudly.
export default class NoTlsEngine {
  constructor(..._args: unknown[]) {
    throw new Error("stand-in: no TLS engine in the board test (see test/moddable/tls-lin.node.test.ts)");
  }

  static decode(): never {
    throw new Error("stand-in: no x509");
  }

  static decodeSPKI(): never {
    throw new Error("stand-in: no x509");
  }
}
