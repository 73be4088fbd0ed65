import { QrsClient, type QrsClientOptions } from '../../lib/qrs/qrs-client.js';
import { FakeQrs } from './fake-qrs.js';
import { createQrsCertificates, type QrsCertificates } from './qrs-certs.js';

export interface FakeQrsSetUp {
  /** Throw-away certificates, made once for the describe block. */
  readonly certs: QrsCertificates;
  /** The fake Repository Service over HTTPS; records cleared and faults lifted after every test. */
  readonly fake: FakeQrs;
  /** The client of the running test: made with the defaults on first use, unless `connect` made one. */
  readonly client: QrsClient;
  /** Replaces `client` with one made with `overrides` on the defaults; it is closed after the test. */
  connect(overrides?: Partial<QrsClientOptions>): QrsClient;
}

/**
 * Registers the hooks that run a fake Repository Service for the enclosing describe block and give
 * each test a client of it. `defaults` is called for every client, so it may read what a
 * `beforeEach` set (e.g. fresh metrics).
 */
export function useFakeQrs(defaults: () => Partial<QrsClientOptions> = () => ({})): FakeQrsSetUp {
  let certs: QrsCertificates | undefined;
  let fake: FakeQrs | undefined;
  let client: QrsClient | undefined;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useFakeQrs: used outside a test');
    return value;
  };

  const setUp: FakeQrsSetUp = {
    get certs() {
      return started(certs);
    },
    get fake() {
      return started(fake);
    },
    get client() {
      return client ?? setUp.connect();
    },
    connect(overrides = {}) {
      const next = new QrsClient({ ...setUp.fake.clientOptions(), ...defaults(), ...overrides });
      client?.close();
      client = next;
      return next;
    },
  };

  beforeAll(async () => {
    certs = createQrsCertificates();
    fake = await FakeQrs.start({ certificates: certs });
  });
  afterAll(async () => {
    await fake?.close();
    certs?.remove();
  });
  beforeEach(() => {
    setUp.fake.clearRecords();
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await fake?.restore();
  });
  return setUp;
}
