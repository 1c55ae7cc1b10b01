// The fleet link's settings: which hub this gate syncs with and the keys it
// trusts (hub ...), and the Wi-Fi network it reaches the broker through
// (wifi ...). The Wi-Fi password is typed at a hidden prompt, never on the
// command line, so it is in no echo, scrollback or audit detail.
import { OptgateError } from "../../errors";
import type { FleetConsole, HubView, WifiView } from "../backend";
import { MAX_CA_BYTES } from "../../tls/ca-certificate";
import { ask, reply, type Command, type CommandContext, type Outcome } from "../command";
import { T } from "../params";

export const fleetCommands: Command[] = [
  {
    path: "hub show",
    summary: "The fleet hub: host, port, compound, hub keys, this gate's id and public key, link status",
    params: [], options: [], examples: ["hub show", "hub show --json"], access: "auditor", audit: false,
    run: (ctx) => hubReply(fleet(ctx).hubShow()),
  },
  {
    path: "hub set",
    summary: "Set the hub this gate syncs with (the first time with the hub's public key)",
    params: [
      { name: "host", type: T.text(63), doc: "the broker's DNS name or IPv4 address" },
      { name: "port", type: T.int(1, 65_535), doc: "the broker's port (8883: MQTT over TLS)" },
      { name: "compound", type: T.int(1, 2 ** 32 - 1), doc: "the compound id the hub gave this gate's compound" },
      { name: "key", type: T.text(64), doc: "the hub's public key, 64 hex digits (required while the gate holds none)", optional: true },
    ],
    options: [], examples: ["hub set hub.example.org 8883 7 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29", "hub set 192.168.1.20 8883 7"],
    access: "installer", audit: true,
    run: (ctx, args) => hubReply(fleet(ctx).hubSet(ctx.actor, args.str("host"), args.num("port"), args.num("compound"), args.optStr("key")), "Hub settings stored; the link restarts with them."),
  },
  {
    path: "hub key add",
    summary: "Trust another hub key (at most two: the old and the new during a rotation)",
    params: [{ name: "key", type: T.text(64), doc: "the hub's public key, 64 hex digits" }],
    options: [], examples: ["hub key add 3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"], access: "installer", audit: true,
    run: (ctx, args) => hubReply(fleet(ctx).hubKeyAdd(ctx.actor, args.str("key")), "Hub key added."),
  },
  {
    path: "hub key remove",
    summary: "Stop trusting a hub key (by its slot in hub show; the last one stays: hub off)",
    params: [{ name: "slot", type: T.int(1, 2), doc: "1 or 2, as hub show numbers them" }],
    options: [], examples: ["hub key remove 1"], access: "installer", audit: true,
    run: (ctx, args) => hubReply(fleet(ctx).hubKeyRemove(ctx.actor, args.num("slot")), "Hub key removed."),
  },
  {
    path: "hub password",
    summary: "Set the password of this gate's broker user (gate-<compound>-<gate>); asked for, hidden, twice; Enter alone: none",
    params: [], options: [], examples: ["hub password"], access: "installer", audit: true,
    run(ctx) {
      const f = fleet(ctx);
      return ask("Broker password for this gate (Enter alone for none; hidden): ", true, (first) => {
        f.hubPasswordCheck(first);
        return ask("Repeat the password: ", true, (second) => {
          if (second !== first) throw new OptgateError("E_MISMATCH", "The two passwords differ; nothing was changed.");
          return hubReply(f.hubPassword(ctx.actor, first), first === "" ? "Broker password removed." : "Broker password stored; the link restarts with it.");
        });
      });
    },
  },
  {
    path: "hub transport",
    summary: "How the link reaches the broker: tls (checks the broker's certificate against hub ca) or tcp (everything in clear)",
    params: [{ name: "transport", type: T.oneOf(["tcp", "tls"]), doc: "tls for Mosquitto on 8883; tcp only on a trusted network (the broker password goes in clear)" }],
    options: [], examples: ["hub transport tls", "hub transport tcp"], access: "installer", audit: true,
    run(ctx, args) {
      const transport = args.str("transport") === "tls" ? "tls" : "tcp";
      const h = fleet(ctx).hubTransport(ctx.actor, transport);
      return hubReply(h, transport === "tls"
        ? (h.ca ? "Transport tls; the link restarts and checks the broker's certificate." : "Transport tls; the link stays down until the CA is given: hub ca.")
        : "Transport tcp: the link restarts in clear (the broker password too).");
    },
  },
  {
    path: "hub ca",
    summary: "Give the CA certificate that signed the broker's (PEM, pasted line by line); hub ca remove forgets it",
    params: [{ name: "action", type: T.oneOf(["remove"]), doc: "remove: forget the CA (with transport tls the link stays down)", optional: true }],
    options: [], examples: ["hub ca", "hub ca remove"], access: "installer", audit: true,
    run(ctx, args) {
      const f = fleet(ctx);
      if (args.optStr("action") === "remove") return hubReply(f.hubCa(ctx.actor, undefined), "CA removed.");
      const lines: string[] = [];
      let chars = 0;
      // Each line is checked as it comes, so a stray command ends the paste at once instead of being swallowed.
      const more = (line: string): Outcome => {
        const text = line.trim();
        if (text === "") return ask("", false, more);
        if (lines.length === 0 && text !== PEM_BEGIN) throw new OptgateError("E_BAD_CA", `A PEM certificate starts with ${PEM_BEGIN}; nothing was changed.`);
        if (lines.length > 0 && text !== PEM_END && !/^[A-Za-z0-9+/=]{1,76}$/.test(text)) throw new OptgateError("E_BAD_CA", "That line is not part of a PEM certificate; nothing was changed.");
        chars += text.length;
        if (chars > MAX_PASTE_CHARS) throw new OptgateError("E_BAD_CA", `That is more than a CA certificate (${MAX_CA_BYTES} bytes); nothing was changed.`);
        lines.push(text);
        if (text !== PEM_END) return ask("", false, more);
        return hubReply(f.hubCa(ctx.actor, lines.join("\n")), "CA stored; the link restarts with it.");
      };
      return ask("Paste the CA certificate (PEM, up to its -----END CERTIFICATE----- line; Ctrl-C to cancel): ", false, more);
    },
  },
  {
    path: "hub off",
    summary: "Take this gate off the fleet hub (deletes the hub settings; the gate keeps working on its own)",
    params: [], options: [], examples: ["hub off"], access: "installer", audit: true,
    run: (ctx) => hubReply(fleet(ctx).hubOff(ctx.actor), "Hub settings deleted; this gate no longer syncs."),
  },
  {
    path: "wifi show",
    summary: "The Wi-Fi network the gate uses (SSID only, never the password)",
    params: [], options: [], examples: ["wifi show"], access: "auditor", audit: false,
    run: (ctx) => wifiReply(fleet(ctx).wifiShow()),
  },
  {
    path: "wifi set",
    summary: "Set the Wi-Fi network; the password is asked for, hidden, twice",
    params: [{ name: "ssid", type: T.text(32), doc: "the network's name (quote it if it has spaces)" }],
    options: [], examples: ["wifi set GateNet", "wifi set \"Block 3 Wi-Fi\""], access: "installer", audit: true,
    run(ctx, args) {
      const f = fleet(ctx);
      const ssid = args.str("ssid");
      f.wifiCheck(ssid); // refuse a bad SSID before asking for a password
      return ask(`Wi-Fi password for ${ssid} (8-63 characters, Enter alone for an open network; hidden): `, true, (first) => {
        f.wifiCheck(ssid, first);
        return ask("Repeat the password: ", true, (second) => {
          if (second !== first) throw new OptgateError("E_MISMATCH", "The two passwords differ; nothing was changed.");
          return wifiReply(f.wifiSet(ctx.actor, ssid, first), "Wi-Fi settings stored; the link restarts with them.");
        });
      });
    },
  },
  {
    path: "wifi off",
    summary: "Forget the Wi-Fi network (its password is erased from flash)",
    params: [], options: [], examples: ["wifi off"], access: "installer", audit: true,
    run: (ctx) => wifiReply(fleet(ctx).wifiOff(ctx.actor), "Wi-Fi settings erased."),
  },
];

const PEM_BEGIN = "-----BEGIN CERTIFICATE-----";
const PEM_END = "-----END CERTIFICATE-----";

/** PEM of MAX_CA_BYTES: base64 in 64-character lines and the two marker lines, with room for stray spaces. */
const MAX_PASTE_CHARS = Math.ceil(MAX_CA_BYTES / 3) * 4 * 1.1 + 120;

function fleet(ctx: CommandContext): FleetConsole {
  if (!ctx.backend.fleet) throw new OptgateError("E_UNSUPPORTED", "This gate has no fleet link.");
  return ctx.backend.fleet;
}

function hubReply(h: HubView, done?: string) {
  return reply(h, [
    ...(done ? [done] : []),
    `hub:       ${h.enabled ? `${h.host}:${h.port}, compound ${h.compound}` : "off"}`,
    ...h.keys.map((k) => `hub key ${k.slot}: ${k.fingerprint}... (key id ${k.keyId})`),
    `gate:      ${h.gateId}`,
    `gate key:  ${h.gateKey ?? "none (this gate keeps no audit store)"}`,
    `seal key:  ${h.sealKey ?? "none (codes issued at the hub cannot reach this gate)"}`,
    `password:  ${h.password ? "set (hub password)" : "none"}`,
    `transport: ${h.transport === null ? "unreadable (link down)" : h.transport === "tls" ? "tls (broker certificate checked against the CA)" : "tcp (in clear)"}`,
    `ca:        ${h.ca ? `sha256 ${h.ca.fingerprint}, valid ${isoDay(h.ca.notBefore)} to ${isoDay(h.ca.notAfter)}` : h.transport === "tls" ? "none: the link stays down (hub ca)" : "none"}`,
    `link:      ${h.link}`,
    ...(h.damage ? [`DAMAGE:    ${h.damage}`] : []),
  ]);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function wifiReply(w: WifiView, done?: string) {
  return reply(w, [
    ...(done ? [done] : []),
    `wifi:      ${w.enabled ? `${w.ssid}${w.open ? " (open network, no password)" : ""}` : "off"}`,
    ...(w.damage ? [`DAMAGE:    ${w.damage}`] : []),
  ]);
}
