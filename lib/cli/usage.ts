export const USAGE = `Usage: sense-mqtt-relay [command] [options]

Relays Qlik Sense events (log-appender UDP, service state, MQTT commands) to MQTT.
A Butler config file works unchanged; relay additions live under "Relay:".

Commands:
  run                 Run the relay (the default command).
  check-config        Validate the config and exit: 0 when valid, 1 with every problem listed.
  print-config        Print the effective config as YAML, secrets masked.

Options:
  -c, --config FILE   Config file (YAML or JSON). Default: the embedded config/default.yaml.
  -l, --log-level LVL trace | debug | info | warn | error | fatal (overrides Relay.log.level).
  -h, --help          Show this help.
  -v, --version       Show the version.

Environment variables override file values: BUTLER_<PATH> for Butler keys and RELAY_<PATH> for
relay keys (e.g. RELAY_LOG_LEVEL, BUTLER_MQTTCONFIG_BROKERHOST). See docs/configuration.md.

Exit codes: 0 success, 1 invalid config or failed start, 2 wrong command line.`;
