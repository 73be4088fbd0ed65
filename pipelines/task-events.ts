import { filter, finalize, merge, mergeMap, share, type Observable } from 'rxjs';
import {
  DedupeCache,
  ThrottledDropReporter,
  dedupeBy,
  definePipeline,
  formatSender,
  listenerStateMessages,
  mergeMapBounded,
  taskEnricher,
  taskMessages,
  type LogAppenderSourceEvent,
  type OutboundMessage,
  type Pipeline,
  type PipelineContext,
  type RelayConfig,
  type RelayEvent,
  type TaskAbortedEvent,
  type TaskFailedEvent,
} from '../lib/index.js';
import { watchBackpressure } from './watch-backpressure.js';

type FailedOrAborted = TaskFailedEvent | TaskAbortedEvent;

const isFailedOrAborted = (event: RelayEvent): event is FailedOrAborted =>
  event.kind === 'task.failed' || event.kind === 'task.aborted';

/**
 * Butler's reload-task alerts: failed and aborted tasks from the scheduler's log appender, enriched
 * from the Repository Service, as the task name on the basic topic and full JSON on the full topic;
 * plus the listener's state (`start`, `error`, and on shutdown `stop`, all retained) on
 * `taskFailureServerStatusTopic`.
 *
 * Better than Butler: a failed lookup still alerts (marked as not enriched), a duplicate is judged
 * by kind and execution id and only counts as processed once its messages are handed to the
 * publishers, and a full queue is counted and reported, not only logged.
 */
export function taskEventsPipeline(config: RelayConfig): Pipeline {
  const mqtt = config.Butler.mqttConfig;
  const udp = config.Butler.udpServerConfig;
  const name = 'butler-task-events';

  return definePipeline({
    name,
    source: { type: 'log-appender' },
    build(events, context) {
      const shared = (events as Observable<LogAppenderSourceEvent>).pipe(share());
      return merge(
        shared.pipe(listenerStateMessages(mqtt.taskFailureServerStatusTopic)),
        shared.pipe(filter(isFailedOrAborted), alerts(config, context, name)),
      );
    },
  });

  function alerts(
    cfg: RelayConfig,
    context: PipelineContext,
    pipeline: string,
  ): (events: Observable<FailedOrAborted>) => Observable<OutboundMessage> {
    const drops = new ThrottledDropReporter({
      log: context.log,
      metrics: context.metrics,
      now: Date.now,
    });
    const dedupe = new DedupeCache(udp.deduplication.ttlMinutes * 60_000);
    const keyOf = (event: FailedOrAborted): string | undefined =>
      udp.deduplication.enable && event.data.executionId ? event.id : undefined;
    const release = (event: FailedOrAborted): void => {
      const key = keyOf(event);
      if (key) dedupe.release(key);
    };
    const commit = (event: FailedOrAborted): void => {
      const key = keyOf(event);
      if (key) dedupe.commit(key);
    };
    const queue = udp.messageQueue;
    // Built once and applied per event as plain functions: an RxJS chain per event was a third
    // of everything the relay allocated under load.
    const enrich = taskEnricher(context.repository, { log: context.log, metrics: context.metrics });
    const messagesOf = taskMessages({
      topics: {
        failed: mqtt.taskFailureTopic,
        failedFull: mqtt.taskFailureFullTopic,
        aborted: mqtt.taskAbortedTopic,
        abortedFull: mqtt.taskAbortedFullTopic,
      },
      sendFull: { failed: mqtt.taskFailureSendFull, aborted: mqtt.taskAbortedSendFull },
      onlyReloadTasks: cfg.Relay.taskEvents.reloadTasksOnly,
      relayFields: cfg.Relay.taskEvents.relayFields,
    });
    return (events) =>
      events.pipe(
        dedupeBy({
          cache: dedupe,
          key: keyOf,
          onDuplicate: (event, key) =>
            drops.report({
              component: 'udp:tasks',
              reason: 'duplicate',
              sender: formatSender(event.data.sender),
              detail: `Duplicate message detected (${key})`,
            }),
        }),
        mergeMapBounded(async (event) => messagesOf(await enrich(event)), {
          concurrency: queue.maxConcurrent,
          maxWaiting: queue.maxSize,
          // The messages are with the publishers by then: only then is the execution id
          // processed, so a resend before that is not lost as a duplicate.
          onDone: commit,
          onRefused: (event) => {
            release(event);
            drops.report({
              component: 'udp:tasks',
              reason: 'queue-full',
              sender: formatSender(event.data.sender),
              detail: `the task event queue is full (${queue.maxSize} waiting)`,
            });
          },
          onError: (event, error) => {
            release(event);
            context.metrics.dropped.inc({ component: 'udp:tasks', reason: 'pipeline-error' });
            context.log.error(
              { event: 'task-events.failed', err: error, eventId: event.id },
              'could not turn a task event into messages',
            );
          },
          onDepth: watchBackpressure({
            pipeline,
            maxWaiting: queue.maxSize,
            thresholdPercent: queue.backpressureThreshold,
            context,
          }),
        }),
        mergeMap((messages) => messages),
        // Drops since the last throttled warning would otherwise never reach the log.
        finalize(() => drops.flush()),
      );
  }
}
