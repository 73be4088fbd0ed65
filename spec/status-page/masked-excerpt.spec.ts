import { SECRET_MASK } from '../../lib/config/mask-config.js';
import { maskedExcerpt, maskText } from '../../lib/http/status-page/masked-excerpt.js';

const options = { maxLength: 300, secrets: ['configured-secret-7f3a'] };

describe('maskedExcerpt', () => {
  it('masks every value under a secret-like key of a JSON payload, at any depth', () => {
    const payload = JSON.stringify({
      user: 'ops',
      password: 'hunter2',
      nested: { apiKey: 'k-123', list: [1, { token: 't-456' }], Passwort: 'p-789' },
      credentials: { user: 'a', pin: 1234 },
    });
    expect(JSON.parse(maskedExcerpt(payload, options))).toEqual({
      user: 'ops',
      password: SECRET_MASK,
      nested: { apiKey: SECRET_MASK, list: [1, { token: SECRET_MASK }], Passwort: SECRET_MASK },
      credentials: SECRET_MASK,
    });
  });

  it('reads bytes as UTF-8, JSON or not', () => {
    expect(maskedExcerpt(Buffer.from('{"Password": "x"}'), options)).toBe(
      `{"Password":"${SECRET_MASK}"}`,
    );
    expect(maskedExcerpt(Buffer.from('reload of Sales done'), options)).toBe(
      'reload of Sales done',
    );
  });

  it('masks an event data object, reading JSON text inside it as JSON', () => {
    const data = {
      topic: 'qliksense/in',
      payload: '{"user":"ops","secret":"s-1"}',
      retain: false,
      ack: () => undefined,
    };
    const excerpt = maskedExcerpt(data, options);
    expect(excerpt).not.toContain('s-1');
    expect(JSON.parse(excerpt)).toEqual({
      topic: 'qliksense/in',
      payload: { user: 'ops', secret: SECRET_MASK },
      retain: false,
    });
  });

  it('masks the configured secrets wherever they appear', () => {
    const excerpt = maskedExcerpt('the broker said configured-secret-7f3a twice', options);
    expect(excerpt).toBe(`the broker said ${SECRET_MASK} twice`);
    const json = maskedExcerpt({ note: 'x configured-secret-7f3a y' }, options);
    expect(json).toBe(`{"note":"x ${SECRET_MASK} y"}`);
  });

  it('masks by pattern a string inside a structure that is not JSON', () => {
    const excerpt = maskedExcerpt({ line: 'user=ops password=hunter2' }, options);
    expect(excerpt).toBe(`{"line":"user=ops password=${SECRET_MASK}"}`);
  });

  it('cuts long payloads to the length asked for, marking the cut', () => {
    for (const payload of ['x'.repeat(10_000), JSON.stringify({ text: 'y'.repeat(100_000) })]) {
      const excerpt = maskedExcerpt(payload, options);
      expect(Array.from(excerpt)).toHaveLength(300);
      expect(excerpt.endsWith('…')).toBe(true);
    }
    expect(maskedExcerpt('short', options)).toBe('short');
  });

  it('masks a secret in a payload too large to parse, and one cut open by the scan', () => {
    const large = `{"password":"early-secret","filler":"${'z'.repeat(100_000)}"}`;
    expect(maskedExcerpt(large, options)).not.toContain('early-secret');
    expect(maskedExcerpt('"token":"never-closed', options)).toBe(`"token":"${SECRET_MASK}"`);
  });

  it('shows a large structure from its start, with bounded work', () => {
    const excerpt = maskedExcerpt(
      Array.from({ length: 100_000 }, (_, index) => index),
      { maxLength: 40, secrets: [] },
    );
    expect(excerpt).toMatch(/^\[0,1,2,3,4,5,6,7,8,9,10,11,12,.*…$/);
    expect(Array.from(excerpt)).toHaveLength(40);
  });

  it('makes control characters visible and line breaks single spaces', () => {
    expect(maskedExcerpt('line 1\r\nline 2\u0000\tend', options)).toBe('line 1 line 2? end');
  });
});

describe('maskText', () => {
  it.each([
    ['user=ops&password=hunter2&x=1', `user=ops&password=${SECRET_MASK}&x=1`],
    ['pwd: abc, host: h', `pwd: ${SECRET_MASK}, host: h`],
    ["X-Api-Key: 'k 1'", `X-Api-Key: '${SECRET_MASK}'`],
    ['mqtt://relay:pa55@broker:1883/x', `mqtt://relay:${SECRET_MASK}@broker:1883/x`],
    ['header Bearer abc.def-ghi', `header Bearer ${SECRET_MASK}`],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', `jwt ${SECRET_MASK}`],
  ])('masks %j', (text, masked) => {
    expect(maskText(text, [])).toBe(masked);
  });

  it('leaves ordinary fields alone', () => {
    const text = 'taskName=Reload Sales; topic: qliksense/task_failure; time 12:03:04';
    expect(maskText(text, [])).toBe(text);
  });

  // Patterns that backtracked on these would take minutes and fail on jest's time-out.
  it('reads long runs that look almost like a secret without backtracking', () => {
    for (const text of [
      'a.'.repeat(100_000),
      'ab'.repeat(100_000) + ':',
      'x://' + 'u'.repeat(100_000),
    ]) {
      expect(maskText(text, [])).toBe(text);
    }
  });
});
