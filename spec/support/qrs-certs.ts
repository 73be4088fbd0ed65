import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificate files laid out as the QMC exports them for a client (root.pem, client.pem,
 * client_key.pem), plus the server pair a fake Repository Service presents.
 */
export interface QrsCertificates {
  readonly dir: string;
  /** root.pem: the CA that signed both the server and the client certificate. */
  readonly ca: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client pair signed by a CA the server does not trust. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  remove(): void;
}

/** Makes a throw-away CA and certificates with the openssl command line (P-256 keys: fast). */
export function createQrsCertificates(): QrsCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'fake-qrs-certs-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  const selfSignedCa = (name: string, subject: string): void => {
    openssl(
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      `${name}_key.pem`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      subject,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  };
  const signed = (name: string, subject: string, ca: string, extensions: string): void => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'req',
      ...newKey,
      '-keyout',
      `${name}_key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}_key.pem`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.pem`,
      '-extfile',
      `${name}.ext`,
    );
  };

  selfSignedCa('root', '/CN=Fake QRS test CA');
  signed(
    'server',
    '/CN=localhost',
    'root',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  signed('client', '/CN=QlikClient', 'root', 'extendedKeyUsage=clientAuth\n');
  selfSignedCa('stranger_root', '/CN=Untrusted test CA');
  signed('stranger', '/CN=QlikClient', 'stranger_root', 'extendedKeyUsage=clientAuth\n');

  return {
    dir,
    ca: file('root.pem'),
    clientCert: file('client.pem'),
    clientKey: file('client_key.pem'),
    serverCert: file('server.pem'),
    serverKey: file('server_key.pem'),
    strangerCert: file('stranger.pem'),
    strangerKey: file('stranger_key.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
