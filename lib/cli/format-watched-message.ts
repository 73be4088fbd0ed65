/** A message as `watch` received it. */
export interface WatchedMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly retain: boolean;
  /** The `event-id` user property (MQTT 5), when the relay set one. */
  readonly eventId?: string;
  readonly receivedAt: Date;
}

const ANSI = { dim: '\u001b[2m', cyan: '\u001b[36m', yellow: '\u001b[33m', reset: '\u001b[0m' };

/**
 * One line per message. For a terminal: time, topic, flags and the payload on one readable line,
 * in colour unless `colour` is false. Otherwise a JSON line, the payload parsed when it is JSON,
 * so the output can be piped into jq or a file.
 */
export function formatWatchedMessage(
  message: WatchedMessage,
  { readable, colour }: { readable: boolean; colour: boolean },
): string {
  const payload = decodePayload(message.payload);
  if (!readable) {
    return `${JSON.stringify({
      time: message.receivedAt.toISOString(),
      topic: message.topic,
      qos: message.qos,
      retain: message.retain,
      ...(message.eventId === undefined ? {} : { eventId: message.eventId }),
      payload: payload.value,
    })}\n`;
  }
  const paint = (code: string, text: string): string =>
    colour ? `${code}${text}${ANSI.reset}` : text;
  const time = message.receivedAt.toISOString().slice(11, 23);
  const flags = [message.retain ? 'retained' : '', message.eventId ? `id ${message.eventId}` : '']
    .filter(Boolean)
    .join(' ');
  return (
    [
      paint(ANSI.dim, time),
      paint(ANSI.cyan, message.topic),
      ...(flags ? [paint(ANSI.yellow, `[${flags}]`)] : []),
      payload.text,
    ].join(' ') + '\n'
  );
}

/** The payload as a value for JSON output and as one line of text. */
function decodePayload(payload: Buffer): { value: unknown; text: string } {
  const text = payload.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(payload)) {
    const hex = payload.subarray(0, 32).toString('hex');
    return {
      value: { base64: payload.toString('base64') },
      text: `<${payload.length} bytes: ${hex}…>`,
    };
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null) return { value, text: JSON.stringify(value) };
  } catch {
    // not JSON: shown as text
  }
  return { value: text, text: text.replaceAll('\n', '\\n') };
}
