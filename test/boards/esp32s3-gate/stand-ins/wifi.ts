// Moddable's `wifi` module: the ESP32 model's class (test/models/moddable-wifi.ts), its world in the rig.
import { wifi } from "./rig";
export default wifi.WiFi;
