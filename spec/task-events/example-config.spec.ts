import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli-run.js';
import { readDatagrams } from '../support/datagram-fixtures.js';
import { nonReloadAlertDatagrams, seedSite, siteFullPayload } from '../support/sense-site.js';
import {
  type TaskEventsEnvironment,
  TOPICS,
  useTaskEventsEnvironment,
} from '../support/task-relay.js';
import { schedulerFields } from '../support/task-event-fixtures.js';

const EXAMPLE = fileURLToPath(new URL('../../config/examples/task-events.yaml', import.meta.url));

const SUCCESS = readDatagrams('task-success');
const DISTRIBUTE = readDatagrams('task-distribute');
const ENGINE = readDatagrams('engine-reload-failed');
const FAILED = readDatagrams('task-failed'); // three reload tasks and a preload task
const ABORTED = readDatagrams('task-aborted');
const OTHER_TYPES = nonReloadAlertDatagrams(); // failed, aborted, failed, aborted, …
const OTHER_FAILED = OTHER_TYPES.filter((d) => d.startsWith('/scheduler-task-failed/'));
const OTHER_ABORTED = OTHER_TYPES.filter((d) => d.startsWith('/scheduler-task-aborted/'));

/** The example's settings that name this test's broker, listener and Repository Service. */
function siteEnv(env: TaskEventsEnvironment): NodeJS.ProcessEnv {
  return {
    BUTLER_MQTTCONFIG_BROKERHOST: env.broker.host,
    BUTLER_MQTTCONFIG_BROKERPORT: String(env.broker.port),
    BUTLER_UDPSERVERCONFIG_SERVERHOST: '127.0.0.1',
    BUTLER_UDPSERVERCONFIG_PORTTASKFAILURE: '0',
    BUTLER_CONFIGQRS_HOST: '127.0.0.1',
    BUTLER_CONFIGQRS_PORT: String(env.qrs.port),
    BUTLER_CERT_CLIENTCERT: env.certs.clientCert,
    BUTLER_CERT_CLIENTCERTKEY: env.certs.clientKey,
    BUTLER_CERT_CLIENTCERTCA: env.certs.ca,
    RELAY_HTTP_ENABLE: 'true',
    RELAY_HTTP_PORT: '0',
  };
}

const parse = (payloads: string[]): Record<string, unknown>[] =>
  payloads.map((p) => JSON.parse(p) as Record<string, unknown>);
const taskNames = (datagrams: string[]): string[] =>
  datagrams.map((d) => schedulerFields(d).taskName).sort();

describe('config/examples/task-events.yaml', () => {
  const suite = useTaskEventsEnvironment({ seed: seedSite });

  it('passes check-config, pipelines included', async () => {
    const { code, out, err } = await runCli(['check-config', '--config', EXAMPLE]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('config OK');
  });

  it('publishes every kind of scheduler event on its route, beside the built-in alerts', async () => {
    const relay = await suite.startWith(readFileSync(EXAMPLE, 'utf8'), siteEnv(suite.env));
    await relay.send(...SUCCESS, ...DISTRIBUTE, ...ENGINE, ...FAILED, ...ABORTED, ...OTHER_TYPES);
    const { subscriber } = suite.env;
    const arrived = async (topic: string, count: number) => {
      const messages = await subscriber.waitFor(topic, count);
      expect([topic, messages.length]).toEqual([topic, count]);
      return messages.map((m) => m.payload);
    };

    expect(await arrived('qliksense/task_success', 3)).toEqual(
      SUCCESS.map((d) => schedulerFields(d).taskName),
    );
    expect(parse(await arrived('qliksense/task_success_full', 3))).toEqual(
      SUCCESS.map((d) => expect.objectContaining(schedulerFields(d))),
    );
    const lastSuccess = subscriber.messages(
      'qliksense/task_last_success/2f9a8b6e-3c1d-4e7a-9b2f-6d5e4c3b2a10',
    );
    expect(lastSuccess.map((m) => m.payload)).toEqual([
      '2025-03-17 06:03:10,044',
      '2025-03-18 06:02:58,771',
    ]);

    expect(parse(await arrived('qliksense/task_distribute', 2)).map((d) => d.taskName)).toEqual(
      DISTRIBUTE.map((d) => schedulerFields(d).taskName),
    );
    expect(parse(await arrived('qliksense/engine_reload_failed', 1))[0]).toMatchObject({
      tag: '/engine-reload-failed/',
      logMessage: 'Reload failed in app',
    });

    // Every task type, straight from the datagram, in the order sent.
    const anyFailed = parse(await arrived('qliksense/any_task_failed', 7));
    expect(anyFailed.map((d) => d.taskName)).toEqual(
      [...FAILED, ...OTHER_FAILED].map((d) => schedulerFields(d).taskName),
    );
    const anyAborted = parse(await arrived('qliksense/any_task_aborted', 6));
    expect(anyAborted.map((d) => d.executionId)).toEqual(
      [...ABORTED, ...OTHER_ABORTED].map((d) => schedulerFields(d).executionId),
    );

    // The built-in messages: reload tasks only, enriched from the Repository Service.
    const reloadFailed = FAILED.slice(0, 3);
    expect((await arrived(TOPICS.failed, 3)).sort()).toEqual(taskNames(reloadFailed));
    expect((await arrived(TOPICS.failedFull, 3)).sort()).toEqual(
      reloadFailed.map((d) => siteFullPayload('failed', d)).sort(),
    );
    expect((await arrived(TOPICS.abortedFull, 3)).sort()).toEqual(
      ABORTED.map((d) => siteFullPayload('aborted', d)).sort(),
    );
  });
});
