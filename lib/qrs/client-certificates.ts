import { readFileSync } from 'node:fs';

/** Paths of the certificate files exported from the QMC. */
export interface ClientCertificateFiles {
  /** client.pem */
  readonly cert: string;
  /** client_key.pem */
  readonly key: string;
  /** root.pem: the CA that signed the server certificate. */
  readonly ca: string;
}

export interface ClientCertificates {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/** Reads the three files once; a missing or unreadable file fails with its role and path. */
export function readClientCertificates(files: ClientCertificateFiles): ClientCertificates {
  return {
    cert: readCertificateFile('client certificate', files.cert),
    key: readCertificateFile('client key', files.key),
    ca: readCertificateFile('CA certificate', files.ca),
  };
}

function readCertificateFile(role: string, path: string): Buffer {
  if (path === '') throw new Error(`Repository Service ${role}: no file configured`);
  try {
    return readFileSync(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`Repository Service ${role}: cannot read ${path} (${reason})`, {
      cause: error,
    });
  }
}
