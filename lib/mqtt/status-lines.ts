/** Butler's hard-coded "connected" announcements, byte for byte, for `BrokerConnection.statusLine`. */

export const MAIN_STATUS_TOPIC = 'qliksense/butler/mqtt/status';
export const CLOUD_STATUS_TOPIC = 'butler/qscloud/event/mqttforward/status';

export interface StatusLine {
  topic: string;
  text: (clientId: string) => string;
}

/** Main broker: `Connected to MQTT broker <host>:<port> with client ID <id>`. */
export function mainBrokerStatusLine(host: string, port: number): StatusLine {
  return {
    topic: MAIN_STATUS_TOPIC,
    text: (clientId) => `Connected to MQTT broker ${host}:${port} with client ID ${clientId}`,
  };
}

/** Cloud forward broker: the URL is quoted and always `mqtts`. */
export function cloudBrokerStatusLine(host: string, port: number): StatusLine {
  return {
    topic: CLOUD_STATUS_TOPIC,
    text: (clientId) =>
      `Connected to MQTT broker "mqtts://${host}:${port}" with client ID ${clientId}`,
  };
}
