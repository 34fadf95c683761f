// Readiness probe for the dev Kafka broker: sends one Metadata request (API key 3,
// version 1) over the wire protocol and exits 0 only when the broker answers with at
// least one registered broker. Dependency-free on purpose: it runs before `pnpm install`.
// A KRaft broker opens its request processing only once it has caught up with the
// metadata log and is unfenced, so an answer here means "ready for clients".
//   usage: node probe.mjs [host:port] [timeout-ms]
import net from 'node:net';

const [host = '127.0.0.1', portText = '9092'] = (process.argv[2] ?? '127.0.0.1:9092').split(':');
const timeoutMs = Number(process.argv[3] ?? 2000);
const clientId = Buffer.from('modelgate-probe');

function metadataRequest(correlationId) {
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(3, o); // api_key: Metadata
  o = body.writeInt16BE(1, o); // api_version 1: an empty topic array means "no topics"
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(0, o); // topics: []
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function parseBrokers(frame, correlationId) {
  let o = 0;
  if (frame.readInt32BE(o) !== correlationId) throw new Error('unexpected correlation id');
  o += 4;
  const count = frame.readInt32BE(o);
  o += 4;
  const brokers = [];
  for (let i = 0; i < count; i += 1) {
    const nodeId = frame.readInt32BE(o);
    o += 4;
    const hostLength = frame.readInt16BE(o);
    o += 2;
    const brokerHost = frame.toString('utf8', o, o + hostLength);
    o += hostLength;
    const port = frame.readInt32BE(o);
    o += 4;
    const rackLength = frame.readInt16BE(o);
    o += 2 + Math.max(rackLength, 0);
    brokers.push({ nodeId, host: brokerHost, port });
  }
  return brokers;
}

const correlationId = 4242;
const socket = net.connect({ host, port: Number(portText) });
const fail = (why) => {
  process.stderr.write(`kafka probe: ${why}\n`);
  socket.destroy();
  process.exit(1);
};
socket.setTimeout(timeoutMs, () => fail(`no answer in ${timeoutMs} ms`));
socket.on('error', (error) => fail(error.message));
socket.on('connect', () => socket.write(metadataRequest(correlationId)));
let received = Buffer.alloc(0);
socket.on('data', (chunk) => {
  received = Buffer.concat([received, chunk]);
  if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
  try {
    const brokers = parseBrokers(received.subarray(4, 4 + received.readInt32BE(0)), correlationId);
    if (brokers.length === 0) fail('no broker registered yet');
    process.stdout.write(`${JSON.stringify({ brokers })}\n`);
    socket.end();
    process.exit(0);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
});
