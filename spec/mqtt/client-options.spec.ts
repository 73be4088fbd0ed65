import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  azureEventGridOptions,
  brokerUrl,
  cloudForwardBrokerOptions,
  standardBrokerOptions,
} from '../../lib/mqtt/client-options.js';
import { createTestCertificates, type TestCertificates } from '../support/tls.js';

describe('client options', () => {
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = await createTestCertificates();
  });
  afterAll(async () => {
    await certs.remove();
  });

  describe('standardBrokerOptions', () => {
    it('matches Butler by default: plain TCP, MQTT 3.1.1, random client id, no will', () => {
      const { url, options } = standardBrokerOptions({ host: 'broker.local', port: 1883 });
      expect(url).toBe('mqtt://broker.local:1883');
      expect(options).toMatchObject({
        protocolVersion: 4,
        keepalive: 60,
        clean: true,
        connectTimeout: 30_000,
        reconnectPeriod: 0,
        queueQoSZero: false,
      });
      expect(options.clientId).toBeUndefined();
      expect(options.username).toBeUndefined();
      expect(options.will).toBeUndefined();
    });

    it('adds the relay settings: credentials, client id, MQTT 5, session and last will', () => {
      const { options } = standardBrokerOptions({
        host: 'broker.local',
        port: 1883,
        protocolVersion: 5,
        clientId: 'relay-1',
        username: 'relay',
        password: 'secret',
        keepaliveSeconds: 15,
        clean: false,
        connectTimeoutMs: 5_000,
        availability: { enable: true, topic: 'relay/availability' },
      });
      expect(options).toMatchObject({
        protocolVersion: 5,
        clientId: 'relay-1',
        username: 'relay',
        password: 'secret',
        keepalive: 15,
        clean: false,
        connectTimeout: 5_000,
        will: { topic: 'relay/availability', payload: 'offline', qos: 1, retain: true },
        // a persistent session outlives the connection on MQTT 5 too
        properties: { sessionExpiryInterval: 0xffffffff },
      });
    });

    it('reads the TLS files and switches to mqtts', () => {
      const { url, options } = standardBrokerOptions({
        host: '::1',
        port: 8883,
        tls: {
          enable: true,
          ca: certs.caFile,
          cert: certs.clientCertFile,
          key: certs.clientKeyFile,
          rejectUnauthorized: false,
        },
      });
      expect(url).toBe('mqtts://[::1]:8883');
      expect(options.ca?.toString()).toContain('BEGIN CERTIFICATE');
      expect(options.cert?.toString()).toContain('BEGIN CERTIFICATE');
      expect(options.key?.toString()).toContain('PRIVATE KEY');
      expect(options.rejectUnauthorized).toBe(false);
    });

    it('names the key and path of a TLS file it cannot use', () => {
      expect(() =>
        standardBrokerOptions({
          host: 'h',
          port: 1,
          tls: { enable: true, ca: '/nonexistent/ca.pem' },
        }),
      ).toThrow(/Relay\.mqtt\.tls\.ca: cannot use "\/nonexistent\/ca\.pem"/);
      expect(() =>
        standardBrokerOptions({
          host: 'h',
          port: 1,
          tls: { enable: true, ca: certs.clientKeyFile },
        }),
      ).toThrow(/Relay\.mqtt\.tls\.ca: cannot use ".*client\.key" as a certificate/);
      expect(() =>
        standardBrokerOptions({
          host: 'h',
          port: 1,
          tls: { enable: true, cert: certs.clientCertFile },
        }),
      ).toThrow(/Relay\.mqtt\.tls\.cert and Relay\.mqtt\.tls\.key must be set together/);
    });

    it('ignores the TLS files while TLS is off', () => {
      const { url, options } = standardBrokerOptions({
        host: 'h',
        port: 1,
        tls: { enable: false, ca: '/nonexistent/ca.pem' },
      });
      expect(url).toBe('mqtt://h:1');
      expect(options.ca).toBeUndefined();
    });
  });

  describe('azureEventGridOptions', () => {
    it('uses the client id as username, MQTT 5 and the certificate files', () => {
      const { url, options } = azureEventGridOptions({
        host: 'ns.westeurope-1.ts.eventgrid.azure.net',
        port: 8883,
        clientId: 'butler',
        clientCertFile: certs.clientCertFile,
        clientKeyFile: certs.clientKeyFile,
      });
      expect(url).toBe('mqtts://ns.westeurope-1.ts.eventgrid.azure.net:8883');
      expect(options).toMatchObject({
        clientId: 'butler',
        username: 'butler',
        protocolVersion: 5,
        rejectUnauthorized: true,
        reconnectPeriod: 0,
      });
      expect(options.cert?.toString()).toContain('BEGIN CERTIFICATE');
      expect(options.ca).toBeUndefined();
    });

    it('throws naming the config key and path of a missing or unusable file', async () => {
      const base = {
        host: 'h',
        port: 8883,
        clientId: 'butler',
        clientCertFile: certs.clientCertFile,
        clientKeyFile: certs.clientKeyFile,
      };
      expect(() => azureEventGridOptions({ ...base, clientCertFile: '/missing/cert.pem' })).toThrow(
        /^Butler\.mqttConfig\.azureEventGrid\.clientCertFile: cannot use "\/missing\/cert\.pem"/,
      );
      const dir = await mkdtemp(join(tmpdir(), 'relay-options-'));
      try {
        const garbage = join(dir, 'key.pem');
        await writeFile(garbage, 'not a key');
        expect(() => azureEventGridOptions({ ...base, clientKeyFile: garbage })).toThrow(
          `Butler.mqttConfig.azureEventGrid.clientKeyFile: cannot use "${garbage}" as a key`,
        );
      } finally {
        await rm(dir, { recursive: true });
      }
      expect(() => azureEventGridOptions({ ...base, clientKeyFile: '' })).toThrow(
        /^Butler\.mqttConfig\.azureEventGrid\.clientKeyFile is not set/,
      );
    });
  });

  describe('cloudForwardBrokerOptions', () => {
    it('always uses mqtts with credentials and Butler’s 30 s connect timeout', () => {
      const { url, options } = cloudForwardBrokerOptions({
        host: 'mqttbroker.company.com',
        port: 8765,
        username: 'user',
        password: 'pass',
      });
      expect(url).toBe('mqtts://mqttbroker.company.com:8765');
      expect(options).toMatchObject({
        username: 'user',
        password: 'pass',
        connectTimeout: 30_000,
        rejectUnauthorized: true,
        reconnectPeriod: 0,
      });
      expect(options.clientId).toBeUndefined();
    });

    it('takes an optional CA and can skip verification', () => {
      const { options } = cloudForwardBrokerOptions({
        host: 'h',
        port: 1,
        username: 'u',
        password: 'p',
        ca: certs.caFile,
        rejectUnauthorized: false,
      });
      expect(options.ca?.toString()).toContain('BEGIN CERTIFICATE');
      expect(options.rejectUnauthorized).toBe(false);
      expect(() =>
        cloudForwardBrokerOptions({
          host: 'h',
          port: 1,
          username: 'u',
          password: 'p',
          ca: '/x.pem',
        }),
      ).toThrow(/^Relay\.cloudMqtt\.ca: cannot use "\/x\.pem"/);
    });
  });

  it('brackets IPv6 literals in URLs', () => {
    expect(brokerUrl('mqtt', '::1', 1883)).toBe('mqtt://[::1]:1883');
    expect(brokerUrl('mqtts', '127.0.0.1', 8883)).toBe('mqtts://127.0.0.1:8883');
  });
});
