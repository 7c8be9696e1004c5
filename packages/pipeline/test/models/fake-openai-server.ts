/** A small OpenAI-compatible HTTP server on loopback for client tests, with scripted failures. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Step = 'ok' | 'hang' | 'destroy' | { status: number; retryAfter?: string; body?: string };

export interface SeenRequest {
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
  at: number;
}

export class FakeOpenAIServer {
  readonly seen: SeenRequest[] = [];
  /** Steps consumed one per request; when empty, every request is 'ok'. */
  plan: Step[] = [];
  /** Delay of 'ok' answers (ms). */
  delayMs = 0;
  /** The answer text of an 'ok' request. */
  answer: (body: Record<string, unknown>) => string = () => 'ok';
  inFlight = 0;
  maxInFlight = 0;
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    this.seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body, at: Date.now() });
    const step = this.plan.shift() ?? 'ok';
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const done = (): void => {
      this.inFlight--;
    };
    if (step === 'hang') {
      this.hanging.add(res);
      res.on('close', () => {
        this.hanging.delete(res);
        done();
      });
      return;
    }
    if (step === 'destroy') {
      done();
      req.socket.destroy();
      return;
    }
    if (step !== 'ok') {
      done();
      res.writeHead(step.status, { 'content-type': 'application/json', ...(step.retryAfter !== undefined ? { 'retry-after': step.retryAfter } : {}) });
      res.end(step.body ?? JSON.stringify({ error: { message: `scripted ${step.status}`, type: 'server_error' } }));
      return;
    }
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const content = this.answer(body);
    const chat = (req.url ?? '').endsWith('/chat/completions');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        chat
          ? { id: 'c1', object: 'chat.completion', model: body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }
          : { id: 'c1', object: 'text_completion', model: body.model, choices: [{ index: 0, text: content, finish_reason: 'stop' }] },
      ),
    );
    done();
  }
}
