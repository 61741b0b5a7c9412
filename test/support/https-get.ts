import { request } from 'node:https';

/** GET over HTTPS trusting only `ca`, with hostname verification against `servername`. */
export function httpsGet(url: string, ca: string, servername = 'localhost'): Promise<{ status: number; body: string; peerSubject?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
