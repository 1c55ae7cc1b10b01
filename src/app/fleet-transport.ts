// Which socket the hub link opens (docs/hub.md): plain TCP, or TLS checking
// the broker's certificate against the CA set with hub ca. A gate set to tls
// never falls back to TCP: without a CA, with unreadable transport settings,
// or on a board without TLS, the link does not start and says why.
import type { Board } from "./board";
import type { HubSettings, HubTls } from "./hub-settings";
import type { TcpOptions, TcpSocket } from "./mqtt-tcp-link";

export type SocketClass = new (options: TcpOptions) => TcpSocket;

export interface TransportParts {
  board: Pick<Board, "tcp" | "tls">;
  settings: HubSettings;
  /** readHubTls: the record, or why it cannot be read. */
  tls: { settings?: HubTls; damage?: string };
  /** Wall-clock ms while the gate's clock is trusted (the broker certificate's dates are checked then). */
  trustedNow(): number | undefined;
  defer(fn: () => void): void;
  onRefused(reason: string): void;
  onSecured(): void;
}

/** The socket class for the link, or why the link must not start. */
export function hubSocket(p: TransportParts): { io: SocketClass; transport: "tcp" | "tls" } | { whyNot: string } {
  const tls = p.tls.settings;
  if (!tls) return { whyNot: "hub transport settings unreadable: set them again (hub transport, hub ca)" };
  if (tls.transport === "tcp") {
    if (!p.board.tcp) return { whyNot: "no network socket on this board" };
    return { io: p.board.tcp, transport: "tcp" };
  }
  const ca = tls.ca;
  if (!ca) return { whyNot: "transport tls and no CA: give the CA that signed the broker's certificate (hub ca)" };
  if (!p.board.tls) return { whyNot: "transport tls and this board has no TLS" };
  const host = p.settings.host;
  const io = p.board.tls({
    check: () => { const now = p.trustedNow(); return now === undefined ? { host, ca } : { host, ca, now }; },
    onRefused: p.onRefused,
    onSecured: p.onSecured,
    defer: p.defer,
  });
  return { io, transport: "tls" };
}
