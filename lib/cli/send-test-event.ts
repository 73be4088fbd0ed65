import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { testEventDatagram, type TestEventRequest } from './test-event-datagram.js';
import { formatUdpTarget, type UdpTarget } from './udp-target.js';

export interface SendTestEventIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Sends one realistic log-appender datagram to `target` and says what was sent. Resolves with the
 * exit code: 0 when the datagram left, 1 when it could not be sent (e.g. an unknown host). UDP
 * has no receipt: whether a relay took it shows on its MQTT topics, logs and /metrics.
 */
export async function sendTestEvent(
  request: TestEventRequest,
  target: UdpTarget,
  io: SendTestEventIo,
): Promise<number> {
  const datagram = testEventDatagram(request);
  const bytes = Buffer.from(datagram.text, 'utf8');
  const where = formatUdpTarget(target);
  try {
    await sendDatagram(bytes, target);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    io.stderr.write(`sense-mqtt-relay: could not send the test event to ${where}: ${reason}\n`);
    return 1;
  }
  const { fields } = datagram;
  io.stdout.write(
    [
      `sent a ${datagram.kind} test event to ${where} (UDP, ${bytes.length} bytes):`,
      `  ${datagram.text}`,
      `task id ${fields.taskId}, app id ${fields.appId || '(none)'}, execution id ${fields.executionId}`,
      ...(request.taskId === undefined &&
      (datagram.kind === 'task.failed' || datagram.kind === 'task.aborted')
        ? [
            'The task id is made up, so the full message will say the Repository Service lookup failed;',
            'pass --task-id and --app-id of a real reload task to see it complete.',
          ]
        : []),
      '',
    ].join('\n'),
  );
  return 0;
}

function sendDatagram(bytes: Buffer, target: UdpTarget): Promise<void> {
  const socket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.send(bytes, target.port, target.host, (error) => (error ? reject(error) : resolve()));
  }).finally(() => socket.close());
}
