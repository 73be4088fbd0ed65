import fc from 'fast-check';
import { parseAppReload } from '../../lib/qlik-cloud/parse-app-reload.js';
import {
  exampleReloadTopic,
  reloadEvent,
  reloadEventText,
} from '../support/cloud-reload-events.js';
import {
  EXAMPLE_APP_ID,
  EXAMPLE_RELOAD_ID,
  EXAMPLE_TENANT_ID,
} from '../support/fake-qlik-cloud.js';

const RULES = { topicPrefix: 'qscloud/app/reload', tenantId: EXAMPLE_TENANT_ID };
const TOPIC = exampleReloadTopic();

/** Butler's rules for a forwarded Qlik Cloud event (facts 9.3–9.5), as a pure function. */
describe('parseAppReload', () => {
  it('reads the example event of the facts into typed data', () => {
    const result = parseAppReload(TOPIC, reloadEventText({ eventId: 'e-1' }), RULES);
    expect(result).toEqual({
      ok: true,
      data: {
        eventId: 'e-1',
        topic: TOPIC,
        eventTime: '2024-10-14T11:31:39Z',
        tenantId: EXAMPLE_TENANT_ID,
        appId: EXAMPLE_APP_ID,
        appName: 'Sales Cloud Dashboard',
        reloadId: EXAMPLE_RELOAD_ID,
        status: 'error',
        failed: true,
        ownerId: '65a1f0c2e4b07d3a9c8e1f22',
        userId: '65a1f0c2e4b07d3a9c8e1f22',
        duration: 'PT4.8S',
        errors: [{ code: 'EngineReloadScriptError', message: 'error in app script or datasource' }],
        warnings: [],
        isPartialReload: false,
        endedWithMemoryConstraint: false,
        peakMemoryBytes: 73400320,
        sizeMemory: 52428800,
      },
    });
  });

  it('reads the minimal object of Butler’s own test: only ids, status and a few figures', () => {
    const minimal = {
      eventType: 'com.qlik.v1.app.reload.finished',
      eventId: 'e-2',
      source: 'qscloud',
      eventTime: '2024-10-14T11:31:39Z',
      eventTypeVersion: '1',
      extensions: { topLevelResourceId: 'aid', tenantId: 'tenant-1' },
      data: { reloadId: 'rid', status: 'error', size: { memory: 10 }, errors: [], usage: {} },
    };
    const result = parseAppReload(TOPIC, JSON.stringify(minimal), {
      ...RULES,
      tenantId: 'tenant-1',
    });
    expect(result.ok && result.data).toMatchObject({
      appId: 'aid',
      reloadId: 'rid',
      failed: true,
      appName: '',
      sizeMemory: 10,
    });
  });

  it('marks an ok reload as not failed', () => {
    const result = parseAppReload(TOPIC, reloadEventText({ status: 'ok' }), RULES);
    expect(result.ok && result.data.failed).toBe(false);
  });

  it.each([
    ['not JSON', 'malformed', TOPIC, '{"eventType": '],
    ['a JSON array', 'malformed', TOPIC, '[1,2]'],
    [
      'another event type',
      'unknown-type',
      TOPIC,
      reloadEventText({ eventType: 'com.qlik.v1.app.created' }),
    ],
    [
      'an event type that cannot be turned into text',
      'unknown-type',
      TOPIC,
      JSON.stringify({ ...reloadEvent(), eventType: { toString: false } }),
    ],
    ['a topic outside topic.appReload', 'unknown-type', 'qscloud/app/created/x', reloadEventText()],
    ['no reload id', 'malformed', TOPIC, reloadEventText({ reloadId: '' })],
    ['another tenant', 'foreign-tenant', TOPIC, reloadEventText({ tenantId: 'someone-else' })],
  ])('drops %s as %s', (_what, reason, topic, payload) => {
    const result = parseAppReload(topic, payload, RULES);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(reason);
    expect(!result.ok && result.detail).toContain(topic);
  });

  it('never throws, and accepts nothing but reload events of the tenant, whatever arrives', () => {
    const payloads = fc.oneof(
      fc.string(),
      fc.json(),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
      // Real events with one field replaced by anything.
      fc
        .tuple(fc.constantFrom('eventId', 'eventType', 'extensions', 'data'), fc.jsonValue())
        .map(([key, value]) => JSON.stringify({ ...reloadEvent(), [key]: value })),
    );
    fc.assert(
      fc.property(payloads, (payload) => {
        const result = parseAppReload(TOPIC, payload, RULES);
        if (result.ok) {
          const event = JSON.parse(payload) as ReturnType<typeof reloadEvent>;
          expect(event.eventType).toBe('com.qlik.v1.app.reload.finished');
          expect(result.data.tenantId).toBe(EXAMPLE_TENANT_ID);
          expect(result.data.eventId).not.toBe('');
        } else {
          expect(['malformed', 'unknown-type', 'foreign-tenant']).toContain(result.reason);
        }
      }),
      { numRuns: 500 },
    );
  });
});
