import { createEvent } from '../../lib/events.js';
import { parseDuration } from '../../lib/pipeline/duration.js';
import { compileTemplate } from '../../lib/pipeline/template.js';

const event = createEvent(
  'task.failed',
  'udp:tasks',
  { host: 'qs1', tags: ['a', 'b'], n: 0, none: null },
  'id-1',
);

describe('compileTemplate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['sense/{{data.host}}/{{ kind }}', 'sense/qs1/task.failed'],
    ['{{id}}|{{source}}', 'id-1|udp:tasks'],
    ['{{data.tags}}', '["a","b"]'],
    ['n={{data.n}}', 'n=0'],
    ['[{{data.none}}][{{data.missing.deeper}}]', '[][]'],
  ])('renders %j as %j', (template, expected) => {
    expect(compileTemplate(template)(event)).toBe(expected);
  });

  it('renders the data or the whole envelope as compact JSON', () => {
    expect(compileTemplate('json')(event)).toBe(
      '{"host":"qs1","tags":["a","b"],"n":0,"none":null}',
    );
    expect(JSON.parse(compileTemplate('event')(event))).toEqual(event);
  });
});

describe('parseDuration', () => {
  it.each([
    [250, 250],
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['30 seconds', 30_000],
    ['every 30 seconds', 30_000],
    ['every 24 hours', 86_400_000],
    ['1.5s', 1500],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([['soon'], ['10 fortnights'], [-1], [''], [null], [{}]])('rejects %j', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});
