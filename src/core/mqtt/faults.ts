// Every way a byte stream from the broker can be wrong, as a stable code and a
// sentence. The decoder returns these (it never throws on input); the client
// closes the connection on any of them, as MQTT 3.1.1 §4.8 requires.
import { OptgateError } from "../errors";

export const MQTT_FAULTS = {
  E_MQTT_BAD_VARINT: "the remaining length runs past 4 bytes",
  E_MQTT_TOO_LARGE: "the packet is larger than this client accepts",
  E_MQTT_UNKNOWN_TYPE: "the packet type is reserved (0 or 15)",
  E_MQTT_BAD_FLAGS: "the fixed-header flags are not the ones the packet type requires",
  E_MQTT_TRUNCATED: "a field runs past the end of the packet",
  E_MQTT_TRAILING_BYTES: "the packet has bytes after its last field",
  E_MQTT_BAD_UTF8: "a string is not well-formed UTF-8 or contains U+0000",
  E_MQTT_BAD_TOPIC: "a topic is empty, or a PUBLISH topic holds a wildcard, or a filter misplaces one",
  E_MQTT_BAD_PACKET_ID: "a packet identifier is 0",
  E_MQTT_BAD_QOS: "a QoS is 3, or a SUBACK return code is not 0, 1, 2 or 0x80",
  E_MQTT_BAD_CONNECT: "CONNECT has a wrong protocol name, level or flags",
  E_MQTT_BAD_CONNACK: "CONNACK has reserved bits set, an unknown return code, or a session on refusal",
  E_MQTT_EMPTY_LIST: "SUBSCRIBE, SUBACK or UNSUBSCRIBE carries no entry",
} as const;

export type MqttFaultCode = keyof typeof MQTT_FAULTS;

export function mqttFault(code: MqttFaultCode): OptgateError {
  return new OptgateError(code, `MQTT: ${MQTT_FAULTS[code]}.`);
}
