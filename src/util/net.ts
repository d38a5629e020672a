/**
 * Network helpers for the process-group rendezvous.
 * @module
 */
import * as net from 'net';

/**
 * A TCP port on `host` that was free a moment ago: the system picks one for a listener that is
 * closed at once (another process may take it before it is used; the rendezvous then fails
 * with "address in use" rather than hanging).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error(`no free port on ${host}`))));
    });
  });
}
