import { tap } from 'rxjs';
import type { MessageSink, PipelineContext } from '../../pipeline/pipeline.js';
import type { MqttSink } from '../../sinks/mqtt-sink.js';
import type { ActivityRecorder } from './recent-activity.js';

/**
 * The context and sink one pipeline runs with, so that the events its source hands it and the
 * messages it publishes are recorded for the status page. Each is one reference pushed into a ring.
 */
export function recordPipelineActivity(
  context: PipelineContext,
  sink: MessageSink,
  recorder: ActivityRecorder,
): { context: PipelineContext; sink: MessageSink } {
  return {
    context: {
      ...context,
      source: (spec) => context.source(spec).pipe(tap((event) => recorder.event(event))),
    },
    sink: {
      publish: (message) => {
        recorder.message(message);
        return sink.publish(message);
      },
    },
  };
}

/** The sink the REST API hands its messages to, recording each for the status page. */
export function recordAcceptedMessages(
  sink: Pick<MqttSink, 'accept'>,
  recorder: ActivityRecorder,
): Pick<MqttSink, 'accept'> {
  return {
    accept: (message) => {
      recorder.message(message);
      return sink.accept(message);
    },
  };
}
