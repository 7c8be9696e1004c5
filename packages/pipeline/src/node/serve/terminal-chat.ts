/**
 * `quarkmed chat` as a library: a terminal conversation with a local model (tokens printed as they are generated,
 * Ctrl-C stops the current answer, Ctrl-C at the prompt or `/exit` ends), and a one-shot answer for scripts.
 *
 * @packageDocumentation
 */
import { createInterface } from 'node:readline';
import type { ChatMessage } from '@quarkmed/model';
import type { LocalEngine } from './local-engine';
import { ServeOptionError } from './serve-errors';

/** Sampling settings of a chat. */
export interface ChatSettings {
  /** System message put before the conversation. */
  system?: string;
  /** Most tokens per answer (also bounded by the context window). Default 256. */
  maxTokens?: number;
  /** Default 0.7; 0 is greedy. */
  temperature?: number;
  topP?: number;
  /** Seed of the first answer; answer `i` uses `seed + i`. Default 0. */
  seed?: number;
}

/** One answer: its text, why it ended and its token counts. */
export interface ChatAnswer {
  text: string;
  finishReason: 'stop' | 'length' | 'abort';
  promptTokens: number;
  completionTokens: number;
}

function checkSettings(s: ChatSettings): Required<Pick<ChatSettings, 'maxTokens' | 'temperature' | 'seed'>> {
  const maxTokens = s.maxTokens ?? 256;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new ServeOptionError('maxTokens', `must be an integer >= 1, got ${String(maxTokens)}`);
  const temperature = s.temperature ?? 0.7;
  if (typeof temperature !== 'number' || !(temperature >= 0) || temperature > 2) throw new ServeOptionError('temperature', `must be in [0, 2], got ${String(temperature)}`);
  if (s.topP !== undefined && !(s.topP > 0 && s.topP <= 1)) throw new ServeOptionError('topP', `must be in (0, 1], got ${String(s.topP)}`);
  const seed = s.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ServeOptionError('seed', `must be an integer in [0, 2^32), got ${String(seed)}`);
  return { maxTokens, temperature, seed };
}

/**
 * Generates one answer to a conversation, calling `onText` with each piece of text as it becomes final. Oldest turns
 * (after the system message) are dropped while the prompt leaves no room in the context window.
 *
 * @throws {@link ServeOptionError} for bad settings or a last message that alone does not fit the context window
 */
export async function answer(
  engine: LocalEngine,
  messages: readonly ChatMessage[],
  settings: ChatSettings & { seed?: number },
  onText: (text: string) => void,
  signal?: AbortSignal,
): Promise<ChatAnswer> {
  const s = checkSettings(settings);
  const turns = [...messages];
  const head = turns[0]?.role === 'system' ? 1 : 0;
  let ids = engine.encodeChat(turns);
  while (ids.length >= engine.maxSeqLen && turns.length > head + 1) {
    turns.splice(head, 1);
    ids = engine.encodeChat(turns);
  }
  if (ids.length >= engine.maxSeqLen) {
    throw new ServeOptionError('prompt', `is ${ids.length} tokens; the model's context window is ${engine.maxSeqLen}`);
  }
  const it = engine.generate({
    prompts: [ids],
    maxNewTokens: Math.min(s.maxTokens, engine.maxSeqLen - ids.length),
    temperature: s.temperature,
    ...(settings.topP !== undefined ? { topP: settings.topP } : {}),
    stopIds: engine.chatStopIds,
    seed: s.seed,
    ...(signal ? { signal } : {}),
  });
  for (;;) {
    const r = await it.next();
    if (r.done) {
      const result = r.value[0]!;
      return { text: result.text, finishReason: result.finishReason, promptTokens: ids.length, completionTokens: result.tokenIds.length };
    }
    if (r.value.text.length > 0) onText(r.value.text);
  }
}

/** Streams of an interactive chat. */
export interface ChatStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * Runs the interactive loop until `/exit`, end of input, or Ctrl-C at the prompt. Ctrl-C during an answer stops that
 * answer (what was generated stays in the history). `/reset` clears the history.
 */
export async function interactiveChat(engine: LocalEngine, settings: ChatSettings, streams: ChatStreams): Promise<void> {
  const s = checkSettings(settings);
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: (streams.output as { isTTY?: boolean }).isTTY === true });
  const history: ChatMessage[] = settings.system ? [{ role: 'system', content: settings.system }] : [];
  let current: AbortController | undefined;
  let closed = false;
  const onInterrupt = () => {
    if (current) current.abort();
    else rl.close();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);
  rl.on('close', () => {
    closed = true;
  });
  const lines = rl[Symbol.asyncIterator]();
  streams.output.write('quarkmed chat: type a message; Ctrl-C stops an answer, /reset clears, /exit or Ctrl-C at the prompt quits.\n');
  let turn = 0;
  try {
    for (;;) {
      if (closed) break;
      streams.output.write('you> ');
      const next = await lines.next();
      if (next.done) break;
      const line = next.value.trim();
      if (line === '') continue;
      if (line === '/exit') break;
      if (line === '/reset') {
        history.splice(settings.system ? 1 : 0);
        streams.output.write('(history cleared)\n');
        continue;
      }
      history.push({ role: 'user', content: line });
      current = new AbortController();
      streams.output.write('assistant> ');
      try {
        const a = await answer(engine, history, { ...settings, seed: (s.seed + turn) % 0x100000000 }, (t) => streams.output.write(t), current.signal);
        history.push({ role: 'assistant', content: a.text });
        streams.output.write(a.finishReason === 'abort' ? ' [stopped]\n' : a.finishReason === 'length' ? ' [length limit]\n' : '\n');
      } catch (error) {
        history.pop();
        streams.output.write(`\n(error: ${error instanceof Error ? error.message : String(error)})\n`);
      } finally {
        current = undefined;
        turn += 1;
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    rl.close();
  }
}
