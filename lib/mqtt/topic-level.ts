// Wildcards and the level separator would change what the topic means; control characters
// and noncharacters make Mosquitto close the connection (see topics.ts).
const UNSAFE_IN_LEVEL = /[/+#]|\p{Cc}|\p{Noncharacter_Code_Point}|\p{Cs}/gu;

/**
 * `text` as one topic level: `/`, `+`, `#`, control characters and noncharacters become `_`, and
 * empty text becomes `_`, so a host name taken from the network cannot add levels or wildcards.
 */
export function topicLevelOf(text: string): string {
  const level = text.replace(UNSAFE_IN_LEVEL, '_');
  return level === '' ? '_' : level;
}
