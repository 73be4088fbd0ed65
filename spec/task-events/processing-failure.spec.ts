import { Subject, lastValueFrom, toArray } from 'rxjs';
import type { RelayEvent } from '../../lib/events.js';
import type { RepositoryService } from '../../lib/qrs/repository-service.js';
import { taskEventsPipeline } from '../../pipelines/task-events.js';
import { readDatagrams } from '../support/datagram-fixtures.js';
import { droppedByReason } from '../support/metrics.js';
import { testContext } from '../support/pipeline-context.js';
import { failedEvent } from '../support/task-event-fixtures.js';

describe('the task-events pipeline when turning an event into messages fails', () => {
  it('counts the event as dropped (pipeline-error) and goes on with the next', async () => {
    const repository: RepositoryService = {
      getTask: () => Promise.resolve(undefined),
      getTaskFull: () => Promise.resolve(undefined),
      getAppFull: () => Promise.resolve(undefined),
      startTask: () => Promise.resolve({ started: false, reason: 'not in this test' }),
      getLicense: () => Promise.reject(new Error('not in this test')),
    };
    const { context, metrics } = testContext({ repository });
    const events = new Subject<RelayEvent>();
    const output = lastValueFrom(
      taskEventsPipeline(context.config).build(events, context).pipe(toArray()),
    );
    const [first, second] = readDatagrams('task-failed');
    if (first === undefined || second === undefined) throw new Error('two fixtures needed');
    // An event without a user, as a user's own source could emit: building its full payload
    // throws (a missing task id no longer does: it only fails the lookup, and is published).
    const broken = failedEvent(first, 'e1');
    events.next({ ...broken, data: { ...broken.data, user: undefined } } as RelayEvent);
    events.next(failedEvent(second, 'e2'));
    events.complete();

    const messages = await output;
    expect(await droppedByReason(metrics, 'udp:tasks')).toEqual({ 'pipeline-error': 1 });
    // The second event still made its basic and full messages.
    const taskTopics = messages.filter((m) => m.topic.startsWith('qliksense/task_failure'));
    expect(taskTopics.map((m) => m.topic).sort()).toEqual([
      'qliksense/task_failure',
      'qliksense/task_failure_full',
    ]);
  });
});
