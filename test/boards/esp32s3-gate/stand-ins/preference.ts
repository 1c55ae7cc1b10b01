// Moddable's \`preference\` module (NVS on the ESP32): values by domain and key, kept in the rig's world.
import { world } from "./rig";
export default {
  get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined {
    return world.preferences.get(`${domain}/${key}`);
  },
  set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void {
    world.preferences.set(`${domain}/${key}`, value);
  },
  delete(domain: string, key: string): void {
    world.preferences.delete(`${domain}/${key}`);
  },
  keys(domain: string): string[] {
    return [...world.preferences.keys()].filter((k) => k.startsWith(`${domain}/`)).map((k) => k.slice(domain.length + 1));
  },
};
