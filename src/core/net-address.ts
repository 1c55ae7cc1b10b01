// One definition of "this host is an address, not a name" for the whole gate:
// the console's hub check, the fleet link and the board's resolving TCP must
// agree, or a host one accepts as a name another would try to resolve.

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

/** Four numbers 0..255 joined by dots, no leading zeros ("192.168.1.20"). */
export function isDottedIpv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}
