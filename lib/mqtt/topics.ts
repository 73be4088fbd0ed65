/** MQTT allows at most this many bytes (UTF-8) in a topic name or filter. */
const MAX_TOPIC_BYTES = 65535;

/** A lone UTF-16 surrogate cannot be encoded as UTF-8, which MQTT requires. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Control characters (NUL included) and noncharacters: MQTT says topics should not hold them, and
 * Mosquitto closes the connection of a client that sends one, so a message with such a topic would
 * cut the relay off again at every retry.
 */
const DISCOURAGED_IN_TOPICS = /\p{Cc}|\p{Noncharacter_Code_Point}/u;

function isEncodableTopicText(text: string): boolean {
  return (
    text.length > 0 &&
    !DISCOURAGED_IN_TOPICS.test(text) &&
    !LONE_SURROGATE.test(text) &&
    Buffer.byteLength(text, 'utf8') <= MAX_TOPIC_BYTES
  );
}

/** True for a topic that may be published to: no wildcards, not empty, no control characters or noncharacters, ≤ 65535 bytes. */
export function isValidTopicName(topic: unknown): topic is string {
  return (
    typeof topic === 'string' &&
    isEncodableTopicText(topic) &&
    !topic.includes('+') &&
    !topic.includes('#')
  );
}

/** True for a subscription filter: `+` fills a whole level, `#` fills the whole last level. */
export function isValidTopicFilter(filter: unknown): filter is string {
  if (typeof filter !== 'string' || !isEncodableTopicText(filter)) return false;
  const levels = filter.split('/');
  return levels.every((level, index) => {
    if (level.includes('#')) return level === '#' && index === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}

/** An MQTT 5 shared subscription, `$share/<group>/<filter>`: the group is not part of the match. */
const SHARED_SUBSCRIPTION = /^\$share\/[^/+#]+\//;

/**
 * True when a message published to `topic` is delivered to a subscription on `filter`.
 * Wildcards in the first level never match topics that start with `$` (such as `$SYS/…`), as
 * the MQTT specification requires; a shared subscription matches as its inner filter does.
 * Invalid input never matches.
 */
export function topicMatchesFilter(topic: string, filter: string): boolean {
  if (!isValidTopicName(topic) || !isValidTopicFilter(filter)) return false;
  const topicLevels = topic.split('/');
  const filterLevels = filter.replace(SHARED_SUBSCRIPTION, '').split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '#' || filterLevels[0] === '+')) return false;

  for (let index = 0; index < filterLevels.length; index += 1) {
    const wanted = filterLevels[index];
    // `#` also matches its parent level: `a/#` matches `a`.
    if (wanted === '#') return true;
    const actual = topicLevels[index];
    if (actual === undefined) return false;
    if (wanted !== '+' && wanted !== actual) return false;
  }
  return topicLevels.length === filterLevels.length;
}
