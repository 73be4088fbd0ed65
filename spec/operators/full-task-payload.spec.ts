import fc from 'fast-check';
import { buildFullTaskPayload } from '../../lib/operators/full-task-payload.js';
import type { EnrichedTaskData, EnrichedTaskEvent } from '../../lib/qrs/enriched-task-event.js';
import type { TaskAbortedEvent, TaskFailedEvent } from '../../lib/qlik/log-appender-events.js';
import { appFullFixture, taskFullFixture } from '../support/fake-qrs.js';
import { DATAGRAMS, abortedEvent, failedEvent } from '../support/task-event-fixtures.js';

/** spec/fixtures/qrs/task-full.json as the service sends it: compact, keys in stored order. */
const TASK_JSON = String.raw`{"id":"2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10","createdDate":"2024-02-01T09:15:22.104Z","modifiedDate":"2025-03-01T12:00:03.551Z","modifiedByUserName":"CORP\\qlikadmin","customProperties":[{"id":"c0ffee00-1111-4222-8333-444455556666","createdDate":"2024-02-01T09:15:22.104Z","modifiedDate":"2024-02-01T09:15:22.104Z","modifiedByUserName":"CORP\\qlikadmin","value":"Send alert","definition":{"id":"d1d2d3d4-aaaa-4bbb-8ccc-ddddeeeeffff","name":"Butler_FailedTaskAlertEmail","valueType":"Text","choiceValues":["Send alert"],"privileges":null},"schemaPath":"CustomPropertyValue"}],"operational":{"id":"5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d","lastExecutionResult":{"id":"9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a","executingNodeName":"qs-node1","status":8,"startTime":"2025-03-14T05:58:02.000Z","stopTime":"2025-03-14T06:00:41.000Z","duration":159000,"fileReferenceID":"0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","scriptLogAvailable":true,"details":[],"privileges":null},"nextExecution":"2025-03-15T06:00:00.000Z","privileges":null},"name":"Reload - Sales Dashboard","taskType":0,"enabled":true,"taskSessionTimeout":1440,"maxRetries":0,"tags":[{"id":"e0a1b2c3-d4e5-4f60-8a1b-2c3d4e5f6a70","name":"Butler - send alerts","privileges":null}],"privileges":null,"schemaPath":"Task"}`;

/** spec/fixtures/qrs/app-full.json, compact. */
const APP_JSON = String.raw`{"id":"7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d","createdDate":"2023-11-20T08:00:00.000Z","modifiedDate":"2025-03-14T06:00:41.000Z","modifiedByUserName":"INTERNAL\\sa_scheduler","customProperties":[{"id":"a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d","value":"BI Core","definition":{"id":"f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b","name":"AppOwnerTeam","valueType":"Text","choiceValues":["BI Core","Finance IT"],"privileges":null},"schemaPath":"CustomPropertyValue"}],"owner":{"id":"3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b","userId":"jdoe","userDirectory":"CORP","name":"Jane Doe","privileges":null},"name":"Sales Dashboard","appId":"","publishTime":"2024-01-10T10:00:00.000Z","published":true,"tags":[{"id":"6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d","name":"Finance","privileges":null},{"id":"7b6c5d4e-3f2a-4b1c-8d9e-0f1a2b3c4d5e","name":"Daily","privileges":null}],"description":"Daily sales figures","stream":{"id":"aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee","name":"Finance","privileges":null},"fileSize":18874368,"lastReloadTime":"2025-03-13T06:01:10.000Z","thumbnail":"","savedInProductVersion":"14.187.4","availabilityStatus":0,"privileges":null,"schemaPath":"App"}`;

/** What Butler publishes on taskFailureFullTopic for the first failed datagram of facts 2.8. */
const BUTLER_FAILED_FULL =
  String.raw`{"hostName":"qs-node1.corp.example.com","user":"INTERNAL\\sa_scheduler","taskName":"Reload - Sales Dashboard","taskId":"2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10","appName":"Sales Dashboard","appId":"7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d","logTimeStamp":"2025-03-14 06:00:41,512","logLevel":"ERROR","executionId":"a4b3c2d1-e5f6-4789-a0b1-c2d3e4f5a6b7","logMessage":"Max retries reached. Task will not be retried.","qs_appTags":["Finance","Daily"],"qs_appCustomProperties":[{"name":"AppOwnerTeam","value":"BI Core"}],"qs_taskTags":["Butler - send alerts"],"qs_taskCustomProperties":[{"name":"Butler_FailedTaskAlertEmail","value":"Send alert"}],"qs_taskMetadata":` +
  TASK_JSON +
  '}';

/** What Butler publishes on taskAbortedFullTopic for the first aborted datagram of facts 2.8. */
const BUTLER_ABORTED_FULL =
  String.raw`{"hostName":"qs-node1.corp.example.com","user":"CORP\\qlikadmin","taskName":"Reload - Sales Dashboard","taskId":"2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10","appName":"Sales Dashboard","appId":"7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d","logTimeStamp":"2025-03-14 09:31:12,907","logLevel":"INFO","executionId":"b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e","logMessage":"Execution State Change to Aborting","qs_appTags":["Finance","Daily"],"qs_appCustomProperties":[{"name":"AppOwnerTeam","value":"BI Core"}],"qs_taskTags":["Butler - send alerts"],"qs_taskCustomProperties":[{"name":"Butler_FailedTaskAlertEmail","value":"Send alert"}],"qs_appMetadata":` +
  APP_JSON +
  ',"qs_taskMetadata":' +
  TASK_JSON +
  '}';

const BUTLER_KEYS = [
  'hostName',
  'user',
  'taskName',
  'taskId',
  'appName',
  'appId',
  'logTimeStamp',
  'logLevel',
  'executionId',
  'logMessage',
  'qs_appTags',
  'qs_appCustomProperties',
  'qs_taskTags',
  'qs_taskCustomProperties',
];

function withData(
  event: TaskFailedEvent | TaskAbortedEvent,
  extra: Partial<EnrichedTaskData>,
): EnrichedTaskEvent {
  return { ...event, data: { ...event.data, ...extra } } as EnrichedTaskEvent;
}

const completeData = {
  enrichment: { status: 'complete' },
  task: taskFullFixture(),
  app: appFullFixture(),
  taskType: 0,
} as const;
const failed = withData(failedEvent(DATAGRAMS.failed, 'e1'), completeData);
const aborted = withData(abortedEvent(DATAGRAMS.aborted, 'e2'), completeData);

describe('buildFullTaskPayload', () => {
  it("equals Butler's failed payload byte for byte without the relay fields", () => {
    expect(buildFullTaskPayload(failed, 'failed', { relayFields: false })).toBe(BUTLER_FAILED_FULL);
  });

  it("equals Butler's aborted payload byte for byte, with qs_appMetadata, without the relay fields", () => {
    expect(buildFullTaskPayload(aborted, 'aborted', { relayFields: false })).toBe(
      BUTLER_ABORTED_FULL,
    );
  });

  it("appends only relay_eventId after Butler's bytes when enrichment is complete", () => {
    expect(buildFullTaskPayload(failed)).toBe(
      `${BUTLER_FAILED_FULL.slice(0, -1)},"relay_eventId":"e1"}`,
    );
    expect(buildFullTaskPayload(aborted)).toBe(
      `${BUTLER_ABORTED_FULL.slice(0, -1)},"relay_eventId":"e2"}`,
    );
  });

  it('keeps the key order of Butler, then the relay fields', () => {
    expect(Object.keys(JSON.parse(buildFullTaskPayload(failed)))).toEqual([
      ...BUTLER_KEYS,
      'qs_taskMetadata',
      'relay_eventId',
    ]);
    expect(Object.keys(JSON.parse(buildFullTaskPayload(aborted)))).toEqual([
      ...BUTLER_KEYS,
      'qs_appMetadata',
      'qs_taskMetadata',
      'relay_eventId',
    ]);
  });

  it('writes what is known and why the rest is missing when enrichment failed', () => {
    const reason = 'task lookup failed: QRS GET /qrs/task/full?filter=… timed out after 30000 ms';
    const partial = withData(abortedEvent(DATAGRAMS.aborted, 'e9'), {
      enrichment: { status: 'failed', step: 'task', reason },
      app: appFullFixture(),
    });
    expect(buildFullTaskPayload(partial)).toBe(
      String.raw`{"hostName":"qs-node1.corp.example.com","user":"CORP\\qlikadmin","taskName":"Reload - Sales Dashboard","taskId":"2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10","appName":"Sales Dashboard","appId":"7c1e5a2d-8f3b-4a6c-b9d2-1e0f3a4b5c6d","logTimeStamp":"2025-03-14 09:31:12,907","logLevel":"INFO","executionId":"b7c8d9e0-f1a2-4b3c-9d4e-5f6a7b8c9d0e","logMessage":"Execution State Change to Aborting","qs_appTags":["Finance","Daily"],"qs_appCustomProperties":[{"name":"AppOwnerTeam","value":"BI Core"}],"qs_taskTags":[],"qs_taskCustomProperties":[],"qs_appMetadata":` +
        APP_JSON +
        String.raw`,"qs_taskMetadata":{},"relay_enrichment":{"status":"failed","reason":"task lookup failed: QRS GET /qrs/task/full?filter=… timed out after 30000 ms"},"relay_eventId":"e9"}`,
    );
  });

  it('leaves every QRS field empty when nothing was found', () => {
    const bare = withData(failedEvent(DATAGRAMS.failed, 'e7'), {
      enrichment: { status: 'failed', step: 'task', reason: 'down' },
    });
    const parsed = JSON.parse(buildFullTaskPayload(bare)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      qs_appTags: [],
      qs_appCustomProperties: [],
      qs_taskTags: [],
      qs_taskCustomProperties: [],
      qs_taskMetadata: {},
      relay_enrichment: { status: 'failed', reason: 'down' },
      relay_eventId: 'e7',
    });
    expect(Object.keys(parsed)).toEqual([
      ...BUTLER_KEYS,
      'qs_taskMetadata',
      'relay_enrichment',
      'relay_eventId',
    ]);
  });

  it('gives one name/value pair per custom property value', () => {
    const base = taskFullFixture();
    const [value] = base.customProperties;
    const task = {
      ...base,
      customProperties: [value, { ...value, value: 'Second value' }],
    } as typeof base;
    const event = withData(failedEvent(DATAGRAMS.failed, 'e1'), { ...completeData, task });
    const parsed = JSON.parse(buildFullTaskPayload(event)) as Record<string, unknown>;
    expect(parsed.qs_taskCustomProperties).toEqual([
      { name: 'Butler_FailedTaskAlertEmail', value: 'Send alert' },
      { name: 'Butler_FailedTaskAlertEmail', value: 'Second value' },
    ]);
  });

  it('turns a doubled backslash in the user into one and leaves a single one alone', () => {
    const user = (raw: string): unknown => {
      const event = failedEvent(DATAGRAMS.failed, 'e1');
      const doubled = withData({ ...event, data: { ...event.data, user: raw } }, completeData);
      return (JSON.parse(buildFullTaskPayload(doubled)) as { user: unknown }).user;
    };
    expect(user(String.raw`CORP\\jdoe`)).toBe(String.raw`CORP\jdoe`);
    expect(user(String.raw`CORP\jdoe`)).toBe(String.raw`CORP\jdoe`);
  });

  it('takes the message kind from the event unless told', () => {
    expect(buildFullTaskPayload(aborted)).toContain('"qs_appMetadata"');
    expect(buildFullTaskPayload(aborted, 'failed')).not.toContain('"qs_appMetadata"');
  });

  it('writes what one JSON.stringify of the whole payload would, also for objects seen before', () => {
    const json = fc.jsonValue({ maxDepth: 2 });
    const qrsObject = fc.record(
      {
        tags: fc.array(fc.record({ name: fc.string() })),
        customProperties: fc.array(
          fc.record({ value: fc.string(), definition: fc.record({ name: fc.string() }) }),
        ),
        extra: json,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(qrsObject, qrsObject, fc.string(), (task, app, logMessage) => {
        const event = withData(failedEvent(DATAGRAMS.failed, 'e3'), {
          ...completeData,
          task: task as unknown as EnrichedTaskData['task'],
          app: app as unknown as EnrichedTaskData['app'],
          logMessage,
        });
        const expected = wholeStringify(event);
        // The second time the same objects come from the cache of their JSON.
        expect(buildFullTaskPayload(event, 'aborted')).toBe(expected);
        expect(buildFullTaskPayload(event, 'aborted')).toBe(expected);
      }),
    );
  });
});

/** What the payload takes from a Repository Service object. */
interface TagsAndProperties {
  tags?: readonly { name: string }[];
  customProperties?: readonly { value: string; definition: { name: string } }[];
}

/** The payload as one JSON.stringify of an object with Butler's keys, then the relay's. */
function wholeStringify(event: EnrichedTaskEvent): string {
  const { data } = event;
  const app = data.app as TagsAndProperties | undefined;
  const task = data.task as TagsAndProperties | undefined;
  const names = (object?: TagsAndProperties) => (object?.tags ?? []).map((tag) => tag.name);
  const pairs = (object?: TagsAndProperties) =>
    (object?.customProperties ?? []).map((cp) => ({ name: cp.definition.name, value: cp.value }));
  return JSON.stringify({
    hostName: data.hostName,
    user: data.user.replace(/\\\\/g, '\\'),
    taskName: data.taskName,
    taskId: data.taskId,
    appName: data.appName,
    appId: data.appId,
    logTimeStamp: data.logTimeStamp,
    logLevel: data.logLevel,
    executionId: data.executionId,
    logMessage: data.logMessage,
    qs_appTags: names(app),
    qs_appCustomProperties: pairs(app),
    qs_taskTags: names(task),
    qs_taskCustomProperties: pairs(task),
    qs_appMetadata: data.app ?? {},
    qs_taskMetadata: data.task ?? {},
    relay_eventId: event.id,
  });
}
