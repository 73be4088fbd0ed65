import { MAX_FIELD_LENGTH } from '../../lib/qlik/clean-field.js';
import type { DatagramSender } from '../../lib/qlik/log-appender-events.js';
import { parseProxySessionDatagram } from '../../lib/qlik/parse-proxy-session-datagram.js';
import type { ProxySessionData, ProxySessionEvent } from '../../lib/qlik/proxy-session-events.js';
import { proxyDatagram, readProxyDatagrams } from '../support/proxy-session-fixtures.js';

const sender: DatagramSender = { address: '10.0.0.21', port: 50321, family: 'IPv4' };
const receivedAt = 1_742_000_000_000;

function parse(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return parseProxySessionDatagram(bytes, sender, 'sessions', receivedAt);
}

function parsed(text: string | Buffer): ProxySessionEvent {
  const result = parse(text);
  if ('problem' in result) throw new Error(`unexpected problem: ${result.problem.detail}`);
  return result.event;
}

function problemOf(text: string | Buffer) {
  const result = parse(text);
  if (!('problem' in result)) throw new Error(`expected a problem, got ${result.event.kind}`);
  return result.problem;
}

describe('parseProxySessionDatagram on the reference datagrams', () => {
  const [start, open, startOther, close, stop] = readProxyDatagrams() as [
    string,
    string,
    string,
    string,
    string,
  ];

  it('reads every field of a session start, by name', () => {
    const { id, ...event } = parsed(start);
    expect(id).not.toBe('');
    expect(event).toEqual({
      kind: 'session.start',
      source: 'udp:sessions',
      receivedAt,
      data: {
        tag: '/proxy-session/',
        hostName: 'qs-node1.corp.example.com',
        command: 'Start session',
        userDirectory: 'CORP',
        userId: 'jdoe',
        origin: 'AppAccess',
        context: '/hub',
        logMessage: "Start session for user 'CORP\\jdoe'",
        cleaned: false,
        recovered: false,
        sender,
      } satisfies ProxySessionData,
    });
  });

  it('tells the four commands apart', () => {
    expect([start, open, startOther, close, stop].map((line) => parsed(line).kind)).toEqual([
      'session.start',
      'connection.open',
      'session.start',
      'connection.close',
      'session.stop',
    ]);
    expect(parsed(close).data).toMatchObject({
      hostName: 'QS-NODE2',
      userDirectory: 'EXT',
      userId: 'asmith',
      context: '/app/d3c2b1a0-4f5e-4d6c-8b7a-9e8f7a6b5c4d',
    });
  });

  it('gives every event an id of its own, as the datagrams carry none', () => {
    expect(parsed(start).id).not.toBe(parsed(start).id);
  });
});

describe('parseProxySessionDatagram is stricter than Butler', () => {
  const fields = { hostName: 'qs-node1', userDirectory: 'CORP', userId: 'jdoe' } as const;

  it('refuses an unknown tag, and the untagged format of Butler 4', () => {
    expect(problemOf('/proxy-audit/;qs-node1;Start session;CORP;jdoe;a;b;c')).toEqual({
      reason: 'unknown-type',
      detail: 'Unknown UDP message type: "/proxy-audit/"',
    });
    expect(problemOf('qs-node1.corp.example.com;Start session;CORP;jdoe')).toMatchObject({
      reason: 'unknown-type',
    });
  });

  it('refuses fewer than eight fields', () => {
    expect(problemOf('/proxy-session/;qs-node1;Start session;CORP;jdoe')).toEqual({
      reason: 'malformed',
      detail: '/proxy-session/ expects at least 8 fields, got 5',
    });
  });

  it('refuses a command it does not know, and one that belongs to the other tag', () => {
    const unknown = proxyDatagram({ kind: 'session.start', ...fields }).replace(
      'Start session',
      'Refresh session',
    );
    expect(problemOf(unknown)).toEqual({
      reason: 'unknown-type',
      detail: '/proxy-session/: unknown command "Refresh session"',
    });
    const crossed = proxyDatagram({ kind: 'connection.open', ...fields }).replace(
      '/proxy-connection/',
      '/proxy-session/',
    );
    expect(problemOf(crossed)).toEqual({
      reason: 'malformed',
      detail: '/proxy-session/: command "Open connection" comes with /proxy-connection/',
    });
  });

  it('matches tag and command without regard to case', () => {
    const shouting = proxyDatagram({ kind: 'session.stop', ...fields })
      .replace('/proxy-session/', '/PROXY-SESSION/')
      .replace('Stop session', 'STOP SESSION');
    expect(parsed(shouting)).toMatchObject({
      kind: 'session.stop',
      data: { tag: '/proxy-session/', command: 'STOP SESSION' },
    });
  });

  it('refuses a datagram without host, directory or user id', () => {
    const noUser = proxyDatagram({ kind: 'session.start', ...fields, userId: '' });
    expect(problemOf(noUser)).toEqual({
      reason: 'malformed',
      detail: '/proxy-session/: no userId',
    });
    const nobody = proxyDatagram({
      kind: 'session.start',
      hostName: '',
      userDirectory: '',
      userId: '',
    });
    expect(problemOf(nobody).detail).toBe('/proxy-session/: no hostName, userDirectory, userId');
  });

  it('refuses empty datagrams and invalid UTF-8', () => {
    expect(problemOf(Buffer.alloc(0))).toEqual({ reason: 'malformed', detail: 'empty datagram' });
    const broken = Buffer.concat([
      Buffer.from('/proxy-session/;qs-node1;Start session;CORP;'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(';AppAccess;/hub;Start session for user'),
    ]);
    expect(problemOf(broken)).toEqual({ reason: 'malformed', detail: 'not valid UTF-8' });
  });
});

describe('parseProxySessionDatagram is more forgiving than Butler', () => {
  it("keeps a ';' in the log message as text", () => {
    const line = proxyDatagram({
      kind: 'connection.close',
      hostName: 'qs-node1',
      userDirectory: 'CORP',
      userId: 'jdoe',
      logMessage: 'Engine connection Closed for session 3f2e; reason: timeout; by proxy',
    });
    expect(parsed(line).data).toMatchObject({
      logMessage: 'Engine connection Closed for session 3f2e; reason: timeout; by proxy',
      recovered: true,
      userId: 'jdoe',
    });
  });

  it('cleans fields as the task port does: control characters removed, 500 characters kept', () => {
    const line = proxyDatagram({
      kind: 'session.start',
      hostName: 'qs-\tnode1',
      userDirectory: 'CORP',
      userId: 'j\u0000doe',
      logMessage: 'x'.repeat(MAX_FIELD_LENGTH + 20),
    });
    const result = parse(line);
    expect(result).toMatchObject({
      event: {
        data: {
          hostName: 'qs-node1',
          userId: 'jdoe',
          logMessage: 'x'.repeat(MAX_FIELD_LENGTH),
          cleaned: true,
        },
      },
      cleanedFields: ['hostName', 'userId', 'logMessage'],
    });
  });

  it('never throws, whatever the bytes', () => {
    const inputs = [';;;;;;;', '/proxy-session/;;;;;;;', '\u0000', '/proxy-connection/'.repeat(99)];
    for (const input of inputs) expect(() => parse(input)).not.toThrow();
  });
});
