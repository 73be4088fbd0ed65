import {
  EMPTY,
  ReplaySubject,
  concat,
  concatMap,
  defer,
  filter,
  finalize,
  from,
  mergeMap,
  of,
  tap,
  type Observable,
} from 'rxjs';
import {
  PipelineDefinitionError,
  ThrottledDropReporter,
  definePipeline,
  isValidTopicName,
  parseStartTaskPayload,
  startTaskUntilAnswered,
  taskAllowListFrom,
  topicMatchesFilter,
  type MqttMessageEvent,
  type OutboundMessage,
  type Pipeline,
  type PipelineContext,
  type RelayConfig,
  type TaskAllowList,
  type TaskStartOutcome,
} from '../lib/index.js';

const COMPONENT = 'mqtt:start-task';

/** One reply per task id, and one per command that named no task. */
export interface StartTaskReply {
  readonly taskId: string | null;
  readonly started: boolean;
  readonly outcome: TaskStartOutcome['outcome'] | 'invalid';
  readonly reason?: string;
  readonly status?: number;
  /** The id of the command's event, the same in every reply to one command. */
  readonly eventId: string;
}

/**
 * Butler's start-task over MQTT: a task id on `taskStartTopic` (under `subscriptionRootTopic`)
 * starts that task through the Repository Service.
 *
 * Better than Butler: subscribed with QoS 1, and a command is acknowledged to the broker only
 * once the Repository Service answered it for good, so an outage (or a crash, with a persistent
 * session) delays it instead of losing it; retained commands are ignored; `Butler.startTaskFilter`
 * applies; JSON commands, result messages and a shared subscription for several relays
 * (`Relay.startTask`).
 */
export function startTaskPipeline(config: RelayConfig): Pipeline {
  const mqtt = config.Butler.mqttConfig;
  const options = config.Relay.startTask;
  const startTopic = mqtt.taskStartTopic;
  const root = mqtt.subscriptionRootTopic;
  const topic = options.sharedGroup ? `$share/${options.sharedGroup}/${root}` : root;

  return definePipeline({
    name: 'butler-start-task',
    source: { type: 'mqtt', topic, qos: 1, manualAck: true },
    build(events, context) {
      checkOptions(config);
      const allowList = allowListOf(config);
      const log = context.log.child({ component: 'start-task' });
      warnAboutSetup(config, log);
      const drops = new ThrottledDropReporter({
        log: context.log,
        metrics: context.metrics,
        event: 'start-task.dropped',
      });
      // Replays the stop, so a command that waited for a slot gives up too, unacknowledged.
      const stop$ = new ReplaySubject<void>(1);
      context.stopping$.subscribe(stop$);
      const handle = commandHandler({ config, context, log, drops, allowList, stop$ });
      return (events as Observable<MqttMessageEvent>).pipe(
        // Everything else under the root is not ours: acknowledged at once, as Butler ignores it.
        filter((event) => {
          if (event.data.topic === startTopic) return true;
          event.data.ack?.();
          return false;
        }),
        mergeMap(handle, options.maxConcurrent),
        // Drops since the last throttled warning would otherwise never reach the log.
        finalize(() => drops.flush()),
      );
    },
  });
}

interface HandlerDeps {
  readonly config: RelayConfig;
  readonly context: PipelineContext;
  readonly log: PipelineContext['log'];
  readonly drops: ThrottledDropReporter;
  readonly allowList: TaskAllowList | undefined;
  readonly stop$: Observable<void>;
}

/** Turns one command into its replies; acknowledges it once every task in it has an outcome. */
function commandHandler(
  deps: HandlerDeps,
): (event: MqttMessageEvent) => Observable<OutboundMessage> {
  const { config, context, log, drops, allowList, stop$ } = deps;
  const options = config.Relay.startTask;
  const reply = (body: StartTaskReply): Observable<OutboundMessage> =>
    options.replyTopic
      ? of({ topic: options.replyTopic, payload: JSON.stringify(body), eventId: body.eventId })
      : EMPTY;

  return (event) => {
    const ack = event.data.ack ?? (() => undefined);
    const eventId = event.id;
    if (event.data.retain) {
      drops.report({
        component: COMPONENT,
        reason: 'retained',
        detail: `a retained start command on ${event.data.topic} is ignored; clear it by publishing an empty retained message there`,
      });
      ack();
      return EMPTY;
    }
    const command = parseStartTaskPayload(event.data.payload, { json: options.json });
    if (!command.valid) {
      drops.report({ component: COMPONENT, reason: 'malformed', detail: command.reason });
      const body: StartTaskReply = {
        taskId: null,
        started: false,
        outcome: 'invalid',
        reason: command.reason,
        eventId,
      };
      return reply(body).pipe(finalize(ack));
    }
    log.info(
      { event: 'start-task.received', eventId, taskIds: command.taskIds },
      `start command for ${command.taskIds.join(', ')}`,
    );
    let answered = 0;
    const starts = from(command.taskIds).pipe(
      concatMap((taskId) =>
        startTaskUntilAnswered(taskId, {
          repository: context.repository,
          allowList,
          retry: options.retry,
          stop$,
          onRetry: (id, reason, delayMs) => {
            context.metrics.taskStartRetries.inc();
            log.warn(
              { event: 'start-task.retry', eventId, taskId: id, reason, delayMs },
              `could not start task ${id} (${reason}); trying again in ${delayMs} ms, the command stays unacknowledged`,
            );
          },
        }),
      ),
      tap((outcome) => {
        answered += 1;
        report(outcome, eventId, context, log);
      }),
      concatMap((outcome) => reply(replyOf(outcome, eventId))),
    );
    // Only a command answered in full is acknowledged; one cut off by the shutdown comes again.
    return concat(
      starts,
      defer(() => {
        if (answered === command.taskIds.length) ack();
        return EMPTY;
      }),
    );
  };
}

function replyOf(outcome: TaskStartOutcome, eventId: string): StartTaskReply {
  if (outcome.started)
    return { taskId: outcome.taskId, started: true, outcome: 'started', eventId };
  return {
    taskId: outcome.taskId,
    started: false,
    outcome: outcome.outcome,
    reason: outcome.reason,
    ...(outcome.status === undefined ? {} : { status: outcome.status }),
    eventId,
  };
}

function report(
  outcome: TaskStartOutcome,
  eventId: string,
  context: PipelineContext,
  log: PipelineContext['log'],
): void {
  context.metrics.taskStarts.inc({ outcome: outcome.outcome });
  if (outcome.started) {
    log.info(
      { event: 'start-task.started', eventId, taskId: outcome.taskId },
      `started task ${outcome.taskId}`,
    );
  } else {
    log.warn(
      {
        event: 'start-task.refused',
        eventId,
        taskId: outcome.taskId,
        outcome: outcome.outcome,
        status: outcome.status,
        reason: outcome.reason,
      },
      `task ${outcome.taskId} not started: ${outcome.reason}`,
    );
  }
}

/** Settings that would make the pipeline misbehave stop the start-up, naming their key. */
function checkOptions(config: RelayConfig): void {
  const { replyTopic, sharedGroup } = config.Relay.startTask;
  if (replyTopic !== '' && !isValidTopicName(replyTopic)) {
    throw new PipelineDefinitionError(
      'Relay.startTask.replyTopic',
      `got ${JSON.stringify(replyTopic)}, expected '' or an MQTT topic name without wildcards`,
    );
  }
  if (replyTopic === config.Butler.mqttConfig.taskStartTopic) {
    throw new PipelineDefinitionError(
      'Relay.startTask.replyTopic',
      'must differ from Butler.mqttConfig.taskStartTopic, or every reply would be read as a command',
    );
  }
  if (sharedGroup !== '' && !/^[^/+#]+$/.test(sharedGroup)) {
    throw new PipelineDefinitionError(
      'Relay.startTask.sharedGroup',
      `got ${JSON.stringify(sharedGroup)}, expected a name without /, + or #`,
    );
  }
  if (sharedGroup !== '' && config.Relay.mqtt.protocolVersion !== 5) {
    throw new PipelineDefinitionError(
      'Relay.startTask.sharedGroup',
      'shared subscriptions need MQTT 5: set Relay.mqtt.protocolVersion to 5',
    );
  }
}

function allowListOf(config: RelayConfig): TaskAllowList | undefined {
  try {
    return taskAllowListFrom(config.Butler.startTaskFilter);
  } catch (error) {
    throw new PipelineDefinitionError('Butler.startTaskFilter', (error as Error).message);
  }
}

/** Says once, at start-up, what would keep commands from arriving or from surviving a restart. */
function warnAboutSetup(config: RelayConfig, log: PipelineContext['log']): void {
  const { taskStartTopic, subscriptionRootTopic } = config.Butler.mqttConfig;
  if (!topicMatchesFilter(taskStartTopic, subscriptionRootTopic)) {
    log.warn(
      { event: 'start-task.topic-not-covered', taskStartTopic, subscriptionRootTopic },
      `Butler.mqttConfig.taskStartTopic ${taskStartTopic} is not under subscriptionRootTopic ${subscriptionRootTopic}: no start command will arrive`,
    );
  }
  const { clientId, clean } = config.Relay.mqtt;
  if (!clientId || clean) {
    log.info(
      { event: 'start-task.no-persistent-session' },
      'start commands sent while the relay is not running are lost: set Relay.mqtt.clientId and Relay.mqtt.clean: false to have the broker keep them',
    );
  }
}
