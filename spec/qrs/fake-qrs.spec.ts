import { readFileSync } from 'node:fs';
import https from 'node:https';
import { useFakeQrs } from '../support/qrs-test-client.js';

/** The fake itself: it must refuse what the real Repository Service refuses. */
describe('FakeQrs', () => {
  const qrs = useFakeQrs();

  const KEY = 'abcdefghijklmnop';
  const USER = { 'X-Qlik-User': 'UserDirectory=Internal;UserId=sa_repository' };

  function send(path: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: qrs.fake.port,
          path,
          headers,
          cert: readFileSync(qrs.certs.clientCert),
          key: readFileSync(qrs.certs.clientKey),
          ca: readFileSync(qrs.certs.ca),
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('answers a well-formed request', async () => {
    await expect(
      send(`/qrs/license?xrfkey=${KEY}`, { ...USER, 'X-Qlik-Xrfkey': KEY }),
    ).resolves.toBe(200);
  });

  it('answers 403 when the xrfkey is missing, not 16 characters, or differs from the header', async () => {
    await expect(send('/qrs/license', { ...USER, 'X-Qlik-Xrfkey': KEY })).resolves.toBe(403);
    await expect(
      send('/qrs/license?xrfkey=short', { ...USER, 'X-Qlik-Xrfkey': 'short' }),
    ).resolves.toBe(403);
    await expect(
      send(`/qrs/license?xrfkey=${KEY}`, { ...USER, 'X-Qlik-Xrfkey': 'ponmlkjihgfedcba' }),
    ).resolves.toBe(403);
    await expect(send(`/qrs/license?xrfkey=${KEY}`, USER)).resolves.toBe(403);
  });

  it('answers 401 without X-Qlik-User', async () => {
    await expect(send(`/qrs/license?xrfkey=${KEY}`, { 'X-Qlik-Xrfkey': KEY })).resolves.toBe(401);
  });

  it('answers 400 to a filter it does not understand and 404 to an unknown path', async () => {
    const filter = encodeURIComponent("name eq 'x'");
    await expect(
      send(`/qrs/task?filter=${filter}&xrfkey=${KEY}`, { ...USER, 'X-Qlik-Xrfkey': KEY }),
    ).resolves.toBe(400);
    await expect(send(`/qrs/about?xrfkey=${KEY}`, { ...USER, 'X-Qlik-Xrfkey': KEY })).resolves.toBe(
      404,
    );
  });
});
