/**
 * The naive baseline: what a relay amounts to without parsing rules, de-duplication, enrichment,
 * bounded queues or delivery tracking. Each datagram is split on ';' and published at once, QoS 1,
 * as the task name and as JSON of its fields, with nothing waited for and nothing counted.
 *
 * Run by the bench as its own process; says `udp.listening` and `mqtt.connected` as JSON lines,
 * like the relay, so both are started and measured the same way.
 */
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values } = parseArgs({
  options: {
    'udp-port': { type: 'string' },
    'mqtt-url': { type: 'string' },
    'basic-topic': { type: 'string' },
    'full-topic': { type: 'string' },
  },
});
const udpPort = Number(values['udp-port']);
const { 'mqtt-url': url, 'basic-topic': basicTopic, 'full-topic': fullTopic } = values;
if (!url || !basicTopic || !fullTopic || !Number.isInteger(udpPort)) {
  console.error('usage: naive-relay --udp-port=N --mqtt-url=URL --basic-topic=T --full-topic=T');
  process.exit(2);
}

// The same receive buffer the relay asks for, so the two differ in processing only.
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
const say = (event: string): void => console.log(JSON.stringify({ event, time: Date.now() }));

const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 1_000 });
client.on('error', (error) => console.error(error.message));
say('mqtt.connected');

const socket = createSocket('udp4');
socket.on('message', (bytes) => {
  const fields = bytes.toString('utf8').split(';');
  if (fields.length < 11) return;
  const [, hostName, taskName = '', appName, user, taskId, appId, logTimeStamp, logLevel] = fields;
  const full = {
    hostName,
    user,
    taskName,
    taskId,
    appName,
    appId,
    logTimeStamp,
    logLevel,
    executionId: fields[9],
    logMessage: fields.slice(10).join(';'),
  };
  client.publish(basicTopic, taskName, { qos: 1 });
  client.publish(fullTopic, JSON.stringify(full), { qos: 1 });
});
socket.bind(udpPort, '127.0.0.1', () => {
  socket.setRecvBufferSize(RECV_BUFFER_BYTES);
  say('udp.listening');
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    socket.close();
    client.end(false, () => process.exit(0));
  });
}
