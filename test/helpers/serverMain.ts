/** Child-process entry of ServerProcess: starts the server, reports its URLs, answers stats requests. */
import { WebSocketServer } from 'ws';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelRegistry } from '../../src/agent/models/registry';
import { PunieServer } from '../../src/server/server';
import { createLogger, isLogLevel } from '../../src/util/logger';
import { runInBackground } from '../../src/util/background';
import { registerBenchModels } from './benchModels';
import { testAuth } from './server';

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  const mode = process.argv[3] ?? 'punie';
  let counts = () => ({ connections: 0, sessions: 0 });
  let stop: () => Promise<void>;
  if (mode === 'punie') {
    const level = String(options.logLevel ?? 'off');
    const logger = createLogger(isLogLevel(level) ? level : 'off', (line) => process.stderr.write(line + '\n'));
    const server = new PunieServer(testAuth({ port: 0, ...options, logger }), registerBenchModels(new ModelRegistry()));
    const urls = await server.listen();
    counts = () => ({ connections: server.connectionCount, sessions: server.store.sessionCount });
    stop = () => server.close();
    process.send!(urls);
  } else {
    // Baseline: a bare ws server with the same transport settings and the same heartbeat.
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true, maxPayload: 16 * 1024 * 1024 });
    const http = createServer((_req, res) => res.writeHead(404).end());
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', () => {})));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const interval = Number(options.heartbeatIntervalMs ?? 15_000);
    const timer = setInterval(() => wss.clients.forEach((ws) => ws.ping()), interval);
    counts = () => ({ connections: wss.clients.size, sessions: 0 });
    stop = async () => {
      clearInterval(timer);
      wss.clients.forEach((ws) => ws.terminate());
      await new Promise((resolve) => http.close(resolve));
    };
    const port = (http.address() as AddressInfo).port;
    process.send!({ ws: `ws://127.0.0.1:${port}/ws`, acp: `ws://127.0.0.1:${port}/acp`, health: `http://127.0.0.1:${port}/health` });
  }
  process.on('message', (message: { stats?: boolean; gc?: boolean }) => {
    if (message.gc) (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.send!({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, ...counts() });
  });
  const exit = () => stop().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', () => runInBackground('stopping', exit()));
  process.once('disconnect', () => runInBackground('stopping', exit()));
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
