#!/usr/bin/python3
"""PyTorch timings of the fused ops of @quarkmed/tensor-kernels, for ``pnpm bench kernels``.

Run by bench/kernels.ts with the system Python (the one with torch)::

    /usr/bin/python3 bench/torch_kernels.py < spec.json

The spec (JSON on stdin) lists the cases, with the same shapes bench/kernels.ts uses::

    {"threads": 2, "plan": {"warmup": 2, "minIters": 5, "maxIters": 50, "budgetMs": 2000},
     "matmulSizes": [256, 512, 1024],
     "cases": [{"op": "causalAttention", "name": "...", "params": {"b": 8, "hq": 8, ...}}, ...]}

For every case it times the forward pass and forward+backward (``torch.autograd.grad`` of the output
against every float input, with a fixed upstream gradient), in float32, on CPU, with
``torch.set_num_threads(threads)``: warm-up runs, then the median of runs until the time budget is
spent (the same plan as the TypeScript side). The references are written the way Hugging Face Llama
writes them in eager mode (torch 1.13 has no scaled_dot_product_attention): RMSNorm, ``rotate_half``
RoPE, matmul + masked_fill + softmax attention with ``repeat_interleave`` for GQA, ``F.silu(gate) * up``,
``F.cross_entropy``, ``log_softmax`` + ``gather``, and ``torch.optim.AdamW.step`` (forward only).

It prints one JSON object on stdout::

    {"torch": "1.13.0", "threads": 2, "blas": "generic", "blasLibrary", "blasThreads", "blasConfig",
     "matmul": [{"n", "medianMs", "gflops"}], "results": [{"op", "name", "fwdMs", "fwdBwdMs"|null, ...}]}

``blas`` is the build's BLAS_INFO ("generic" on Debian: whatever libblas.so.3 resolves to, the reference BLAS
at ~8 GFLOP/s or OpenBLAS at ~100); ``blasLibrary`` is the one really mapped (see torch_runtime.py). The
BLAS library and thread counts are set by bench/kernels.ts from the settings sweep (bench/lib/torch-settings.ts).
"""
from __future__ import annotations

import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_runtime import runtime_info  # noqa: E402


def measure(fn, plan):
    """Median milliseconds of fn(): warm-up runs (one if slow), then minIters..maxIters runs within budget."""
    t0 = time.perf_counter()
    fn()
    est = (time.perf_counter() - t0) * 1000.0
    warmup, min_iters, max_iters, budget = plan['warmup'], plan['minIters'], plan['maxIters'], plan['budgetMs']
    if est > 0:
        fit = int(budget // est)
        if est > budget:
            warmup = min(warmup, 1)
        min_iters = max(1, min(min_iters, fit))
        max_iters = max(1, min(max_iters, max(fit, 1)))
    for _ in range(1, warmup):
        fn()
    samples = []
    spent = 0.0
    while len(samples) < max_iters and (len(samples) < min_iters or spent < budget):
        t = time.perf_counter()
        fn()
        dt = (time.perf_counter() - t) * 1000.0
        samples.append(dt)
        spent += dt
    samples.sort()
    m = len(samples) // 2
    med = samples[m] if len(samples) % 2 == 1 else (samples[m - 1] + samples[m]) / 2
    return {'medianMs': med, 'minMs': samples[0], 'iters': len(samples)}


# ------------------------------------------------------------------------------------------- references

def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rope_tables(t, dh, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.int64).float() / dh))
    ang = torch.arange(t, dtype=torch.float32)[:, None] * inv_freq[None, :]
    return torch.cos(ang)[None], torch.sin(ang)[None]  # [1, T, Dh/2]


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(x, cos_h, sin_h):
    cos = torch.cat((cos_h, cos_h), dim=-1).unsqueeze(1)
    sin = torch.cat((sin_h, sin_h), dim=-1).unsqueeze(1)
    return x * cos + rotate_half(x) * sin


def attention(q, k, v, scale):
    tq, tk = q.shape[2], k.shape[2]
    groups = q.shape[1] // k.shape[1]
    if groups > 1:
        k = torch.repeat_interleave(k, groups, dim=1)
        v = torch.repeat_interleave(v, groups, dim=1)
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale
    allowed = torch.arange(tk)[None, :] <= (torch.arange(tq)[:, None] + (tk - tq))
    scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def swiglu(gate, up):
    return F.silu(gate) * up


def token_log_probs(logits, ids):
    return torch.gather(torch.log_softmax(logits, dim=-1), -1, ids.unsqueeze(-1)).squeeze(-1)


# ------------------------------------------------------------------------------------------------ cases

def build(op, p, g):
    """Returns (forward closure over leaf tensors, list of leaves, upstream gradient) or an optimizer step."""
    def rn(*shape):
        return (torch.rand(shape, generator=g, dtype=torch.float32) * 2 - 1)

    if op == 'rmsNorm':
        x, w = rn(*p['shape']), 1 + 0.1 * rn(p['shape'][-1])
        return (lambda x, w: rms_norm(x, w, p['eps'])), [x, w]
    if op == 'rope':
        x = rn(p['b'], p['h'], p['t'], p['dh'])
        if p.get('tablesInside', True):
            def f(x):
                cos, sin = rope_tables(p['t'], p['dh'], p['theta'])
                return rope(x, cos, sin)
            return f, [x]
        cos, sin = rope_tables(p['t'], p['dh'], p['theta'])
        return (lambda x: rope(x, cos, sin)), [x]
    if op == 'causalAttention':
        q = rn(p['b'], p['hq'], p['t'], p['dh'])
        k = rn(p['b'], p['hkv'], p['t'], p['dh'])
        v = rn(p['b'], p['hkv'], p['t'], p['dh'])
        scale = 1.0 / math.sqrt(p['dh'])
        return (lambda q, k, v: attention(q, k, v, scale)), [q, k, v]
    if op == 'swiglu':
        return swiglu, [rn(*p['shape']), rn(*p['shape'])]
    if op == 'crossEntropy':
        logits = rn(p['n'], p['v']) * 4
        labels = torch.randint(0, p['v'], (p['n'],), generator=g)
        return (lambda lg: F.cross_entropy(lg, labels)), [logits]
    if op == 'tokenLogProbs':
        logits = rn(p['n'], p['v']) * 4
        ids = torch.randint(0, p['v'], (p['n'],), generator=g)
        return (lambda lg: token_log_probs(lg, ids)), [logits]
    raise ValueError(f'unknown op {op}')


def run_case(case, plan, g):
    op, p = case['op'], case['params']
    out = {'op': op, 'name': case['name']}
    if op == 'adamw':
        shape = p['shape']
        param = torch.nn.Parameter(torch.rand(shape, generator=g) * 2 - 1)
        param.grad = torch.rand(shape, generator=g) * 2 - 1
        opt = torch.optim.AdamW([param], lr=p['lr'], betas=(p['beta1'], p['beta2']), eps=p['eps'],
                                weight_decay=p['weightDecay'], foreach=False)
        with torch.no_grad():
            t = measure(opt.step, plan)
        out.update(fwdMs=t['medianMs'], fwdIters=t['iters'], fwdBwdMs=None, note='optimizer.step()')
        return out
    f, leaves = build(op, p, g)

    def fwd():
        with torch.no_grad():
            f(*leaves)

    t = measure(fwd, plan)
    out.update(fwdMs=t['medianMs'], fwdIters=t['iters'])
    params = [x.clone().requires_grad_(True) for x in leaves]
    with torch.no_grad():
        dy = torch.rand(f(*leaves).shape, generator=g) * 2 - 1

    def fwd_bwd():
        y = f(*params)
        torch.autograd.grad([y], params, [dy])

    t = measure(fwd_bwd, plan)
    out.update(fwdBwdMs=t['medianMs'], fwdBwdIters=t['iters'])
    return out


def matmul_rates(sizes, plan, g):
    """GFLOP/s of a square float32 matmul per size (context for the matmul-bound ops)."""
    out = []
    for n in sizes:
        a = torch.rand((n, n), generator=g)
        b = torch.rand((n, n), generator=g)
        with torch.no_grad():
            t = measure(lambda: torch.matmul(a, b), plan)
        out.append({'n': n, 'medianMs': t['medianMs'], 'gflops': 2 * n ** 3 / (t['medianMs'] * 1e6)})
    return out


def main():
    spec = json.load(sys.stdin)
    threads = int(spec.get('threads', 2))
    torch.set_num_threads(threads)
    plan = spec['plan']
    g = torch.Generator()
    g.manual_seed(int(spec.get('seed', 1234)))
    results = []
    for case in spec['cases']:
        try:
            results.append(run_case(case, plan, g))
        except Exception as e:  # report and go on: one failing case must not hide the others
            results.append({'op': case['op'], 'name': case['name'], 'error': f'{type(e).__name__}: {e}'})
    matmul = matmul_rates(spec.get('matmulSizes', []), plan, g)
    json.dump({**runtime_info(), 'matmul': matmul, 'results': results}, sys.stdout)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
