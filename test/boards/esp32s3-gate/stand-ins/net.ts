// Moddable's `net` module: the station's address from the Wi-Fi model; names from the rig's DNS, answered later as on the device.
import { wifi, world } from "./rig";
export default {
  get(what: string): string | undefined {
    return what === "IP" ? wifi.address() : undefined;
  },
  resolve(name: string, callback: (name: string, address?: string) => void): void {
    Promise.resolve().then(() => callback(name, world.dns.get(name)));
  },
};
