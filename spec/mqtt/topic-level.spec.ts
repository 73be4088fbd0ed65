import { topicLevelOf } from '../../lib/mqtt/topic-level.js';
import { isValidTopicName } from '../../lib/mqtt/topics.js';

describe('topicLevelOf', () => {
  it('keeps a host name as it is', () => {
    expect(topicLevelOf('qs-node1.corp.example.com')).toBe('qs-node1.corp.example.com');
    expect(topicLevelOf('QS-NODE2')).toBe('QS-NODE2');
  });

  it('turns level separators, wildcards and control characters into _', () => {
    expect(topicLevelOf('a/b+c#d')).toBe('a_b_c_d');
    expect(topicLevelOf('node\u0000\u001f\u007f1')).toBe('node___1');
    expect(topicLevelOf('node\ufffe')).toBe('node_');
  });

  it('never gives an empty level', () => {
    expect(topicLevelOf('')).toBe('_');
  });

  it('always gives one valid level, whatever the text', () => {
    for (const text of ['/', '#', '+/+', '\ud800', 'x'.repeat(10), 'é/ü']) {
      const level = topicLevelOf(text);
      expect([text, level.includes('/'), isValidTopicName(`root/${level}/count`)]).toEqual([
        text,
        false,
        true,
      ]);
    }
  });
});
