// Whether a TCP server answers at host:port within a second: the tests and the
// bench use it to run against real PostgreSQL and Mosquitto only where they run.
import net from "node:net";

export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
