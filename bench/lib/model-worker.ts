/**
 * Child process of `pnpm bench model`: measures our `LlamaModel` on one backend in a process of its own, so
 * that its peak RSS (`process.resourceUsage().maxRSS`) is that of one model on one backend, measured the way
 * PyTorch's is (`ru_maxrss` of `bench/torch_model.py`'s process), and backends do not share memory or state.
 *
 * Started by `bench/model.ts` with the parent's Node flags (the tsx loader, `--conditions=@quarkmed/source`);
 * reads a `WorkerSpec` (`model-child.ts`) as JSON on stdin and prints one line `RESULT_PREFIX + JSON` (a `WorkerReply`)
 * on stdout (other stdout lines, e.g. from a backend, are ignored by the parent).
 */
import { startBackend } from './backends';
import { RESULT_PREFIX, type WorkerReply, type WorkerSpec } from './model-child';
import { benchOurs } from './model-bench';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<WorkerReply> {
  const spec = JSON.parse(await readStdin()) as WorkerSpec;
  const started = await startBackend(spec.backend, spec.threads);
  if (!started.ok) return { started: false, label: spec.backend, reason: started.reason, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  const result = await benchOurs(spec.backend, started.label, spec.config, spec.profile);
  return { started: true, label: started.label, reason: started.choice.reason, result, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
}

main().then(
  (reply) => {
    process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(reply)}\n`, () => process.exit(0));
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
