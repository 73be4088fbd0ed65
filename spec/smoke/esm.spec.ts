import { Aedes } from 'aedes';
import { DgramAsPromised } from 'dgram-as-promised';
import mqtt from 'mqtt';
import convict from 'convict';
import bunyan from 'bunyan';
import { of } from 'rxjs';
test('deps load', async () => {
  expect(typeof Aedes.createBroker).toBe('function');
  expect(typeof DgramAsPromised.createSocket).toBe('function');
  expect(typeof mqtt.connect).toBe('function');
  expect(typeof convict).toBe('function');
  expect(typeof bunyan.createLogger).toBe('function');
  expect(of(1)).toBeDefined();
});
