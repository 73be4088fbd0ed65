import fc from 'fast-check';
import {
  MAX_TASKS_PER_COMMAND,
  isTaskUuid,
  parseStartTaskPayload,
} from '../../lib/operators/start-task-payload.js';

const ID = '2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10';
const ID2 = '7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d';
const json = { json: true };

describe('parseStartTaskPayload', () => {
  it('reads Butler’s bare id, in any case, forgiving surrounding white space', () => {
    expect(parseStartTaskPayload(ID, json)).toEqual({ valid: true, taskIds: [ID] });
    expect(parseStartTaskPayload(`${ID.toUpperCase()}\n`, json)).toEqual({
      valid: true,
      taskIds: [ID],
    });
  });

  it('checks ids as Butler’s uuid validate() does: version 1-8, variant 8-b, nil and max', () => {
    expect(isTaskUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isTaskUuid('FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF')).toBe(true);
    expect(isTaskUuid('2f9a8b6e-3c1d-0e7a-9b2f-6d5e4c3b2a10')).toBe(false); // version 0
    expect(isTaskUuid('2f9a8b6e-3c1d-4e7a-cb2f-6d5e4c3b2a10')).toBe(false); // variant c
    expect(isTaskUuid(`${ID} `)).toBe(false);
  });

  it('reads the JSON forms', () => {
    expect(parseStartTaskPayload(JSON.stringify({ taskId: ID }), json)).toEqual({
      valid: true,
      taskIds: [ID],
    });
    expect(parseStartTaskPayload(JSON.stringify([ID, ID2]), json)).toEqual({
      valid: true,
      taskIds: [ID, ID2],
    });
    expect(parseStartTaskPayload(JSON.stringify([{ taskId: ID }, ID2]), json)).toEqual({
      valid: true,
      taskIds: [ID, ID2],
    });
  });

  it('refuses JSON when the JSON forms are off', () => {
    expect(parseStartTaskPayload(JSON.stringify({ taskId: ID }), { json: false })).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/^not a task id/),
    });
  });

  it.each([
    ['', /^not a task id: ""/],
    ['{"taskId": 1}', /"taskId" is not a task id: "1"/],
    ['{"taskid": "x"}', /unknown key\(s\) "taskid"/],
    ['{}', /no "taskId"/],
    ['[]', /empty list/],
    ['[null]', /^item 0: expected a task id or an object/],
    ['[{"taskId": "nope"}]', /^item 0: "taskId" is not a task id/],
    ['{"taskId":', /^not valid JSON/],
    [JSON.stringify(Array(MAX_TASKS_PER_COMMAND + 1).fill(ID)), /at most 100/],
  ])('says why %j names no task', (payload, reason) => {
    expect(parseStartTaskPayload(payload, json)).toEqual({
      valid: false,
      reason: expect.stringMatching(reason),
    });
  });

  it('never throws, and only calls valid what names task ids', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const parsed = parseStartTaskPayload(text, json);
        if (parsed.valid) expect(parsed.taskIds.every(isTaskUuid)).toBe(true);
        else expect(parsed.reason.length).toBeGreaterThan(0);
      }),
      { seed: 20250321, numRuns: 500 },
    );
  });
});
