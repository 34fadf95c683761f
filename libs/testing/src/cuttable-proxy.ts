import { connect, createServer, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A TCP proxy a test owns, to fail the network between a client and a shared server
 * without stopping the server (other suites use it). `cut()` resets every connection and
 * refuses new ones, which is what a client sees of a broker outage; `restore()` ends it.
 */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private down = false;
  private losingAnswers = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      if (this.down) return void client.destroy();
      const upstream = connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      // Server-to-client bytes pass a gate that `cutLosingAnswers` closes.
      const answers = new Transform({
        transform: (chunk: Buffer, _encoding, done) => done(null, this.losingAnswers ? undefined : chunk),
      });
      client.pipe(upstream).pipe(answers).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
  }

  cut(): void {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  /**
   * The nastier outage: for `ms` the server still gets every request but its answers are
   * dropped, then `cut()`. A client then holds requests the server has acted on (a produce
   * appended) whose outcome it never learns.
   */
  async cutLosingAnswers(ms: number): Promise<void> {
    this.losingAnswers = true;
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.cut();
  }

  restore(): void {
    this.down = false;
    this.losingAnswers = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/**
 * A Kafka client whose every connection (the bootstrap one and those to the brokers the
 * metadata names) goes through `proxy`. That holds for the single dev broker, which is
 * all the proxy forwards to.
 */
export function kafkaThroughProxy(proxy: CuttableProxy, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`127.0.0.1:${proxy.port}`],
    socketFactory: ({ onConnect }) => connect({ host: '127.0.0.1', port: proxy.port }, onConnect),
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    logLevel: logLevel.NOTHING,
  });
}
