/**
 * The bare baseline: a `ws` server that relays each frame a visitor sends to the agent socket following
 * that visitor's conversation and echoes it back to the sender as its acknowledgement. No parsing, no
 * authentication, no storage: the floor for what any realtime server on this machine can do.
 *
 * Usage: node bench/realtime/bare-server.ts <port>
 */
import { createServer } from 'node:http';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const agentOf: Array<WebSocket | undefined> = [];
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });

wss.on('connection', (ws, request) => {
  const parts = (request.url ?? '').split('/');
  if (parts[1] === 'a') {
    const first = Number(parts[2]);
    const count = Number(parts[3]);
    for (let i = first; i < first + count; i++) agentOf[i] = ws;
    ws.on('close', () => {
      for (let i = first; i < first + count; i++) if (agentOf[i] === ws) agentOf[i] = undefined;
    });
    return;
  }
  const index = Number(parts[2]);
  ws.on('message', (data: RawData) => {
    agentOf[index]?.send(data, { binary: false });
    ws.send(data, { binary: false });
  });
  ws.on('error', () => ws.terminate());
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
