import WebSocket from 'ws';

/**
 * A minimal Chrome DevTools Protocol client for a child started with `--inspect=127.0.0.1:<port>`:
 * the idle-memory test forces a full garbage collection in the server before each reading, so the
 * numbers compare live memory rather than how much garbage happened to be waiting.
 */
export class Inspector {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, (result: unknown) => void>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown };
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.result);
      this.pending.delete(message.id);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const deadline = Date.now() + 10_000;
    let url: string | undefined;
    while (!url) {
      try {
        const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{
          webSocketDebuggerUrl: string;
        }>;
        url = targets[0]?.webSocketDebuggerUrl;
      } catch {
        if (Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 60_000);
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Full GC, then the process's own memory figures. */
  async memoryAfterGc(): Promise<{ rss: number; heapUsed: number; external: number; arrayBuffers: number }> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const result = (await this.call('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(result.result.value) as {
      rss: number;
      heapUsed: number;
      external: number;
      arrayBuffers: number;
    };
  }

  close(): void {
    this.ws.close();
  }
}
