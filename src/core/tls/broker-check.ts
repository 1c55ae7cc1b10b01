// Whether the certificate a broker presents in the TLS handshake is the one
// this gate was told to trust: signed directly by the CA given with hub ca,
// naming the hub host exactly (subjectAltName; no common-name fallback), and
// within its validity when the gate's clock is trusted. The TLS engine on the
// board (src/app/tls-socket.ts over Moddable's ssl/session) calls it in place
// of Moddable's own check, which accepts a certificate whose name matched but
// whose signature or dates did not, as long as the chain's last certificate
// verifies (ssl/cert verify() falls through to the root with `match` kept).
//
// Time: a gate that has lost its clock (a long power cut, no RTC battery)
// gets the time back from the hub, over this link. Refusing every certificate
// then would keep it off the hub for good, so without a trusted clock dates
// are not checked and the signature and the name alone decide; hub show says
// so (docs/hub.md). The CA's own dates were checked when it was entered.
import { isDottedIpv4 } from "../net-address";
import { DerReader } from "./der";
import { parseCertificate, type Certificate } from "./x509";

/** A broker certificate larger than this is refused before parsing (an RSA-4096 leaf with a few names is under 2 KB). */
export const MAX_BROKER_CERT_BYTES = 4096;

const SUBJECT_ALT_NAME = "2.5.29.17";

export interface BrokerCheck {
  /** The hub host as set with hub set: a DNS name or a dotted IPv4 address. */
  host: string;
  /** The CA certificate's DER (hub ca). */
  ca: Uint8Array;
  /** Wall-clock ms when the gate's clock is trusted; undefined: dates are not checked. */
  now?: number;
}

/**
 * Undefined when `chain` (the broker's certificate first, as sent) is
 * acceptable; otherwise the reason, one sentence for the log and hub show.
 * `signedBy(issuer, cert)` checks cert's signature with issuer's key.
 */
export function brokerCertificateRefusal(chain: readonly Uint8Array[], check: BrokerCheck, signedBy: (issuerDer: Uint8Array, certDer: Uint8Array) => boolean): string | undefined {
  const leafDer = chain[0];
  if (!leafDer) return "the broker sent no certificate";
  if (leafDer.length > MAX_BROKER_CERT_BYTES) return `the broker's certificate is ${leafDer.length} bytes (at most ${MAX_BROKER_CERT_BYTES})`;
  let leaf: Certificate, ca: Certificate;
  try {
    leaf = parseCertificate(leafDer);
    ca = parseCertificate(check.ca);
  } catch {
    return "the broker's certificate does not decode";
  }
  if (!sameBytes(leaf.issuer, ca.subject)) return "the broker's certificate is not issued by the CA set with hub ca";
  let signed = false;
  try { signed = signedBy(check.ca, leafDer); } catch { signed = false; }
  if (!signed) return "the broker's certificate is not signed by the CA set with hub ca";
  if (!namesHost(leaf, check.host)) return `the broker's certificate does not name ${check.host}`;
  const now = check.now;
  if (now !== undefined) {
    if (now < leaf.notBefore) return `the broker's certificate is not valid before ${iso(leaf.notBefore)}`;
    if (now > leaf.notAfter) return `the broker's certificate expired on ${iso(leaf.notAfter)}`;
    if (now > ca.notAfter) return `the CA set with hub ca expired on ${iso(ca.notAfter)}`;
  }
  return undefined;
}

/** The subjectAltName entries: a dNSName equal to the host (one leading "*." label allowed), or an iPAddress equal to a dotted IPv4 host. */
function namesHost(cert: Certificate, host: string): boolean {
  const value = cert.extensions[SUBJECT_ALT_NAME];
  if (!value) return false;
  const ip = isDottedIpv4(host);
  const want = host.toLowerCase();
  try {
    const names = new DerReader(new DerReader(value).next(0x30).value);
    while (!names.done) {
      const name = names.next();
      if (name.tag === 0x82 && !ip) {
        const dns = ascii(name.value).toLowerCase();
        if (dns === want) return true;
        // "*.example.org" names one more label, never several, never the bare domain.
        if (dns.startsWith("*.") && dns.indexOf("*", 1) < 0 && want.indexOf(".") > 0 && want.slice(want.indexOf(".")) === dns.slice(1)) return true;
      } else if (name.tag === 0x87 && ip && name.value.length === 4) {
        if (Array.from(name.value).join(".") === host) return true;
      }
    }
  } catch {
    return false;
  }
  return false;
}

function ascii(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}
