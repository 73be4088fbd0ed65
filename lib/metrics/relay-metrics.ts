import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the publisher gauges show of one publisher. */
export interface PublisherReading {
  readonly broker: string;
  readonly topic: string;
  readonly queued: number;
  readonly inFlight: number;
}

/**
 * Every metric the relay exports, on a registry of its own so that several relays (tests, embedded
 * use) never share counters. Names and labels are documented in docs/operations.md.
 */
export class RelayMetrics {
  readonly registry = new Registry();

  readonly eventsIn = new Counter({
    name: 'relay_events_in_total',
    help: 'Events that entered a pipeline from its source.',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly eventsOut = new Counter({
    name: 'relay_events_out_total',
    help: 'Messages a pipeline handed to its publishers.',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly pipelineErrors = new Counter({
    name: 'relay_pipeline_errors_total',
    help: 'Events on which a pipeline step threw; the pipeline went on with the next event.',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly pipelineDropped = new Counter({
    name: 'relay_pipeline_dropped_total',
    help: 'Events and messages a pipeline dropped in its own steps (step errors included); each also counts in relay_dropped_total.',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly dropped = new Counter({
    name: 'relay_dropped_total',
    help: 'Events or messages dropped, by the component that dropped them and the reason.',
    labelNames: ['component', 'reason'] as const,
    registers: [this.registry],
  });
  readonly udpReceiveBuffer = new Gauge({
    name: 'relay_udp_receive_buffer_bytes',
    help: 'Receive buffer the kernel granted a UDP listener; kernel-buffer drops mean it is too small.',
    labelNames: ['listener'] as const,
    registers: [this.registry],
  });
  readonly published = new Counter({
    name: 'relay_published_total',
    help: 'Messages acknowledged by the broker (QoS 1/2) or written to the socket (QoS 0).',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly publishRetries = new Counter({
    name: 'relay_publish_retries_total',
    help: 'Publish attempts that failed and were retried.',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly publishLatency = new Histogram({
    name: 'relay_publish_latency_seconds',
    help: 'Time from handing a message to its publisher until the broker acknowledged it.',
    labelNames: ['broker'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly accepted = new Counter({
    name: 'relay_messages_accepted_total',
    help: 'Messages taken into the outbox (on disk, synced as Relay.outbox.fsync says): from here on each is delivered or counted as dropped.',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly outboxReplayed = new Counter({
    name: 'relay_outbox_replayed_total',
    help: 'Messages an earlier run left in the outbox, queued again at start.',
    registers: [this.registry],
  });
  readonly outboxCorrupt = new Counter({
    name: 'relay_outbox_corrupt_records_total',
    help: 'Outbox records that could not be read back at start (damaged or torn writes); skipped.',
    registers: [this.registry],
  });
  readonly outboxWriteErrors = new Counter({
    name: 'relay_outbox_write_errors_total',
    help: 'Outbox writes that failed; the message is kept in memory and still sent.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  /** Read when the metrics are collected: setting gauges on every message cost more than the rest. */
  private readonly publishers = new Set<() => PublisherReading>();
  readonly queueDepth: Gauge<'broker' | 'topic'> = new Gauge({
    name: 'relay_publish_queue_depth',
    help: 'Messages waiting in a publisher queue.',
    labelNames: ['broker', 'topic'] as const,
    registers: [this.registry],
    collect: (): void => this.collectPublishers(this.queueDepth, (reading) => reading.queued),
  });
  readonly inFlight: Gauge<'broker' | 'topic'> = new Gauge({
    name: 'relay_publish_in_flight',
    help: 'Messages sent and awaiting the broker acknowledgement.',
    labelNames: ['broker', 'topic'] as const,
    registers: [this.registry],
    collect: (): void => this.collectPublishers(this.inFlight, (reading) => reading.inFlight),
  });
  readonly pipelineQueueDepth = new Gauge({
    name: 'relay_pipeline_queue_depth',
    help: 'Events waiting in a pipeline for a free processing slot (e.g. a Repository Service lookup).',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly brokerConnected = new Gauge({
    name: 'relay_broker_connected',
    help: '1 while the connection to the broker is up, else 0.',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly brokerReconnects = new Counter({
    name: 'relay_broker_reconnects_total',
    help: 'Reconnect attempts to the broker.',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly restRequests = new Counter({
    name: 'relay_rest_requests_total',
    help: 'Requests the REST API answered, by route (none when no route matched) and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly heldAcks = new Gauge({
    name: 'relay_mqtt_unacked_received',
    help: 'Received QoS 1 messages whose PUBACK waits until they are handled (manual acknowledgement).',
    labelNames: ['broker'] as const,
    registers: [this.registry],
  });
  readonly taskStarts = new Counter({
    name: 'relay_task_starts_total',
    help: 'Task start commands received over MQTT, by outcome (started, not-found, not-allowed, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly taskStartRetries = new Counter({
    name: 'relay_task_start_retries_total',
    help: 'Task starts tried again because the Repository Service could not answer.',
    registers: [this.registry],
  });
  readonly actorRestarts = new Counter({
    name: 'relay_actor_restarts_total',
    help: 'Times an actor crashed and was restarted by its supervisor.',
    labelNames: ['actor'] as const,
    registers: [this.registry],
  });

  readonly qrsRequests = new Counter({
    name: 'relay_qrs_requests_total',
    help: 'Requests sent to the Repository Service (retries count again), by endpoint and outcome.',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly qrsRequestSeconds = new Histogram({
    name: 'relay_qrs_request_seconds',
    help: 'Time for one Repository Service request, from sending it to its last byte or failure.',
    labelNames: ['endpoint'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly taskEnrichment = new Counter({
    name: 'relay_task_enrichment_total',
    help: 'Task events looked up in the Repository Service: complete, or failed at the task or app step.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly cloudApiRequests = new Counter({
    name: 'relay_qlik_cloud_requests_total',
    help: 'Requests sent to the Qlik Cloud REST API (retries count again), by endpoint and outcome.',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly cloudEnrichment = new Counter({
    name: 'relay_cloud_enrichment_total',
    help: 'Qlik Cloud reload events looked up in the REST API: complete, off, or failed at the app, reload or scriptLog step.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly pollOverruns = new Counter({
    name: 'relay_poll_overruns_total',
    help: 'Schedule ticks that came while the previous poll still ran; the next poll waited for it.',
    labelNames: ['pipeline'] as const,
    registers: [this.registry],
  });
  readonly serviceProbeCalls = new Counter({
    name: 'relay_service_probe_calls_total',
    help: 'Service states read by a probe: ok, or failed (the service was reported UNKNOWN).',
    labelNames: ['probe', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly licenseChecks = new Counter({
    name: 'relay_license_checks_total',
    help: 'Server licence checks: ok, or failed (the Repository Service did not answer usefully).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly licenseDaysUntilExpiry = new Gauge({
    name: 'relay_license_days_until_expiry',
    help: 'Days until the server licence expires at the last check; negative once it has expired.',
    registers: [this.registry],
  });
  readonly activeUsers = new Gauge({
    name: 'relay_active_users',
    help: 'Users (directory and user id) with an active proxy session, as the session events tell.',
    registers: [this.registry],
  });
  readonly sessionsExpired = new Counter({
    name: 'relay_sessions_expired_total',
    help: 'Users taken off a proxy because no session or connection event came within the session timeout.',
    registers: [this.registry],
  });

  /**
   * Has a publisher's queue read for the queue-depth and in-flight gauges whenever they are
   * collected, until the returned function is called (its series then disappear).
   */
  watchPublisher(read: () => PublisherReading): () => void {
    this.publishers.add(read);
    return () => this.publishers.delete(read);
  }

  private collectPublishers(
    gauge: Gauge<'broker' | 'topic'>,
    value: (reading: PublisherReading) => number,
  ): void {
    gauge.reset();
    for (const read of this.publishers) {
      const reading = read();
      gauge.set({ broker: reading.broker, topic: reading.topic }, value(reading));
    }
  }

  /** Adds Node.js process metrics (memory, CPU, event-loop lag); only the running server wants them. */
  withProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }
}
