#!/usr/bin/python3
"""PyTorch reference for the GRPO and DPO math of @quarkmed/grpo; writes the test fixtures.

Run with the system Python, which has PyTorch 1.13 (not a pyenv python3 on PATH):

    cd packages/grpo && /usr/bin/python3 scripts/grpo_reference.py

It writes ``test/fixtures/advantages.json``, ``test/fixtures/grpo-loss.json`` and ``test/fixtures/dpo.json``.
The output is deterministic: every random input comes from a ``torch.Generator`` with a fixed seed.

This is our own implementation, written from the formulas of Hugging Face TRL (``GRPOTrainer._compute_loss``,
``_generate_and_score_completions``, ``get_high_entropy_mask``, ``nanstd``; ``DPOTrainer.dpo_loss``) as of TRL main
in 2026 (``trl/trainer/grpo_config.py`` at commit 006d32c9bf5da698815726ebd0de78b404e8163d). TRL is not imported.

Precision: every input is drawn in float32 and stored exactly, so the tests feed tfjs the same numbers. The
reference math and autograd run in float64 on those values. The tests (tfjs cpu, float32) compare with
``|a - b| <= 1e-6 * max(|b|, 1)`` (absolute below 1, relative above).

Layout of grpo-loss.json::

    {"inputs": {name: {"logProbs", "oldLogProbs", "refLogProbs", "mask", "entropies", "truncated"}},
     "rewards": {name: [[r or null per function] per completion]},
     "cases": [{"name", "inputs", "rewards", "config": {...GRPOConfig subset, camelCase},
                "numItemsInBatch", "gradientAccumulationSteps", "onPolicy",
                "advantages", "loss", "perTokenLoss", "grad", "metrics": {TRL metric name: value}}]}
"""
from __future__ import annotations

import json
import math
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, '..', 'test', 'fixtures')
COMMAND = 'cd packages/grpo && /usr/bin/python3 scripts/grpo_reference.py'
TRL_REF = 'TRL main 2026, trl/trainer/grpo_config.py @ 006d32c9bf5da698815726ebd0de78b404e8163d'
F64 = torch.float64

B, T, G = 8, 5, 4  # 2 prompts x G = 4 completions, up to 5 completion tokens
MAX_COMPLETION_LENGTH = 6


# ------------------------------------------------------------------------------------------------- helpers

def gen(seed: int) -> torch.Generator:
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def uniform(shape, lo, hi, seed):
    """float32 draw, returned as float64 holding exactly the float32 values."""
    x = torch.rand(shape, generator=gen(seed), dtype=torch.float32) * (hi - lo) + lo
    return x.to(torch.float32).to(F64)


def num(x: float):
    if math.isnan(x):
        return None
    return float(f'{x:.10g}')


def tensor_json(t: torch.Tensor):
    t = t.detach().to(F64)
    return {'shape': list(t.shape), 'data': [num(v) for v in t.reshape(-1).tolist()]}


def f32list(t: torch.Tensor):
    """A float32-exact tensor as a JSON tensor (the values are exactly representable in float32)."""
    return tensor_json(t.to(torch.float32).to(F64))


# ------------------------------------------------------------------------------------------------- rewards

def nanstd(x: torch.Tensor, dim=None, keepdim=False):
    """TRL's nanstd: sqrt of the NaN-aware mean squared deviation times count / (count - 1) (Bessel)."""
    if dim is None:
        mean = torch.nanmean(x)
        var = torch.nanmean((x - mean) ** 2)
        count = torch.sum(~torch.isnan(x)).to(F64)
    else:
        mean = torch.nanmean(x, dim=dim, keepdim=True)
        var = torch.nanmean((x - mean) ** 2, dim=dim, keepdim=keepdim)
        count = torch.sum(~torch.isnan(x), dim=dim, keepdim=keepdim).to(F64)
    var = var * count / (count - 1)
    return torch.sqrt(var)


def rewards_tensor(rows):
    return torch.tensor([[float('nan') if v is None else float(v) for v in row] for row in rows], dtype=F64)


def compute_advantages(rows, weights, num_generations, scale_rewards, aggregation):
    """TRL `_generate_and_score_completions`, advantages part (single process)."""
    rpf = rewards_tensor(rows)
    w = torch.tensor(weights, dtype=F64)
    k = rpf.shape[1]
    unscorable = torch.isnan(rpf).all(dim=1)
    if aggregation == 'sum_then_normalize':
        rewards = (rpf * w.unsqueeze(0)).nansum(dim=1)
        rewards[unscorable] = float('nan')
        mean_grouped = torch.nanmean(rewards.view(-1, num_generations), dim=1).repeat_interleave(num_generations)
        if scale_rewards in ('group', 'none'):
            if num_generations > 1:
                std = nanstd(rewards.view(-1, num_generations), dim=1).repeat_interleave(num_generations)
            else:
                std = torch.zeros_like(rewards)
        elif scale_rewards == 'batch':
            std = nanstd(rewards).expand_as(rewards) if rewards.numel() > 1 else torch.zeros_like(rewards)
        else:
            raise ValueError(scale_rewards)
        adv = rewards - mean_grouped
        if scale_rewards != 'none':
            adv = adv / (std + 1e-4)
    elif aggregation == 'normalize_then_sum':
        grouped = rpf.view(-1, num_generations, k)
        mean_k = torch.nanmean(grouped, dim=1, keepdim=True)
        std_k = nanstd(grouped, dim=1, keepdim=True) if num_generations > 1 else torch.zeros_like(mean_k)
        reward_k = ((grouped - mean_k) / (std_k + 1e-4)).view(-1, k)
        rewards = (reward_k * w.unsqueeze(0)).nansum(dim=1)
        rewards[unscorable] = float('nan')
        std = nanstd(rewards).expand_as(rewards) if rewards.numel() > 1 else torch.zeros_like(rewards)
        adv = (rewards - torch.nanmean(rewards)) / (std + 1e-4)
    else:
        raise ValueError(aggregation)
    is_std_zero = torch.isclose(std, torch.zeros_like(std))
    adv = torch.nan_to_num(adv, nan=0.0)
    # logged stats
    logged = (rpf * w.unsqueeze(0)).nansum(dim=1)
    logged[unscorable] = float('nan')
    stats = {
        'reward': num(torch.nanmean(logged).item()),
        'reward_std': num(nanstd(logged).item()),
        'frac_reward_zero_std': num(is_std_zero.to(F64).mean().item()),
        'per_function': [
            {'mean': num(torch.nanmean(rpf[:, i]).item()), 'std': num(nanstd(rpf[:, i]).item())} for i in range(k)
        ],
    }
    return adv, {
        'advantages': tensor_json(adv),
        'aggregatedRewards': tensor_json(rewards),
        'std': tensor_json(std),
        'isStdZero': [bool(v) for v in is_std_zero.tolist()],
        'unscorable': [bool(v) for v in unscorable.tolist()],
        'stats': stats,
    }


# ------------------------------------------------------------------------------------------------- loss

def high_entropy_mask(entropies, mask, threshold):
    """TRL get_high_entropy_mask (single process): quantile of the unpadded entropies, linear interpolation."""
    local = entropies[mask.bool()]
    if local.numel() == 0:
        return torch.zeros_like(entropies, dtype=torch.bool)
    thr = torch.quantile(local, threshold)
    return ((entropies * mask) >= thr) & mask.bool()


def grpo_loss(logp, old, ref, adv, mask, entropies, cfg, num_items_in_batch, ga):
    """TRL GRPOTrainer._compute_loss (single process, train mode, no vLLM IS correction, no off-policy mask)."""
    loss_type = cfg['lossType']
    eps_low = cfg['epsilon']
    eps_high = cfg['epsilonHigh'] if cfg.get('epsilonHigh') is not None else cfg['epsilon']
    beta = cfg['beta']
    level = cfg['importanceSamplingLevel']
    delta = cfg.get('delta')
    tq = cfg.get('topEntropyQuantile', 1.0)

    entropy_mask = high_entropy_mask(entropies, mask, 1 - tq) if tq < 1.0 else None
    advantages = adv.unsqueeze(1)
    old = logp.detach() if old is None else old
    log_ratio = logp - old
    if level == 'token':
        liw = log_ratio
    else:
        liw = ((log_ratio * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).unsqueeze(-1)
    coef_1 = torch.exp(liw)

    per_token_kl = None
    if beta != 0.0:
        per_token_kl = torch.exp(ref - logp) - (ref - logp) - 1
        if cfg.get('useBiasCorrectionKl', False):
            per_token_kl = per_token_kl * coef_1

    if loss_type == 'cispo':
        clamped = torch.clamp(coef_1, max=eps_high).detach()
        per_token_loss = -clamped * advantages * logp
    elif loss_type in ('grpo', 'bnpo', 'dr_grpo', 'dapo', 'luspo'):
        coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
        if delta is not None:
            coef_1 = torch.clamp(coef_1, max=delta)
        per_token_loss = -torch.min(coef_1 * advantages, coef_2 * advantages)
    elif loss_type == 'sapo':
        temps = torch.where(advantages > 0, torch.tensor(cfg['sapoTemperaturePos'], dtype=F64),
                            torch.tensor(cfg['sapoTemperatureNeg'], dtype=F64))
        soft = torch.sigmoid(temps * (coef_1 - 1)) * 4 / temps
        per_token_loss = -soft * advantages
    else:
        raise ValueError(loss_type)

    if entropy_mask is not None:
        per_token_loss = per_token_loss * entropy_mask
    if beta != 0.0:
        per_token_loss = per_token_loss + beta * per_token_kl

    if loss_type in ('grpo', 'sapo'):
        loss = ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean() / ga
    elif loss_type == 'bnpo':
        loss = (per_token_loss * mask).sum() / mask.sum().clamp(min=1.0) / ga
    elif loss_type == 'dr_grpo':
        loss = (per_token_loss * mask).sum() / (per_token_loss.size(0) * MAX_COMPLETION_LENGTH) / ga
    elif loss_type in ('cispo', 'dapo'):
        loss = (per_token_loss * mask).sum() / num_items_in_batch
    elif loss_type == 'luspo':
        loss = (per_token_loss * mask.sum(1, keepdim=True)).mean() / ga
    else:
        raise ValueError(loss_type)

    count = mask.sum().clamp(min=1.0)

    def mbm(x):
        if x.shape[1] == 1:
            return x.mean()
        return (x * mask).sum() / count

    metrics = {}
    if per_token_kl is not None:
        metrics['kl'] = num(mbm(per_token_kl).item())
    metrics['entropy'] = num(mbm(entropies).item())
    if loss_type in ('grpo', 'bnpo', 'dr_grpo', 'dapo', 'luspo'):
        low = (coef_1 < 1 - eps_low) & (advantages < 0)
        high = (coef_1 > 1 + eps_high) & (advantages > 0)
        metrics['clip_ratio/low_mean'] = num(mbm(low.to(F64)).item())
        metrics['clip_ratio/high_mean'] = num(mbm(high.to(F64)).item())
        metrics['clip_ratio/region_mean'] = num(mbm((low | high).to(F64)).item())
    elif loss_type == 'cispo':
        metrics['cispo_clip_ratio'] = num(mbm(((coef_1 > eps_high) & (advantages > 0)).to(F64)).item())

    per_token_out = per_token_loss.expand(per_token_loss.shape[0], T) * mask
    return loss, per_token_out, metrics


# ------------------------------------------------------------------------------------------------- inputs

def lengths_mask(lengths):
    return torch.tensor([[1.0 if t < n else 0.0 for t in range(T)] for n in lengths], dtype=F64)


def make_inputs(seed, off_policy, lengths=(5, 3, 4, 1, 5, 2, 5, 4), truncated=None):
    logp = uniform((B, T), -3.0, -0.05, seed)
    mask = lengths_mask(lengths)
    ent = uniform((B, T), 0.0, 3.0, seed + 1)
    ref = (logp + uniform((B, T), -0.3, 0.3, seed + 2)).to(torch.float32).to(F64)
    out = {'logProbs': logp, 'refLogProbs': ref, 'mask': mask, 'entropies': ent,
           'truncated': truncated if truncated is not None else [False] * B}
    if off_policy:
        out['oldLogProbs'] = (logp + uniform((B, T), -0.6, 0.6, seed + 3)).to(torch.float32).to(F64)
    return out


def inputs_json(inp):
    d = {k: f32list(v) for k, v in inp.items() if isinstance(v, torch.Tensor)}
    d['truncated'] = inp['truncated']
    return d


REWARDS = {
    # one reward function; two groups of G = 4
    'single': [[1.0], [0.0], [0.5], [1.0], [0.2], [0.9], [0.9], [0.1]],
    # two functions (accuracy, format), weights [1, 0.5]; one "not applicable" entry
    'multi': [[1.0, 1.0], [0.0, 1.0], [None, 0.0], [1.0, 0.5], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]],
    # completions 2 and 5 are unscorable (every function returned None)
    'unscorable': [[1.0, 0.5], [0.0, None], [None, None], [1.0, 1.0], [0.3, 0.2], [None, None], [0.9, None], [0.1, 0.4]],
    # every group has equal rewards
    'equal': [[0.7], [0.7], [0.7], [0.7], [0.0], [0.0], [0.0], [0.0]],
}
WEIGHTS = {'single': [1.0], 'multi': [1.0, 0.5], 'unscorable': [1.0, 0.5], 'equal': [1.0]}


def apply_truncation(mask, truncated):
    keep = torch.tensor([0.0 if t else 1.0 for t in truncated], dtype=F64).unsqueeze(1)
    return mask * keep


def run_case(name, inp_name, inp, rewards_name, cfg, on_policy, num_generations=G, ga=1, rows=None):
    rows_all = REWARDS[rewards_name]
    adv, _ = compute_advantages(rows_all, WEIGHTS[rewards_name], num_generations, cfg['scaleRewards'],
                                cfg['multiObjectiveAggregation'])
    adv = adv.to(torch.float32).to(F64)  # what the tests feed tfjs
    mask = inp['mask']
    if cfg.get('maskTruncatedCompletions', False):
        mask = apply_truncation(mask, inp['truncated'])
    sel = list(range(B)) if rows is None else rows
    num_items = float(mask.sum().item())  # the whole generation batch (all micro-batches)
    logp = inp['logProbs'][sel].clone().requires_grad_(True)
    old = None if on_policy else inp['oldLogProbs'][sel]
    loss, ptl, metrics = grpo_loss(logp, old, inp['refLogProbs'][sel], adv[sel], mask[sel], inp['entropies'][sel],
                                   cfg, num_items, ga)
    (grad,) = torch.autograd.grad(loss, logp)
    case = {
        'name': name, 'inputs': inp_name, 'rewards': rewards_name, 'config': cfg, 'onPolicy': on_policy,
        'numGenerations': num_generations, 'gradientAccumulationSteps': ga, 'numItemsInBatch': num_items,
        'rows': sel, 'advantages': tensor_json(adv),
        'loss': num(loss.item()), 'perTokenLoss': tensor_json(ptl), 'grad': tensor_json(grad), 'metrics': metrics,
    }
    return case


def base_cfg(**kw):
    cfg = {'lossType': 'dapo', 'scaleRewards': 'group', 'importanceSamplingLevel': 'token', 'beta': 0.0,
           'epsilon': 0.2, 'epsilonHigh': 0.28, 'delta': None, 'multiObjectiveAggregation': 'sum_then_normalize',
           'topEntropyQuantile': 1.0, 'maskTruncatedCompletions': False, 'sapoTemperaturePos': 1.0,
           'sapoTemperatureNeg': 1.05, 'maxCompletionLength': MAX_COMPLETION_LENGTH, 'useBiasCorrectionKl': False}
    cfg.update(kw)
    return cfg


def grpo_fixture():
    inputs = {
        'onPolicy': make_inputs(100, off_policy=False),
        'offPolicy': make_inputs(200, off_policy=True),
        'truncated': make_inputs(300, off_policy=True, truncated=[False, True, False, False, True, False, False, False]),
        'oneToken': make_inputs(400, off_policy=True, lengths=(1, 1, 1, 1, 1, 1, 1, 1)),
    }
    cases = []
    for loss_type in ('grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo', 'luspo'):
        for scale in ('group', 'batch', 'none'):
            for level in ('token', 'sequence'):
                if loss_type == 'luspo' and level == 'token':
                    continue  # TRL: luspo requires importance_sampling_level='sequence'
                for policy in ('onPolicy', 'offPolicy'):
                    for beta in (0.0, 0.04):
                        eps_high = 1.2 if loss_type == 'cispo' else 0.28
                        cfg = base_cfg(lossType=loss_type, scaleRewards=scale, importanceSamplingLevel=level,
                                       beta=beta, epsilonHigh=eps_high)
                        name = f'{loss_type}/{scale}/{level}/{policy}/beta={beta}'
                        cases.append(run_case(name, policy, inputs[policy], 'single', cfg, policy == 'onPolicy'))
    # extras
    for lt in ('dapo', 'grpo'):
        cfg = base_cfg(lossType=lt, multiObjectiveAggregation='normalize_then_sum', beta=0.04)
        cases.append(run_case(f'normalize_then_sum/{lt}', 'offPolicy', inputs['offPolicy'], 'multi', cfg, False))
    cfg = base_cfg(lossType='dapo', beta=0.04)
    cases.append(run_case('sum_then_normalize/multi/dapo', 'offPolicy', inputs['offPolicy'], 'multi', cfg, False))
    for scale in ('group', 'batch'):
        cfg = base_cfg(lossType='grpo', scaleRewards=scale)
        cases.append(run_case(f'unscorable/{scale}', 'offPolicy', inputs['offPolicy'], 'unscorable', cfg, False))
    cfg = base_cfg(lossType='dapo', multiObjectiveAggregation='normalize_then_sum')
    cases.append(run_case('unscorable/normalize_then_sum', 'offPolicy', inputs['offPolicy'], 'unscorable', cfg, False))
    for scale in ('group', 'batch', 'none'):
        cfg = base_cfg(lossType='dapo', scaleRewards=scale, beta=0.04)
        cases.append(run_case(f'G=1/{scale}', 'offPolicy', inputs['offPolicy'], 'single', cfg, False, num_generations=1))
    for scale in ('group', 'batch'):
        cfg = base_cfg(lossType='grpo', scaleRewards=scale, beta=0.04)
        cases.append(run_case(f'equal/{scale}', 'offPolicy', inputs['offPolicy'], 'equal', cfg, False))
    for q in (0.0, 0.2, 0.5):
        for lt in ('dapo', 'grpo'):
            cfg = base_cfg(lossType=lt, topEntropyQuantile=q, beta=0.04)
            cases.append(run_case(f'topEntropyQuantile={q}/{lt}', 'offPolicy', inputs['offPolicy'], 'single', cfg, False))
    cfg = base_cfg(lossType='dapo', topEntropyQuantile=0.5, importanceSamplingLevel='sequence')
    cases.append(run_case('topEntropyQuantile=0.5/dapo/sequence', 'offPolicy', inputs['offPolicy'], 'single', cfg, False))
    for lt in ('dapo', 'grpo', 'dr_grpo'):
        cfg = base_cfg(lossType=lt, maskTruncatedCompletions=True, beta=0.04)
        cases.append(run_case(f'maskTruncatedCompletions/{lt}', 'truncated', inputs['truncated'], 'single', cfg, False))
    cfg = base_cfg(lossType='dapo', maskTruncatedCompletions=True, topEntropyQuantile=0.2)
    cases.append(run_case('maskTruncatedCompletions+topEntropyQuantile=0.2', 'truncated', inputs['truncated'], 'single',
                          cfg, False))
    for lt in ('grpo', 'dapo'):
        for level in ('token', 'sequence'):
            cfg = base_cfg(lossType=lt, delta=1.5, importanceSamplingLevel=level, beta=0.04)
            cases.append(run_case(f'delta=1.5/{lt}/{level}', 'offPolicy', inputs['offPolicy'], 'single', cfg, False))
    for level in ('token', 'sequence'):
        cfg = base_cfg(lossType='dapo', beta=0.04, useBiasCorrectionKl=True, importanceSamplingLevel=level)
        cases.append(run_case(f'useBiasCorrectionKl/{level}', 'offPolicy', inputs['offPolicy'], 'single', cfg, False))
    cfg = base_cfg(lossType='sapo', sapoTemperaturePos=0.5, sapoTemperatureNeg=2.0, beta=0.04)
    cases.append(run_case('sapo/temperatures=0.5,2', 'offPolicy', inputs['offPolicy'], 'single', cfg, False))
    # gradient accumulation: two micro-batches of one generation batch (TRL's num_items_in_batch spans both)
    for lt in ('dapo', 'cispo', 'grpo', 'bnpo', 'dr_grpo'):
        cfg = base_cfg(lossType=lt, beta=0.04, epsilonHigh=1.2 if lt == 'cispo' else 0.28)
        for part, rows in (('first', [0, 1, 2, 3]), ('second', [4, 5, 6, 7])):
            cases.append(run_case(f'accumulation/{lt}/{part}', 'offPolicy', inputs['offPolicy'], 'single', cfg, False,
                                  ga=2, rows=rows))
    # one token per sequence (GSPO = token level)
    for level in ('token', 'sequence'):
        cfg = base_cfg(lossType='dapo', importanceSamplingLevel=level, beta=0.04)
        cases.append(run_case(f'oneToken/{level}', 'oneToken', inputs['oneToken'], 'single', cfg, False))
    return {
        'command': COMMAND, 'torch': torch.__version__, 'reference': TRL_REF,
        'precision': 'inputs float32 (stored exactly); reference in float64',
        'shape': {'B': B, 'T': T, 'G': G},
        'inputs': {k: inputs_json(v) for k, v in inputs.items()},
        'rewards': REWARDS, 'weights': WEIGHTS, 'cases': cases,
    }


def advantages_fixture():
    cases = []
    for rname in REWARDS:
        for agg in ('sum_then_normalize', 'normalize_then_sum'):
            for scale in ('group', 'batch', 'none'):
                for g in (G, 2, 1):
                    _, out = compute_advantages(REWARDS[rname], WEIGHTS[rname], g, scale, agg)
                    cases.append({'name': f'{rname}/{agg}/{scale}/G={g}', 'rewardSet': rname, 'weights': WEIGHTS[rname],
                                  'numGenerations': g, 'scaleRewards': scale, 'multiObjectiveAggregation': agg, **out})
    # a larger random batch with nulls
    gr = gen(7)
    rows = []
    for i in range(24):
        row = []
        for k in range(3):
            u = torch.rand((), generator=gr).item()
            row.append(None if u < 0.15 else float(torch.tensor(torch.rand((), generator=gr).item() * 2 - 0.5, dtype=torch.float32).item()))
        rows.append(row)
    REWARDS_R = {'random': rows}
    for agg in ('sum_then_normalize', 'normalize_then_sum'):
        for scale in ('group', 'batch', 'none'):
            _, out = compute_advantages(rows, [1.0, 0.25, 2.0], 6, scale, agg)
            cases.append({'name': f'random/{agg}/{scale}/G=6', 'rewardSet': 'random', 'weights': [1.0, 0.25, 2.0],
                          'numGenerations': 6, 'scaleRewards': scale, 'multiObjectiveAggregation': agg, **out})
    return {'command': COMMAND, 'torch': torch.__version__, 'reference': TRL_REF,
            'rewardSets': {**REWARDS, **REWARDS_R}, 'cases': cases}


# ------------------------------------------------------------------------------------------------- DPO

def dpo_loss(pc, pr, rc, rr, beta, loss_type, label_smoothing, reference_free):
    """TRL DPOTrainer.dpo_loss for 'sigmoid' and 'ipo'."""
    chosen_logratios = pc - (0.0 if reference_free else rc)
    rejected_logratios = pr - (0.0 if reference_free else rr)
    logits = chosen_logratios - rejected_logratios
    if loss_type == 'sigmoid':
        losses = -F.logsigmoid(beta * logits) * (1 - label_smoothing) - F.logsigmoid(-beta * logits) * label_smoothing
    elif loss_type == 'ipo':
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(loss_type)
    chosen_rewards = beta * (pc - (0.0 if reference_free else rc)).detach()
    rejected_rewards = beta * (pr - (0.0 if reference_free else rr)).detach()
    return losses, chosen_rewards, rejected_rewards


def dpo_fixture():
    n = 6
    pc = uniform((n,), -30.0, -5.0, 11)
    pr = uniform((n,), -30.0, -5.0, 12)
    rc = (pc + uniform((n,), -3.0, 3.0, 13)).to(torch.float32).to(F64)
    rr = (pr + uniform((n,), -3.0, 3.0, 14)).to(torch.float32).to(F64)
    cases = []
    for loss_type in ('sigmoid', 'ipo'):
        for beta in (0.1, 0.5):
            for ls in ((0.0, 0.2) if loss_type == 'sigmoid' else (0.0,)):
                for ref_free in (False, True):
                    a = pc.clone().requires_grad_(True)
                    b = pr.clone().requires_grad_(True)
                    losses, cr, rj = dpo_loss(a, b, rc, rr, beta, loss_type, ls, ref_free)
                    loss = losses.mean()
                    ga, gb = torch.autograd.grad(loss, (a, b))
                    cases.append({
                        'name': f'{loss_type}/beta={beta}/labelSmoothing={ls}/referenceFree={ref_free}',
                        'config': {'lossType': loss_type, 'beta': beta, 'labelSmoothing': ls, 'referenceFree': ref_free},
                        'loss': num(loss.item()), 'losses': tensor_json(losses),
                        'chosenRewards': tensor_json(cr), 'rejectedRewards': tensor_json(rj),
                        'rewardAccuracy': num((cr > rj).to(F64).mean().item()),
                        'rewardMargin': num((cr - rj).mean().item()),
                        'gradPolicyChosen': tensor_json(ga), 'gradPolicyRejected': tensor_json(gb),
                    })
    # RPO (TRL `rpo_alpha`): loss = mean(dpo losses) + α · NLL of the chosen completions, where TRL's NLL is
    # F.cross_entropy over the chosen rows' completion tokens (mean over those tokens; masked labels ignored).
    rows, t, v = 4, 5, 7
    logits = uniform((rows, t, v), -3.0, 3.0, 15)
    labels = torch.randint(0, v, (rows, t), generator=torch.Generator().manual_seed(16))
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=F64)
    token_logps = torch.gather(F.log_softmax(logits, -1), 2, labels.unsqueeze(-1)).squeeze(-1)
    masked_labels = torch.where(mask > 0, labels, torch.full_like(labels, -100))
    nll = F.cross_entropy(logits.reshape(-1, v), masked_labels.reshape(-1), ignore_index=-100)
    nll_tokens = token_logps.to(torch.float32).to(F64).clone().requires_grad_(True)
    nll_own = -(nll_tokens * mask).sum() / mask.sum()
    (g_nll,) = torch.autograd.grad(nll_own, (nll_tokens,))
    rpo_cases = []
    for beta in (0.1, 0.5):
        for alpha in (0.5, 1.0):
            a = pc.clone().requires_grad_(True)
            b = pr.clone().requires_grad_(True)
            c = torch.tensor(nll.item(), dtype=F64, requires_grad=True)
            losses, cr, rj = dpo_loss(a, b, rc, rr, beta, 'sigmoid', 0.0, False)
            loss = losses.mean() + alpha * c
            ga, gb, gc = torch.autograd.grad(loss, (a, b, c))
            rpo_cases.append({
                'name': f'sigmoid/beta={beta}/rpoAlpha={alpha}', 'config': {'lossType': 'sigmoid', 'beta': beta, 'rpoAlpha': alpha},
                'loss': num(loss.item()), 'losses': tensor_json(losses),
                'gradPolicyChosen': tensor_json(ga), 'gradPolicyRejected': tensor_json(gb), 'gradChosenNll': num(gc.item()),
            })
    return {'command': COMMAND, 'torch': torch.__version__,
            'reference': 'TRL DPOTrainer.dpo_loss (sigmoid, ipo), written from its formulas; RPO: TRL rpo_alpha',
            'nll': {'tokenLogProbs': tensor_json(token_logps.to(torch.float32).to(F64)), 'mask': tensor_json(mask),
                    'nll': num(nll.item()), 'grad': tensor_json(g_nll)},
            'rpoCases': rpo_cases,
            'inputs': {'policyChosen': f32list(pc), 'policyRejected': f32list(pr), 'refChosen': f32list(rc),
                       'refRejected': f32list(rr)},
            'cases': cases}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, fx in (('advantages', advantages_fixture()), ('grpo-loss', grpo_fixture()), ('dpo', dpo_fixture())):
        path = os.path.join(OUT_DIR, f'{name}.json')
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(fx, f, separators=(',', ':'))
            f.write('\n')
        os.replace(tmp, path)
        print(f'wrote {path} ({os.path.getsize(path)} bytes, {len(fx["cases"])} cases)')


if __name__ == '__main__':
    main()
