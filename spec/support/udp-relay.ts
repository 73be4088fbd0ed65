import { scrapeMetrics } from './relay-metrics-scrape.js';
import { RelayProcess } from './relay-process.js';
import { sendDatagrams } from './udp-sender.js';

/**
 * The relay process, once one of its log-appender listeners (`tasks`, `sessions`) listens, it
 * serves /metrics and it reached the broker; datagrams go to that listener.
 */
export class UdpRelay {
  private constructor(
    readonly process: RelayProcess,
    readonly udpPort: number,
    readonly httpPort: number,
  ) {}

  static async start(
    config: object | string,
    env: NodeJS.ProcessEnv,
    listener: 'tasks' | 'sessions',
  ): Promise<UdpRelay> {
    const relay = RelayProcess.start(config, env);
    try {
      const listening = await relay.waitForLog(
        'udp.listening',
        (record) => record.component === `udp:${listener}`,
      );
      const http = await relay.waitForLog('http.listening');
      await relay.waitForLog('mqtt.connected');
      return new UdpRelay(relay, Number(listening.port), Number(http.port));
    } catch (error) {
      await relay.kill();
      throw error;
    }
  }

  /** Sends the datagrams in order to the listener's port. */
  send(...datagrams: (string | Buffer)[]): Promise<void> {
    return sendDatagrams(this.udpPort, datagrams);
  }

  metrics(): Promise<string> {
    return scrapeMetrics(this.httpPort);
  }

  stop(): Promise<number | null> {
    return this.process.stop();
  }

  kill(): Promise<void> {
    return this.process.kill();
  }
}
