import { readFileSync } from 'node:fs';
import { parseProxySessionDatagram } from '../../lib/qlik/parse-proxy-session-datagram.js';
import { appendersOf, PATTERN_ELEMENT, type Appender } from '../support/log4net-appenders.js';

const XML = readFileSync(
  new URL('../../config/examples/proxy/LocalLogConfig.xml', import.meta.url),
  'utf8',
);

/** What each appender of the file is for: the proxy commands whose lines it lets through. */
const EXPECTED = {
  ProxySessionLogger: {
    'Start session for user': ['Start session', 'session.start'],
    'Stop session for user': ['Stop session', 'session.stop'],
  },
  ProxyConnectionLogger: {
    'connection Opened for session': ['Open connection', 'connection.open'],
    'connection Closed for session': ['Close connection', 'connection.close'],
  },
} as const;

/** What log4net puts in for each pattern element, as on a proxy node. */
const VALUES: Readonly<Record<string, string>> = {
  '%hostname': 'qs-node1.corp.example.com',
  '%property{UserDirectory}': 'CORP',
  '%property{UserId}': 'jdoe',
  '%property{Origin}': 'AppAccess',
  '%property{Context}': '/hub',
};
const appenders = (): Appender[] => appendersOf(XML);

/** The datagram log4net would send for a log line `message` with the proxy's `command`. */
function render(pattern: string, command: string, message: string): string {
  return pattern.replace(PATTERN_ELEMENT, (element) => {
    if (element === '%message') return message;
    if (element === '%property{Command}') return command;
    const value = VALUES[element];
    if (value === undefined) throw new Error(`unexpected pattern element ${element}`);
    return value;
  });
}

describe('config/examples/proxy/LocalLogConfig.xml', () => {
  it('has the two appenders, each a UTF-8 UdpAppender to port 9997 with its filters and a DenyAllFilter last', () => {
    const found = appenders();
    expect(found.map((a) => a.name)).toEqual(Object.keys(EXPECTED));
    for (const { name, block, filters } of found) {
      expect(block).toContain('type="log4net.Appender.UdpAppender"');
      expect(block).toContain('<param name="remotePort" value="9997" />');
      expect(block).toContain('<param name="encoding" value="utf-8" />');
      expect(block).toContain('Qlik.Sense.Logging.log4net.Layout.Pattern.HostNamePatternConverter');
      expect(filters).toEqual(Object.keys(EXPECTED[name as keyof typeof EXPECTED]));
      expect(block.lastIndexOf('StringMatchFilter')).toBeLessThan(block.indexOf('DenyAllFilter'));
    }
  });

  it('makes, for every filter string, a datagram the relay reads as the intended event', () => {
    for (const { name, filters, pattern } of appenders()) {
      const commands: Readonly<Record<string, readonly [string, string]>> =
        EXPECTED[name as keyof typeof EXPECTED];
      for (const filter of filters) {
        const [command, kind] = commands[filter] ?? ['', ''];
        // A ';' in the message, as a proxy line may have, is kept.
        const message = `${filter} 'CORP\\jdoe'; virtual proxy: /`;
        const datagram = Buffer.from(render(pattern, command, message), 'utf8');
        const sender = { address: '10.0.0.11', port: 50000, family: 'IPv4' } as const;
        const result = parseProxySessionDatagram(datagram, sender, 'sessions', 0);
        expect([filter, 'event' in result && result.event.kind]).toEqual([filter, kind]);
        expect('event' in result && result.event.data).toMatchObject({
          hostName: VALUES['%hostname'],
          userDirectory: 'CORP',
          userId: 'jdoe',
          context: '/hub',
          logMessage: message,
        });
      }
    }
  });

  it("attaches both appenders to the proxy's audit activity logger", () => {
    const loggers = [...XML.matchAll(/<logger name="([^"]+)">([\s\S]*?)<\/logger>/g)];
    expect(
      loggers.map(([, logger, body]) => [
        logger,
        [...(body ?? '').matchAll(/<appender-ref ref="(\w+)"/g)].map(([, ref]) => ref),
      ]),
    ).toEqual([['AuditActivity.Proxy', Object.keys(EXPECTED)]]);
  });
});
