// Moddable's `net` module: the station's address from the Wi-Fi model.
import { wifi } from "./rig";
export default {
  get(what: string): string | undefined {
    return what === "IP" ? wifi.address() : undefined;
  },
};
