export const USAGE = `Usage: sense-mqtt-relay [command] [options]

Relays Qlik Sense events (log-appender UDP, service state, MQTT commands) to MQTT.
A Butler config file works unchanged; relay additions live under "Relay:".

Commands:
  run                 Run the relay (the default command).
  check-config        Validate the config and exit: 0 when valid, 1 with every problem listed.
  print-config        Print the effective config as YAML, secrets masked.
  config-reference    Print the reference of every config key (Markdown), as docs/configuration.md.
  send-test-event     Send one task event datagram, as the Qlik Sense scheduler would, to check
                      the chain from the log appender to MQTT.
  test FILE...        Run pipeline fixtures (YAML: input events, expected messages per topic)
                      against the config's pipelines, without any broker; exit 1 on a failure.
  watch               Print what arrives on the configured broker, one line per message
                      (readable on a terminal, JSON lines when piped), until Ctrl-C.

Options:
  -c, --config FILE   Config file (YAML or JSON). Default: the embedded config/default.yaml.
  -l, --log-level LVL trace | debug | info | warn | error | fatal (overrides Relay.log.level).
  -h, --help          Show this help.
  -v, --version       Show the version.

watch options:
  -t, --topic FILTER  Topic filter to watch; repeatable. Default:
                      Butler.mqttConfig.subscriptionRootTopic. NO_COLOR turns colours off.

send-test-event options:
  --type TYPE         failed | aborted | success | distribute (required).
  --to HOST:PORT      Where to send it ([v6-address]:PORT for IPv6). Default: the config's
                      Butler.udpServerConfig.serverHost:portTaskFailure (0.0.0.0 -> 127.0.0.1).
  --task-id GUID      Task id; default a new random one (then the Repository Service lookup fails
                      and the full message says so).
  --app-id GUID       App id; default a new random one (none for distribute).
  --task-name TEXT    Task name, which is the payload of the basic message.

Environment variables override file values: BUTLER_<PATH> for Butler keys and RELAY_<PATH> for
relay keys (e.g. RELAY_LOG_LEVEL, BUTLER_MQTTCONFIG_BROKERHOST); print-config lists every key.

Exit codes: 0 success, 1 invalid config, failed start or failed send, 2 wrong command line.`;
