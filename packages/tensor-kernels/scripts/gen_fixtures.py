#!/usr/bin/python3
"""Generate PyTorch reference fixtures for the fused ops of @quarkmed/tensor-kernels.

Run with the system Python, which has PyTorch 1.13 (not the pyenv python3 on PATH):

    cd packages/tensor-kernels && /usr/bin/python3 scripts/gen_fixtures.py

It writes one JSON file per op to ``test/fixtures/<op>.json``. The output is deterministic: every case
draws its random inputs from a ``torch.Generator`` seeded with the case's own seed.

Precision: every random input (and every upstream gradient ``dy``) is drawn in float32, so the values
stored in the fixture are exactly the float32 tensors the tests feed to tfjs. The reference math (forward
and autograd backward) then runs in **float64** on those values, and the results are rounded to float32
when written. So the fixtures are the exact answer for the float32 inputs, up to one float32 rounding;
any difference a test sees is the error of the kernel under test.

The references are plain PyTorch, written the way Hugging Face Llama writes them (RMSNorm, ``rotate_half``
RoPE, eager attention with ``repeat_interleave`` for GQA, ``F.silu(gate) * up``, ``F.cross_entropy``,
``log_softmax`` + ``gather``) and ``torch.optim.AdamW``'s single-tensor step written functionally (checked
against ``torch.optim.AdamW`` itself below). Gradients are ``torch.autograd.grad(out, inputs, dy)``.

Where the kernel contract (docs/guides/kernels.md) defines a value PyTorch does not (an attention row with
no allowed key, a cross-entropy batch whose labels are all ignored) the reference follows the contract:
zero output and zero gradient.

JSON layout::

    {"op": "rmsNorm", "torch": "1.13.0", "command": "...", "precision": "...",
     "cases": [{"name": ..., "seed": ...,
                "inputs":  {name: {"dtype": "float32"|"int32", "shape": [...], "data": [...]}},
                "attrs":   {...},            # op options (eps, scale, theta, offset, lr, ...)
                "dy":      {output name: tensor},
                "outputs": {output name: tensor},
                "grads":   {input name: tensor}}]}
"""
from __future__ import annotations

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', 'test', 'fixtures')
COMMAND = 'cd packages/tensor-kernels && /usr/bin/python3 scripts/gen_fixtures.py'
PRECISION = ('inputs and dy drawn in float32 (stored exactly); reference forward and autograd backward '
             'computed in float64 on those values; outputs and grads rounded to float32')

F64 = torch.float64


# ----------------------------------------------------------------------------------------------- helpers

def gen(seed: int) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def randn(g: torch.Generator, *shape: int, scale: float = 1.0) -> torch.Tensor:
    """float32 normal samples, returned as float64 (exactly representable in float32)."""
    return (torch.randn(tuple(shape), generator=g, dtype=torch.float32) * scale).to(F64)


def rand(g: torch.Generator, *shape: int, lo: float = 0.0, hi: float = 1.0) -> torch.Tensor:
    return (torch.rand(tuple(shape), generator=g, dtype=torch.float32) * (hi - lo) + lo).to(F64)


def f32_list(t: torch.Tensor) -> list:
    """Round to float32 and write with 9 significant digits (round-trips float32 exactly)."""
    vals = t.detach().to(torch.float32).reshape(-1).tolist()
    out = []
    for v in vals:
        if not math.isfinite(v):
            raise ValueError(f'non-finite value {v} in fixture')
        out.append(float(f'{v:.9g}'))
    return out


def ften(t: torch.Tensor) -> dict:
    return {'dtype': 'float32', 'shape': list(t.shape), 'data': f32_list(t)}


def iten(t: torch.Tensor) -> dict:
    return {'dtype': 'int32', 'shape': list(t.shape), 'data': [int(v) for v in t.reshape(-1).tolist()]}


def vjp(outputs: dict, dys: dict, inputs: dict) -> dict:
    """Gradients of sum_k <outputs[k], dys[k]> w.r.t. every tensor of ``inputs`` (float64)."""
    names = list(inputs)
    outs = [outputs[k] for k in dys]
    gs = torch.autograd.grad(outs, [inputs[n] for n in names], [dys[k] for k in dys], allow_unused=True)
    res = {}
    for n, gr in zip(names, gs):
        res[n] = torch.zeros_like(inputs[n]) if gr is None else gr
    return res


def leaf(t: torch.Tensor) -> torch.Tensor:
    return t.clone().requires_grad_(True)


# ------------------------------------------------------------------------------------------- references

def ref_rms_norm(x, weight, eps):
    # LlamaRMSNorm
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_cos_sin(positions: torch.Tensor, dh: int, theta: float):
    """positions: int64 [T] or [B, T] -> cos, sin float64 [Bc, T, Dh/2].

    inv_freq is computed in float32 exactly as the contract (and HF LlamaRotaryEmbedding) says; the angle
    and cos/sin are then evaluated in float64.
    """
    inv_freq = 1.0 / (theta ** (torch.arange(0, dh, 2, dtype=torch.int64).float() / dh))  # float32
    pos = positions if positions.dim() == 2 else positions.unsqueeze(0)
    ang = pos.to(F64)[..., None] * inv_freq.to(F64)[None, None, :]
    return torch.cos(ang), torch.sin(ang)


def ref_rope(x, cos_h, sin_h):
    # HF apply_rotary_pos_emb with unsqueeze_dim=1; emb = cat(freqs, freqs)
    cos = torch.cat((cos_h, cos_h), dim=-1).unsqueeze(1)
    sin = torch.cat((sin_h, sin_h), dim=-1).unsqueeze(1)
    return x * cos + rotate_half(x) * sin


def ref_attention(q, k, v, scale, key_mask=None):
    b, hq, tq, dh = q.shape
    hkv, tk = k.shape[1], k.shape[2]
    groups = hq // hkv
    k_r = torch.repeat_interleave(k, groups, dim=1)  # HF repeat_kv
    v_r = torch.repeat_interleave(v, groups, dim=1)
    scores = torch.matmul(q, k_r.transpose(-1, -2)) * scale  # [B, Hq, Tq, Tk]
    p_abs = torch.arange(tq)[:, None] + (tk - tq)
    allowed = (torch.arange(tk)[None, :] <= p_abs)[None, None]  # [1, 1, Tq, Tk]
    if key_mask is not None:
        allowed = allowed & (key_mask != 0)[:, None, None, :]
    allowed = allowed.expand(b, hq, tq, tk)
    scores = scores.masked_fill(~allowed, torch.finfo(F64).min)
    probs = torch.softmax(scores, dim=-1)
    # Contract: a row with no allowed key outputs zeros and gets zero gradient.
    any_allowed = allowed.any(dim=-1, keepdim=True).to(F64)
    probs = probs * any_allowed
    return torch.matmul(probs, v_r)


def ref_swiglu(gate, up):
    return F.silu(gate) * up


def ref_cross_entropy(logits, labels, ignore_index):
    if bool((labels == ignore_index).all()):
        return (logits * 0.0).sum()  # contract: 0 (and zero gradient) when every row is ignored
    return F.cross_entropy(logits, labels, ignore_index=ignore_index, reduction='mean')


def ref_token_log_probs(logits, ids):
    lp = torch.log_softmax(logits, dim=-1)
    return torch.gather(lp, -1, ids.unsqueeze(-1)).squeeze(-1)


def ref_adamw(param, grad, m, v, lr, beta1, beta2, eps, weight_decay, step):
    """torch.optim.AdamW (amsgrad=False, maximize=False) single-tensor step, functional."""
    p = param * (1 - lr * weight_decay)
    m_new = m * beta1 + grad * (1 - beta1)
    v_new = v * beta2 + grad * grad * (1 - beta2)
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    step_size = lr / bias_correction1
    denom = v_new.sqrt() / math.sqrt(bias_correction2) + eps
    p_new = p - step_size * m_new / denom
    return p_new, m_new, v_new


def check_adamw_against_torch() -> None:
    """The functional step must equal torch.optim.AdamW's own step (float64)."""
    g = gen(4242)
    for step in (1, 7):
        param, grad = randn(g, 5, 3), randn(g, 5, 3)
        m, v = randn(g, 5, 3, scale=0.1), rand(g, 5, 3, lo=0.0, hi=0.05)
        hp = dict(lr=3e-3, betas=(0.85, 0.99), eps=1e-8, weight_decay=0.05)
        p_t = param.clone().requires_grad_(True)
        opt = torch.optim.AdamW([p_t], **hp)
        p_t.grad = grad.clone()
        opt.state[p_t] = {'step': torch.tensor(float(step - 1)), 'exp_avg': m.clone(), 'exp_avg_sq': v.clone()}
        opt.step()
        ours = ref_adamw(param, grad, m, v, hp['lr'], hp['betas'][0], hp['betas'][1], hp['eps'],
                         hp['weight_decay'], step)
        theirs = (p_t.detach(), opt.state[p_t]['exp_avg'], opt.state[p_t]['exp_avg_sq'])
        for a, b, name in zip(ours, theirs, ('param', 'm', 'v')):
            err = (a - b).abs().max().item()
            if err > 1e-12:
                raise AssertionError(f'functional AdamW differs from torch.optim.AdamW ({name}, step {step}): {err}')


# ------------------------------------------------------------------------------------------------ cases

def cases_rms_norm():
    out = []
    for name, seed, shape, eps, xscale in [
        ('2d', 101, (4, 16), 1e-6, 1.0),
        ('3d eps1e-5', 102, (2, 3, 24), 1e-5, 2.0),
        ('small values', 103, (3, 8), 1e-6, 1e-2),
        ('single row', 104, (1, 33), 1e-6, 1.0),
    ]:
        g = gen(seed)
        x = randn(g, *shape, scale=xscale)
        w = 1.0 + randn(g, shape[-1], scale=0.3)
        dy = randn(g, *shape)
        xl, wl = leaf(x), leaf(w)
        y = ref_rms_norm(xl, wl, eps)
        grads = vjp({'y': y}, {'y': dy}, {'x': xl, 'weight': wl})
        out.append({'name': name, 'seed': seed,
                    'inputs': {'x': ften(x), 'weight': ften(w)}, 'attrs': {'eps': eps},
                    'dy': {'y': ften(dy)}, 'outputs': {'y': ften(y)},
                    'grads': {k: ften(v) for k, v in grads.items()}})
    return out


def cases_rope():
    out = []
    specs = [
        # name, seed, (B, H, T, Dh), options
        ('offset 0', 201, (2, 3, 5, 8), {}),
        ('offset 7 theta 500000', 202, (1, 2, 4, 16), {'offset': 7, 'theta': 500000.0}),
        ('positions [T]', 203, (2, 2, 6, 8), {'positions': [3, 4, 5, 9, 10, 11]}),
        ('positions [B,T] left padding', 204, (2, 2, 5, 8),
         {'positions': [[0, 1, 2, 3, 4], [0, 0, 0, 1, 2]]}),
        ('large positions', 205, (1, 1, 3, 8), {'offset': 1000}),
    ]
    for name, seed, (b, h, t, dh), opts in specs:
        g = gen(seed)
        x = randn(g, b, h, t, dh)
        dy = randn(g, b, h, t, dh)
        theta = opts.get('theta', 10000.0)
        if 'positions' in opts:
            positions = torch.tensor(opts['positions'], dtype=torch.int64)
        else:
            positions = torch.arange(t, dtype=torch.int64) + opts.get('offset', 0)
        cos_h, sin_h = rope_cos_sin(positions, dh, theta)
        xl = leaf(x)
        y = ref_rope(xl, cos_h, sin_h)
        grads = vjp({'y': y}, {'y': dy}, {'x': xl})
        inputs = {'x': ften(x)}
        attrs = {'theta': theta}
        if 'positions' in opts:
            inputs['positions'] = iten(positions)
        if 'offset' in opts:
            attrs['offset'] = opts['offset']
        out.append({'name': name, 'seed': seed, 'inputs': inputs, 'attrs': attrs,
                    'dy': {'y': ften(dy)}, 'outputs': {'y': ften(y)},
                    'grads': {k: ften(v) for k, v in grads.items()},
                    'tables': {'cos': ften(cos_h), 'sin': ften(sin_h)}})
    return out


def cases_attention():
    out = []
    specs = [
        # name, seed, B, Hq, Hkv, Tq, Tk, Dh, scale (None = 1/sqrt(Dh)), key mask
        ('causal MHA Tq=Tk', 301, 2, 2, 2, 5, 5, 8, None, None),
        ('GQA prefix Tk>Tq', 302, 2, 4, 2, 5, 7, 8, None, None),
        ('GQA 4:1 custom scale', 303, 1, 4, 1, 3, 6, 4, 0.3, None),
        ('key padding mask', 304, 2, 4, 2, 5, 7, 8, None,
         [[1, 1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1]]),
        # batch 1: keys 0..2 masked; query 0 sits at position 2 and has no allowed key -> zero row.
        ('fully masked row', 305, 2, 2, 1, 5, 7, 8, None,
         [[1, 0, 1, 1, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1]]),
        ('single query decode', 306, 2, 4, 2, 1, 9, 8, None, None),
    ]
    for name, seed, b, hq, hkv, tq, tk, dh, scale, mask in specs:
        g = gen(seed)
        q = randn(g, b, hq, tq, dh)
        k = randn(g, b, hkv, tk, dh)
        v = randn(g, b, hkv, tk, dh)
        dy = randn(g, b, hq, tq, dh)
        key_mask = None if mask is None else torch.tensor(mask, dtype=F64)
        s = (1.0 / math.sqrt(dh)) if scale is None else scale
        ql, kl, vl = leaf(q), leaf(k), leaf(v)
        y = ref_attention(ql, kl, vl, s, key_mask)
        grads = vjp({'y': y}, {'y': dy}, {'q': ql, 'k': kl, 'v': vl})
        inputs = {'q': ften(q), 'k': ften(k), 'v': ften(v)}
        if key_mask is not None:
            inputs['keyMask'] = ften(key_mask)
        attrs = {} if scale is None else {'scale': scale}
        attrs['resolvedScale'] = s
        out.append({'name': name, 'seed': seed, 'inputs': inputs, 'attrs': attrs,
                    'dy': {'y': ften(dy)}, 'outputs': {'y': ften(y)},
                    'grads': {k_: ften(v_) for k_, v_ in grads.items()}})
    return out


def cases_swiglu():
    out = []
    for name, seed, shape, gscale in [
        ('2d', 401, (4, 12), 1.0),
        ('3d wide range', 402, (2, 3, 10), 4.0),
        ('1d', 403, (17,), 1.0),
    ]:
        g = gen(seed)
        gate = randn(g, *shape, scale=gscale)
        up = randn(g, *shape)
        dy = randn(g, *shape)
        gl, ul = leaf(gate), leaf(up)
        y = ref_swiglu(gl, ul)
        grads = vjp({'y': y}, {'y': dy}, {'gate': gl, 'up': ul})
        out.append({'name': name, 'seed': seed, 'inputs': {'gate': ften(gate), 'up': ften(up)}, 'attrs': {},
                    'dy': {'y': ften(dy)}, 'outputs': {'y': ften(y)},
                    'grads': {k: ften(v) for k, v in grads.items()}})
    return out


def cases_cross_entropy():
    out = []
    specs = [
        # name, seed, N, V, labels (None = random), ignoreIndex, logit scale
        ('basic', 501, 6, 11, None, None, 1.0),
        ('ignore-index rows', 502, 5, 9, [3, -100, 0, -100, 8], None, 2.0),
        ('custom ignoreIndex', 503, 4, 7, [0, 6, 2, 6], 6, 1.0),
        ('all rows ignored', 504, 3, 5, [-100, -100, -100], None, 1.0),
        ('large logits', 505, 4, 13, None, None, 30.0),
    ]
    for name, seed, n, vsz, labels, ignore, lscale in specs:
        g = gen(seed)
        logits = randn(g, n, vsz, scale=lscale)
        if labels is None:
            lab = torch.randint(0, vsz, (n,), generator=g, dtype=torch.int64)
        else:
            lab = torch.tensor(labels, dtype=torch.int64)
        # scalar upstream gradient, kept in [1, 3) so that dlogits (~dy/count) stays well above the
        # tests' absolute tolerance floor
        dy = rand(g, lo=1.0, hi=3.0)
        ii = -100 if ignore is None else ignore
        ll = leaf(logits)
        loss = ref_cross_entropy(ll, lab, ii)
        grads = vjp({'loss': loss}, {'loss': dy}, {'logits': ll})
        attrs = {} if ignore is None else {'ignoreIndex': ignore}
        out.append({'name': name, 'seed': seed, 'inputs': {'logits': ften(logits), 'labels': iten(lab)},
                    'attrs': attrs, 'dy': {'loss': ften(dy)}, 'outputs': {'loss': ften(loss)},
                    'grads': {k: ften(v) for k, v in grads.items()}})
    return out


def cases_token_log_probs():
    out = []
    specs = [
        ('2d', 601, (6,), 10, 1.0),
        ('3d [B,T,V]', 602, (2, 4), 9, 2.0),
        ('large logits', 603, (5,), 16, 25.0),
    ]
    for name, seed, lead, vsz, lscale in specs:
        g = gen(seed)
        logits = randn(g, *lead, vsz, scale=lscale)
        ids = torch.randint(0, vsz, lead, generator=g, dtype=torch.int64)
        dy = randn(g, *lead)
        ll = leaf(logits)
        y = ref_token_log_probs(ll, ids)
        grads = vjp({'y': y}, {'y': dy}, {'logits': ll})
        out.append({'name': name, 'seed': seed, 'inputs': {'logits': ften(logits), 'ids': iten(ids)},
                    'attrs': {}, 'dy': {'y': ften(dy)}, 'outputs': {'y': ften(y)},
                    'grads': {k: ften(v) for k, v in grads.items()}})
    return out


def cases_adamw():
    out = []
    specs = [
        # name, seed, shape, attrs (the op's options; defaults filled in below)
        ('step 1 defaults', 701, (4, 5), {'lr': 1e-3, 'step': 1}),
        ('step 10 custom betas', 702, (3, 7), {'lr': 2e-2, 'beta1': 0.8, 'beta2': 0.95, 'eps': 1e-6,
                                                'weightDecay': 0.1, 'step': 10}),
        ('no weight decay', 703, (11,), {'lr': 5e-2, 'weightDecay': 0.0, 'step': 3}),
    ]
    for name, seed, shape, opts in specs:
        full = {'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8, 'weightDecay': 0.01, **opts}
        g = gen(seed)
        param = randn(g, *shape)
        grad = randn(g, *shape)
        m = randn(g, *shape, scale=0.1)
        # v must stay well away from 0 so that d sqrt(v') is moderate (v' >= (1-b2) g^2 + b2 v)
        v = rand(g, *shape, lo=0.01, hi=0.05)
        dys = {'param': randn(g, *shape), 'm': randn(g, *shape), 'v': randn(g, *shape)}
        pl, gl, ml, vl = leaf(param), leaf(grad), leaf(m), leaf(v)
        p_new, m_new, v_new = ref_adamw(pl, gl, ml, vl, full['lr'], full['beta1'], full['beta2'], full['eps'],
                                        full['weightDecay'], full['step'])
        outs = {'param': p_new, 'm': m_new, 'v': v_new}
        grads = vjp(outs, dys, {'param': pl, 'grad': gl, 'm': ml, 'v': vl})
        out.append({'name': name, 'seed': seed,
                    'inputs': {'param': ften(param), 'grad': ften(grad), 'm': ften(m), 'v': ften(v)},
                    'attrs': opts, 'dy': {k: ften(t) for k, t in dys.items()},
                    'outputs': {k: ften(t) for k, t in outs.items()},
                    'grads': {k: ften(t) for k, t in grads.items()}})
    return out


OPS = {
    'rmsNorm': cases_rms_norm,
    'rope': cases_rope,
    'causalAttention': cases_attention,
    'swiglu': cases_swiglu,
    'crossEntropy': cases_cross_entropy,
    'tokenLogProbs': cases_token_log_probs,
    'adamw': cases_adamw,
}


def main() -> int:
    torch.manual_seed(0)  # nothing below uses the global generator; set for good measure
    check_adamw_against_torch()
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for op, make in OPS.items():
        doc = {'op': op, 'torch': torch.__version__, 'command': COMMAND, 'precision': PRECISION,
               'cases': make()}
        path = os.path.join(OUT_DIR, f'{op}.json')
        text = json.dumps(doc, separators=(',', ':')) + '\n'
        with open(path, 'w') as fh:
            fh.write(text)
        total += len(text)
        print(f'{path}: {len(doc["cases"])} cases, {len(text)} bytes')
    print(f'total {total} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
