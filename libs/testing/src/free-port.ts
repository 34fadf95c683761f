import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nobody listens on now (the OS picks it), for a server that
 * must be told its port up front (Nest's gRPC transport does not report the one it bound
 * when given 0, and a child process's port goes into its environment).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
