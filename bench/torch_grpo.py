#!/usr/bin/env python3
"""PyTorch reference for `pnpm bench grpo` (bench/grpo.ts): one GRPO step of the same loss, timed by phase.

The model is bench/torch_model.py's Llama (the same architecture as @quarkmed/model). One step, as TRL's
GRPOTrainer with loss_type "dapo", beta 0, on-policy (num_iterations 1):

* generation: `prompts` prompts x G completions sampled at temperature 1 with a KV cache, `newTokens` tokens
  (no early stop: the benchmark reward has no EOS);
* scoring: the reward (fraction of even token ids in the completion, as bench/grpo.ts) and group-normalised
  advantages (A = (r - mean_group) / (std_group + 1e-4));
* update: `microBatches` micro-batches of the generation batch: per-token log-probs of logits / T, the policy
  term -A * exp(lp - lp.detach()) summed over completion tokens / tokens of the generation batch, backward;
  then clip the gradient norm to 1 and torch.optim.AdamW.step().

Reads a JSON spec on stdin, prints one JSON object: {"torch", "threads", "blas...", "steps": [{"generation", "scoring",
"update", "total"} seconds], "tokensPerSec" (generated tokens / generation seconds, median step)}.
Every random choice is seeded with spec["seed"].
"""
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_model import Llama  # noqa: E402
from torch_runtime import runtime_info  # noqa: E402


def generate(model, prompts, new_tokens, temperature, gen):
    caches = [dict() for _ in model.layers]
    logits = model(prompts, caches)[:, -1, :]
    out = []
    for _ in range(new_tokens):
        probs = torch.softmax(logits / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=gen)
        out.append(nxt)
        logits = model(nxt, caches)[:, -1, :]
    return torch.cat(out, dim=1)


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(int(spec["threads"]))
    torch.manual_seed(int(spec["seed"]))
    gen = torch.Generator().manual_seed(int(spec["seed"]))
    c = spec["config"]
    G, n_prompts, P, C = int(spec["G"]), int(spec["prompts"]), int(spec["promptLen"]), int(spec["newTokens"])
    micro = int(spec["microBatches"])
    T = 1.0
    model = Llama(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6, weight_decay=0.0)
    steps = []
    for step in range(int(spec["warmup"]) + int(spec["steps"])):
        prompts = torch.randint(0, c["vocabSize"], (n_prompts, P), generator=gen).repeat_interleave(G, dim=0)
        t0 = time.perf_counter()
        with torch.no_grad():
            completions = generate(model, prompts, C, T, gen)
        t1 = time.perf_counter()
        rewards = (completions % 2 == 0).float().mean(dim=1)
        grouped = rewards.view(n_prompts, G)
        adv = ((grouped - grouped.mean(dim=1, keepdim=True)) / (grouped.std(dim=1, keepdim=True) + 1e-4)).view(-1)
        t2 = time.perf_counter()
        ids = torch.cat([prompts, completions], dim=1)
        rows = ids.shape[0] // micro
        tokens = float(completions.numel())
        opt.zero_grad(set_to_none=True)
        for m in range(micro):
            sl = slice(m * rows, (m + 1) * rows)
            logits = model(ids[sl, :-1])[:, P - 1:, :] / T
            lp = torch.log_softmax(logits, dim=-1).gather(-1, ids[sl, P:].unsqueeze(-1)).squeeze(-1)
            ratio = torch.exp(lp - lp.detach())
            loss = -(ratio * adv[sl, None]).sum() / tokens
            loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        t3 = time.perf_counter()
        if step >= int(spec["warmup"]):
            steps.append({"generation": t1 - t0, "scoring": t2 - t1, "update": t3 - t2, "total": t3 - t0})
    med_gen = statistics.median(s["generation"] for s in steps)
    print(json.dumps({**runtime_info(), "steps": steps, "tokensPerSec": G * n_prompts * C / med_gen}))


if __name__ == "__main__":
    main()
