#!/usr/bin/env python3
"""PyTorch reference for `pnpm bench model` (bench/model.ts).

Builds the same minimal Llama as @quarkmed/model (RMSNorm, RoPE, GQA attention, SwiGLU MLP, untied LM head)
in plain PyTorch, float32 on the CPU, and times:

* training: forward + backward of the mean next-token cross-entropy + torch.optim.AdamW.step(), tokens/s;
* generation: greedy decoding of `newTokens` tokens at batch 1 with a KV cache (prefill of the prompt
  included in the time), tokens/s.

Reads a JSON spec on stdin (see bench/model.ts `runTorch`), prints one JSON object on stdout:
    {"torch": version, "threads": n, "blas": BLAS_INFO, "blasLibrary", "blasThreads", "blasConfig" (see
     torch_runtime.py), "params": n,
     "train": {"stepMs": [...], "medianMs": x, "tokensPerSec": y, "loss": z},
     "generate": {"newTokens": n, "ms": x, "tokensPerSec": y},
     "peakRssBytes": n}
`spec["measure"]` (default ["train", "generate"]) says which parts run: bench/model.ts measures training and
generation under different settings when the sweep (bench/lib/torch-settings.ts) finds different bests.
Every random choice is seeded with spec["seed"].
"""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_runtime import runtime_info  # noqa: E402


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(positions, head_dim, theta):
    """cos/sin [T, Dh] for the rotate-half convention (Hugging Face Llama)."""
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = positions.float()[:, None] * inv[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def apply_rope(x, cos, sin):
    return x * cos + rotate_half(x) * sin


HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.hkv = c["numHeads"], c["numKvHeads"]
        self.dh = c["hiddenSize"] // self.h
        d = c["hiddenSize"]
        self.q_proj = nn.Linear(d, self.h * self.dh, bias=False)
        self.k_proj = nn.Linear(d, self.hkv * self.dh, bias=False)
        self.v_proj = nn.Linear(d, self.hkv * self.dh, bias=False)
        self.o_proj = nn.Linear(self.h * self.dh, d, bias=False)

    def forward(self, x, cos, sin, cache=None):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.dh).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.hkv, self.dh).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.hkv, self.dh).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        past = 0
        if cache is not None:
            if "k" in cache:
                past = cache["k"].shape[2]
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        if self.hkv != self.h:
            rep = self.h // self.hkv
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        s = k.shape[2]
        if HAS_SDPA:
            if past == 0:
                y = F.scaled_dot_product_attention(q, k, v, is_causal=t > 1)
            else:
                mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=past)
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.dh))
            if t > 1:
                mask = torch.ones(t, s, dtype=torch.bool).tril(diagonal=past)
                att = att.masked_fill(~mask, float("-inf"))
            y = att.softmax(dim=-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, self.h * self.dh))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, f = c["hiddenSize"], c["intermediateSize"]
        self.gate_proj = nn.Linear(d, f, bias=False)
        self.up_proj = nn.Linear(d, f, bias=False)
        self.down_proj = nn.Linear(f, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        eps = c.get("rmsNormEps", 1e-6)
        self.input_layernorm = RMSNorm(c["hiddenSize"], eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["hiddenSize"], eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, cache=None):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, cache)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c["vocabSize"], c["hiddenSize"])
        self.layers = nn.ModuleList([Block(c) for _ in range(c["numLayers"])])
        self.norm = RMSNorm(c["hiddenSize"], c.get("rmsNormEps", 1e-6))
        self.lm_head = nn.Linear(c["hiddenSize"], c["vocabSize"], bias=False)
        for p in self.parameters():
            if p.dim() >= 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids, caches=None):
        past = 0 if not caches or "k" not in caches[0] else caches[0]["k"].shape[2]
        t = ids.shape[1]
        dh = self.c["hiddenSize"] // self.c["numHeads"]
        cos, sin = rope_tables(torch.arange(past, past + t), dh, self.c.get("ropeTheta", 10000.0))
        x = self.embed_tokens(ids)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, caches[i] if caches is not None else None)
        return self.lm_head(self.norm(x))


def main():
    spec = json.load(sys.stdin)
    torch.set_num_threads(int(spec.get("threads", 2)))
    torch.manual_seed(int(spec.get("seed", 1234)))
    c = spec["config"]
    b, t = int(spec["batch"]), int(spec["seqLen"])
    model = Llama(c)
    params = sum(p.numel() for p in model.parameters())
    measure = spec.get("measure", ["train", "generate"])
    out = {**runtime_info(), "sdpa": HAS_SDPA, "params": params}

    # Training: forward + backward + AdamW.step() on seeded random tokens.
    gen = torch.Generator().manual_seed(int(spec.get("seed", 1234)) + 1)
    ids = torch.randint(0, c["vocabSize"], (b, t + 1), generator=gen)
    inputs, labels = ids[:, :-1].contiguous(), ids[:, 1:].contiguous()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(inputs)
        loss = F.cross_entropy(logits.view(-1, c["vocabSize"]), labels.view(-1))
        loss.backward()
        opt.step()
        return float(loss)

    if "train" in measure:
        for _ in range(int(spec["trainWarmup"])):
            step()
        times = []
        loss = None
        for _ in range(int(spec["trainSteps"])):
            t0 = time.perf_counter()
            loss = step()
            times.append((time.perf_counter() - t0) * 1000)
        med = sorted(times)[len(times) // 2] if len(times) % 2 == 1 else sum(sorted(times)[len(times) // 2 - 1 : len(times) // 2 + 1]) / 2
        out["train"] = {"stepMs": times, "medianMs": med, "tokensPerSec": b * t / (med / 1000), "loss": loss}

    # Generation: greedy, batch 1, KV cache, prompt prefill included.
    model.eval()
    prompt = torch.randint(0, c["vocabSize"], (1, int(spec["promptLen"])), generator=gen)
    new_tokens = int(spec["newTokens"])

    def generate():
        with torch.no_grad():
            caches = [{} for _ in range(c["numLayers"])]
            logits = model(prompt, caches)
            nxt = logits[:, -1].argmax(-1, keepdim=True)
            for _ in range(new_tokens - 1):
                logits = model(nxt, caches)
                nxt = logits[:, -1].argmax(-1, keepdim=True)

    if "generate" in measure:
        for _ in range(int(spec.get("genWarmup", 1))):
            generate()
        gen_times = []
        for _ in range(int(spec.get("genRuns", 1))):
            t0 = time.perf_counter()
            generate()
            gen_times.append((time.perf_counter() - t0) * 1000)
        gms = min(gen_times)
        out["generate"] = {"newTokens": new_tokens, "promptLen": int(spec["promptLen"]), "ms": gms, "tokensPerSec": new_tokens / (gms / 1000)}
    out["peakRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
