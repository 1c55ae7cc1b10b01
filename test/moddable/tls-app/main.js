// Runs inside a real Moddable lin build (test/moddable/tls-lin.node.test.ts
// builds it): the gate's MQTT client over TcpMqttLink over the TLS socket
// (src/app/tls-socket.ts, Moddable's ssl/session) over lin's
// embedded:io/socket/tcp, against each Node server the test started. The
// scenarios come from the generated module "tls-test-config"; one line each:
//   TLS-TEST <name> connected            CONNACK, the server's burst of messages all
//                                        received, and a QoS 1 PUBLISH acknowledged
//   TLS-TEST <name> refused <reason>     the link went down before that
import Timer from "timer";
import TCP from "embedded:io/socket/tcp";
import config from "tls-test-config";
import { tlsSocketClass } from "src/app/tls-socket";
import { TcpMqttLink } from "src/app/mqtt-tcp-link";
import { MqttClient } from "src/core/mqtt/client";
import { base64Decode } from "src/core/tls/ca-certificate";

const defer = (fn) => { Timer.set(fn, 0); };

function run(scenario, done) {
  let reason;
  let finished = false;
  let ticker;
  const io = tlsSocketClass({
    tcp: TCP,
    check: () => ({ host: scenario.host, ca: base64Decode(scenario.ca), ...(scenario.now !== undefined ? { now: scenario.now } : {}) }),
    onRefused: (why) => { reason ??= why; },
    defer,
  });
  const link = new TcpMqttLink({ io, address: "127.0.0.1", port: scenario.port, defer });
  const password = new Uint8Array([0x70, 0x77, 0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]); // "pw-secret"
  const client = new MqttClient({ link, clientId: "optgate-gate-7-1", username: "gate-7-1", password, keepAliveSeconds: 0, reconnectMinMs: 600000, reconnectMaxMs: 600000 });
  link.attach(client);
  const started = Date.now();
  const finish = (result) => {
    if (finished) return;
    finished = true;
    Timer.clear(ticker);
    trace(`TLS-TEST ${scenario.name} ${result} ${Date.now() - started}ms\n`);
    client.stop();
    Timer.set(done, 20);
  };
  let messages = 0, published = false;
  const check = () => { if (published && messages === config.burst) finish("connected"); };
  client.events.onUp = () => { client.publish("optgate/7/1/test", new Uint8Array([1, 2, 3]), { qos: 1 }); };
  client.events.onMessage = (message) => { if (message.payload[0] === messages) messages++; check(); };
  client.events.onPublished = () => { published = true; check(); };
  client.events.onDown = (code) => finish(`refused ${reason ?? code}`);
  ticker = Timer.repeat(() => {
    client.tick(Date.now());
    if (Date.now() - started > 20000) finish(`timeout ${reason ?? ""} (${messages} of ${config.burst} messages)`);
  }, 20);
  client.start();
}

export default function main() {
  let i = 0;
  const next = () => {
    if (i >= config.scenarios.length) {
      trace("TLS-TEST DONE\n");
      return;
    }
    run(config.scenarios[i++], next);
  };
  next();
}
