import { describe, expect, it } from '@jest/globals';
import { copyWith } from '../../lib/hot-path/copy-with.js';

describe('copyWith', () => {
  it('copies the base with the extra keys added and the shared ones replaced', () => {
    const base = { id: 'a', kind: 'task.failed', data: { n: 1 } };
    const copy = copyWith(base, { data: { n: 2 }, cleaned: true });

    expect(copy).toEqual({ id: 'a', kind: 'task.failed', data: { n: 2 }, cleaned: true });
    expect(Object.keys(copy)).toEqual(['id', 'kind', 'data', 'cleaned']); // spread's key order
  });

  it('leaves both inputs as they were', () => {
    const base = { id: 'a' };
    const extra = { more: 1 };
    const copy = copyWith(base, extra);

    expect(copy).not.toBe(base);
    expect(base).toEqual({ id: 'a' });
    expect(extra).toEqual({ more: 1 });
  });

  it('keeps a key whose extra value is undefined, as a spread does', () => {
    const copy = copyWith({ id: 'a', app: 'x' }, { app: undefined });

    expect('app' in copy).toBe(true);
    expect(copy.app).toBeUndefined();
  });
});
