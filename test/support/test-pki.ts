// A throwaway PKI made at test time with the openssl CLI, in a temporary
// folder removed by dispose(): a CA and broker certificates signed by it, for
// the TLS tests. Nothing of it is committed (no private key in the repo).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Issued {
  certPem: string;
  keyPem: string;
  der: Uint8Array;
}

export class TestPki {
  readonly dir = mkdtempSync(path.join(tmpdir(), "optgate-pki-"));
  #serial = 1;

  #openssl(...args: string[]): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: ["ignore", "ignore", "pipe"] });
  }

  #issued(name: string): Issued {
    const certPem = readFileSync(path.join(this.dir, `${name}.pem`), "utf8");
    const der = new Uint8Array(execFileSync("openssl", ["x509", "-in", `${name}.pem`, "-outform", "DER"], { cwd: this.dir }));
    return { certPem, keyPem: readFileSync(path.join(this.dir, `${name}.key`), "utf8"), der };
  }

  /** A self-signed RSA-2048 CA (CA:TRUE). */
  ca(name: string, subject = `/CN=${name}`): Issued {
    this.#openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "3650", "-subj", subject,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return this.#issued(name);
  }

  /** An RSA-2048 server certificate signed by `ca` (the name given to ca()), with these subjectAltNames ("DNS:x", "IP:1.2.3.4"). */
  leaf(name: string, ca: string, altNames: string[], options: { cn?: string; days?: number } = {}): Issued {
    this.#openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${options.cn ?? name}`);
    writeFileSync(path.join(this.dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n${altNames.length ? `subjectAltName=${altNames.join(",")}\n` : ""}`);
    this.#openssl("x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-set_serial", String(this.#serial++),
      "-days", String(options.days ?? 365), "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.pem`);
    return this.#issued(name);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
