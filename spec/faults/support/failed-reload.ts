import { formatSchedulerDatagram } from '../../../lib/qlik/log-appender-datagram.js';
import type { DeliveryChannel } from '../../support/delivery-ledger.js';
import { appFullFixture, taskFullFixture } from '../../support/fake-qrs.js';
import { TOPICS } from '../../support/task-relay.js';
import { hash } from './seeded-random.js';

/** One "reload failed" datagram and the key its messages are known by: the task name. */
export interface FailedReload {
  readonly key: string;
  readonly datagram: string;
}

/** Free-text fields a scenario may vary; the ids and the task name stay the scenario's own. */
export interface FailedReloadText {
  readonly hostName?: string;
  readonly user?: string;
  readonly logMessage?: string;
}

/**
 * Failure `n` of the fake Repository Service's reload task in `scenario`: its own execution id
 * (never a duplicate) and its own task name, which both of its messages carry. The free text
 * defaults to what the scheduler writes.
 */
export function failedReload(
  scenario: string,
  n: number,
  text: FailedReloadText = {},
): FailedReload {
  const key = `${scenario} #${n}`;
  const scenarioHex = hash(scenario).toString(16).padStart(8, '0');
  return {
    key,
    datagram: formatSchedulerDatagram({
      hostName: 'qs-node1.corp.example.com',
      taskName: key,
      appName: 'Sales Dashboard',
      user: 'INTERNAL\\sa_scheduler',
      taskId: taskFullFixture().id,
      appId: appFullFixture().id,
      logTimeStamp: '2025-03-21 06:00:00,000',
      executionId: `${scenarioHex}-0000-4000-8000-${String(n).padStart(12, '0')}`,
      ...text,
    }),
  };
}

/** The full message of a failed reload, as far as the ledger and the scenarios read it. */
export interface FullFailedMessage {
  taskName: string;
  relay_enrichment?: { status: string; reason: string };
}

/** Butler's two messages of a failed reload: the task name, and the full JSON. */
export const FAILED_RELOAD_CHANNELS: readonly DeliveryChannel[] = [
  { topic: TOPICS.failed, keyOf: (message) => message.payload },
  {
    topic: TOPICS.failedFull,
    keyOf: (message) => (JSON.parse(message.payload) as FullFailedMessage).taskName,
  },
];
