#!/usr/bin/env python3
"""PyTorch reference for Hugging Face Llama / Qwen2 / Qwen3 checkpoints with rope scaling, head_dim and biases.

Needs only PyTorch and NumPy (transformers is not installed: everything is written here from the
architectures' definitions in transformers' modeling_llama, modeling_qwen2, modeling_qwen3 and
modeling_rope_utils, in float64). Reuses the safetensors reader/writer of llama_reference.py.

- llama:  q/k/v/o biases with attention_bias, gate/up/down biases with mlp_bias
- qwen2:  q/k/v biases (always), no o bias, no MLP bias
- qwen3:  q/k/v/o biases with attention_bias; q_norm / k_norm (RMSNorm over head_dim) on q and k per head,
          before RoPE; head_dim defaults to 128
- rope: default, linear, dynamic (stateful like transformers' dynamic_rope_update: recomputed when the
  largest position + 1 exceeds the cached length, reset below max_position_embeddings), yarn
  (attention_factor / mscale / mscale_all_dim, beta_fast, beta_slow, truncate,
  original_max_position_embeddings), llama3; legacy `type` or `rope_type`; the v5 `rope_parameters` layout.
  The cos/sin tables are multiplied by the attention scaling.

Generation with a KV cache (keys cached after RoPE) follows transformers: prefill the prompt, then one token
per step at position past_len, the rotary module updated per call.

Regenerate the committed fixtures (from packages/model):
  /usr/bin/python3 scripts/hf_reference.py --out test/fixtures
Check a checkpoint saved by the TypeScript package (prints {"logits": [T][V]} for --ids, one row):
  /usr/bin/python3 scripts/hf_reference.py --check DIR --ids '[1, 2, 3]'

Each case directory gets config.json, model.safetensors (seeded random F32 weights) and expected.safetensors:
`input_ids` (I32 [1, T]) and `logits` (F32 [1, T, V]); the dynamic case also `gen_prompt` (I32 [1, P]),
`gen_tokens` (I32 [N], greedy), `gen_logits` (F32 [N, V], the logits each token was chosen from, with the
KV cache) and `gen_full_logits` (F32 [P + N - 1, V], one full forward over the generated sequence).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_reference import read_safetensors, write_safetensors  # noqa: E402

SEQ_LEN = 48

BASE = {
    "vocab_size": 40,
    "hidden_size": 16,
    "intermediate_size": 24,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "hidden_act": "silu",
    "max_position_embeddings": 64,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "initializer_range": 0.02,
    "attention_bias": False,
    "mlp_bias": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}
LLAMA = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", **BASE}


def without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


CASES = {
    "hf-llama3-rope": {
        **LLAMA,
        "rope_scaling": {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 16,
        },
    },
    "hf-linear-rope": {**LLAMA, "rope_scaling": {"type": "linear", "factor": 4.0}},
    "hf-dynamic-rope": {
        **LLAMA,
        "num_hidden_layers": 2,
        "max_position_embeddings": 24,
        "rope_scaling": {"rope_type": "dynamic", "factor": 2.0},
    },
    # factor == max_position_embeddings / original_max_position_embeddings, so transformers versions that
    # derive the factor from the two lengths and those that read it agree
    "hf-yarn-rope": {
        **LLAMA,
        "rope_scaling": {
            "rope_type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": 16,
            "beta_fast": 8.0,
            "beta_slow": 2.0,
            "mscale": 1.0,
            "mscale_all_dim": 0.5,
            "truncate": False,
        },
    },
    "hf-yarn-attention-factor": {
        **LLAMA,
        "rope_scaling": {"type": "yarn", "factor": 3.0, "attention_factor": 1.3},
    },
    "hf-rope-parameters": {
        **without(LLAMA, "rope_theta"),
        "rope_parameters": {"rope_type": "default", "rope_theta": 250000.0},
    },
    "hf-head-dim": {**LLAMA, "head_dim": 12},
    "hf-llama-bias": {**LLAMA, "attention_bias": True, "mlp_bias": True},
    "hf-qwen2": {
        **without(BASE, "attention_bias", "mlp_bias"),
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "tie_word_embeddings": True,
        "rope_theta": 1000000.0,
        "use_sliding_window": False,
        "sliding_window": 4096,
        "max_window_layers": 1,
    },
    "hf-qwen3": {
        **without(BASE, "mlp_bias"),
        "architectures": ["Qwen3ForCausalLM"],
        "model_type": "qwen3",
        "num_hidden_layers": 2,
        "head_dim": 12,
        "rope_theta": 1000000.0,
        "use_sliding_window": False,
        "sliding_window": None,
        "max_window_layers": 2,
    },
}

# ----------------------------------------------------------------------------------------------------
# config


def arch_of(config):
    return {"llama": "llama", "qwen2": "qwen2", "qwen3": "qwen3"}[config["model_type"]]


def head_dim_of(config):
    hd = config.get("head_dim")
    if hd is None and arch_of(config) == "qwen3":
        return 128
    return hd or config["hidden_size"] // config["num_attention_heads"]


def rope_dict(config):
    """(theta, dict) from the legacy rope_theta + rope_scaling or the v5 rope_parameters layout."""
    rp = config.get("rope_parameters")
    if rp is not None:
        theta = rp.get("rope_theta") or config.get("rope_theta", 10000.0)
        return theta, rp
    return config.get("rope_theta", 10000.0), config.get("rope_scaling") or {}


def rope_type_of(d):
    return d.get("rope_type", d.get("type", "default"))


# ----------------------------------------------------------------------------------------------------
# rope parameters (modeling_rope_utils), float64


def default_inv_freq(dim, base):
    return 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))


def compute_rope(config, seq_len=None):
    """-> (inv_freq float64 [dim/2], attention_scaling)."""
    theta, d = rope_dict(config)
    dim = head_dim_of(config)
    max_pos = config["max_position_embeddings"]
    t = rope_type_of(d)
    if t == "default":
        return default_inv_freq(dim, theta), 1.0
    if t == "linear":
        return default_inv_freq(dim, theta) / d["factor"], 1.0
    if t == "dynamic":
        factor = d["factor"]
        seq_len = seq_len if seq_len is not None and seq_len > max_pos else max_pos
        base = theta * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        return default_inv_freq(dim, base), 1.0
    if t == "yarn":
        factor = d["factor"]
        if "original_max_position_embeddings" in d:
            original = d["original_max_position_embeddings"]
            factor = max_pos / original
        else:
            original = max_pos

        def get_mscale(scale, mscale=1.0):
            return 1.0 if scale <= 1 else 0.1 * mscale * math.log(scale) + 1.0

        attention_factor = d.get("attention_factor")
        if attention_factor is None:
            if d.get("mscale") and d.get("mscale_all_dim"):
                attention_factor = get_mscale(factor, d["mscale"]) / get_mscale(factor, d["mscale_all_dim"])
            else:
                attention_factor = get_mscale(factor)
        beta_fast = d.get("beta_fast") or 32
        beta_slow = d.get("beta_slow") or 1

        def correction_dim(rotations):
            return (dim * math.log(original / (rotations * 2 * math.pi))) / (2 * math.log(theta))

        low, high = correction_dim(beta_fast), correction_dim(beta_slow)
        if d.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, dim - 1)
        if low == high:
            high += 0.001
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float64) - low) / (high - low), 0, 1)
        pos_freqs = theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
        extrapolation = 1.0 / pos_freqs
        interpolation = 1.0 / (factor * pos_freqs)
        extrapolation_factor = 1 - ramp
        inv_freq = interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor
        return inv_freq, float(attention_factor)
    if t == "llama3":
        inv_freq = default_inv_freq(dim, theta)
        factor = d["factor"]
        low_ff, high_ff = d["low_freq_factor"], d["high_freq_factor"]
        old_len = d["original_max_position_embeddings"]
        low_wavelen = old_len / low_ff
        high_wavelen = old_len / high_ff
        wavelen = 2 * math.pi / inv_freq
        inv_llama = torch.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_len / wavelen - low_ff) / (high_ff - low_ff)
        smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        return torch.where(medium, smoothed, inv_llama), 1.0
    raise SystemExit(f"unsupported rope type {t}")


class Rotary:
    """transformers' LlamaRotaryEmbedding with the dynamic_rope_update decorator (state kept across calls)."""

    def __init__(self, config):
        self.config = config
        self.type = rope_type_of(rope_dict(config)[1])
        self.max_seq_len_cached = config["max_position_embeddings"]
        self.original_max_seq_len = config["max_position_embeddings"]
        self.inv_freq, self.attention_scaling = compute_rope(config)
        self.original_inv_freq = self.inv_freq

    def __call__(self, position_ids):
        if "dynamic" in self.type:
            seq_len = int(position_ids.max()) + 1
            if seq_len > self.max_seq_len_cached:  # growth
                self.inv_freq, self.attention_scaling = compute_rope(self.config, seq_len)
                self.max_seq_len_cached = seq_len
            if seq_len < self.original_max_seq_len and self.max_seq_len_cached > self.original_max_seq_len:  # reset
                self.inv_freq = self.original_inv_freq
                self.max_seq_len_cached = self.original_max_seq_len
        freqs = position_ids.to(torch.float64)[..., None] * self.inv_freq  # [B, T, dim/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos() * self.attention_scaling, emb.sin() * self.attention_scaling


# ----------------------------------------------------------------------------------------------------
# the model


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def linear(x, w, name):
    y = x @ w[name + ".weight"].T
    if name + ".bias" in w:
        y = y + w[name + ".bias"]
    return y


def forward(config, w, ids, rotary, cache=None, past=0):
    """ids int64 [B, T] at positions past..past+T-1 -> float64 logits [B, T, V]; cache: list of (k, v) per layer."""
    arch = arch_of(config)
    n_heads = config["num_attention_heads"]
    n_kv = config["num_key_value_heads"]
    hd = head_dim_of(config)
    eps = config.get("rms_norm_eps", 1e-6)
    b, t = ids.shape
    positions = torch.arange(past, past + t, dtype=torch.int64)[None].expand(b, t)
    cos, sin = rotary(positions)
    cos, sin = cos[:, None], sin[:, None]  # [B, 1, T, Dh]
    total = past + t
    causal = torch.full((t, total), float("-inf"), dtype=torch.float64).triu(past + 1)

    x = w["model.embed_tokens.weight"][ids]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        hn = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(hn, w, p + "self_attn.q_proj").view(b, t, n_heads, hd)
        k = linear(hn, w, p + "self_attn.k_proj").view(b, t, n_kv, hd)
        v = linear(hn, w, p + "self_attn.v_proj").view(b, t, n_kv, hd).transpose(1, 2)
        if arch == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if len(cache) > layer:
                k = torch.cat([cache[layer][0], k], dim=2)
                v = torch.cat([cache[layer][1], v], dim=2)
                cache[layer] = (k, v)
            else:
                cache.append((k, v))
        rep = n_heads // n_kv
        kk = k.repeat_interleave(rep, dim=1)
        vv = v.repeat_interleave(rep, dim=1)
        scores = q @ kk.transpose(-1, -2) / math.sqrt(hd) + causal
        attn = (torch.softmax(scores, dim=-1) @ vv).transpose(1, 2).reshape(b, t, n_heads * hd)
        x = x + linear(attn, w, p + "self_attn.o_proj")
        hn = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(hn, w, p + "mlp.gate_proj")
        up = linear(hn, w, p + "mlp.up_proj")
        x = x + linear(torch.nn.functional.silu(gate) * up, w, p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if config.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def tensor_specs(config):
    """(name, shape) of every tensor, HF layout."""
    arch = arch_of(config)
    h, inter, v = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    hd = head_dim_of(config)
    q, kv = config["num_attention_heads"] * hd, config["num_key_value_heads"] * hd
    attn_bias = config.get("attention_bias", False)
    qkv_bias = attn_bias or arch == "qwen2"
    mlp_bias = config.get("mlp_bias", False) and arch == "llama"
    specs = [("model.embed_tokens.weight", (v, h))]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        specs.append((p + "input_layernorm.weight", (h,)))
        for name, shape in [("q_proj", (q, h)), ("k_proj", (kv, h)), ("v_proj", (kv, h))]:
            specs.append((p + f"self_attn.{name}.weight", shape))
            if qkv_bias:
                specs.append((p + f"self_attn.{name}.bias", (shape[0],)))
        specs.append((p + "self_attn.o_proj.weight", (h, q)))
        if attn_bias:
            specs.append((p + "self_attn.o_proj.bias", (h,)))
        if arch == "qwen3":
            specs += [(p + "self_attn.q_norm.weight", (hd,)), (p + "self_attn.k_norm.weight", (hd,))]
        specs.append((p + "post_attention_layernorm.weight", (h,)))
        for name, shape in [("gate_proj", (inter, h)), ("up_proj", (inter, h)), ("down_proj", (h, inter))]:
            specs.append((p + f"mlp.{name}.weight", shape))
            if mlp_bias:
                specs.append((p + f"mlp.{name}.bias", (shape[0],)))
    specs.append(("model.norm.weight", (h,)))
    if not config.get("tie_word_embeddings", False):
        specs.append(("lm_head.weight", (v, h)))
    return specs


def random_weights(config, seed):
    g = torch.Generator().manual_seed(seed)
    out = []
    for name, shape in tensor_specs(config):
        r = torch.randn(*shape, generator=g, dtype=torch.float32)
        if name.endswith("norm.weight"):
            t = 1.0 + 0.1 * r
        elif "embed_tokens" in name:
            t = r
        elif name.endswith(".bias"):
            t = 0.3 * r
        else:
            t = 0.3 * r
        out.append((name, t))
    return out


def load(d):
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    return config, read_safetensors(os.path.join(d, "model.safetensors"))


def token_ids(seed, n, vocab):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (1, n), generator=g, dtype=torch.int64)


def greedy_generate(config, w, prompt, steps):
    """transformers-style cached greedy decoding: returns (tokens [N], logits [N, V])."""
    rotary = Rotary(config)
    cache = []
    logits = forward(config, w, prompt, rotary, cache, 0)[:, -1]
    tokens, step_logits = [], []
    past = prompt.shape[1]
    for _ in range(steps):
        step_logits.append(logits[0])
        nxt = int(logits[0].argmax())
        tokens.append(nxt)
        logits = forward(config, w, torch.tensor([[nxt]]), rotary, cache, past)[:, -1]
        past += 1
    return tokens, torch.stack(step_logits)


def write_case(root, name, config, seed):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    write_safetensors(os.path.join(d, "model.safetensors"), [(n, "F32", t.numpy()) for n, t in random_weights(config, seed)], {"format": "pt"})
    config, w = load(d)  # run on what the files hold
    ids = token_ids(seed + 1, SEQ_LEN, config["vocab_size"])
    logits = forward(config, w, ids, Rotary(config))
    out = [
        ("input_ids", "I32", ids.to(torch.int32).numpy()),
        ("logits", "F32", logits.to(torch.float32).numpy()),
    ]
    if rope_type_of(rope_dict(config)[1]) == "dynamic":
        prompt = ids[:, :12]
        steps = SEQ_LEN - prompt.shape[1]
        tokens, step_logits = greedy_generate(config, w, prompt, steps)
        seq = torch.cat([prompt, torch.tensor([tokens[:-1]])], dim=1)
        full = forward(config, w, seq, Rotary(config))[0]
        out += [
            ("gen_prompt", "I32", prompt.to(torch.int32).numpy()),
            ("gen_tokens", "I32", np.array(tokens, dtype=np.int32)),
            ("gen_logits", "F32", step_logits.to(torch.float32).numpy()),
            ("gen_full_logits", "F32", full.to(torch.float32).numpy()),
        ]
    write_safetensors(os.path.join(d, "expected.safetensors"), out, {"format": "pt", "seed": str(seed), "torch": torch.__version__})
    print(f"wrote {d}: logits {list(logits.shape)}, |logits| max {logits.abs().max().item():.3f}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="directory receiving one sub-directory per case")
    ap.add_argument("--check", help="load the checkpoint in this directory and print the logits of --ids as JSON")
    ap.add_argument("--ids", help="--check: token ids as a JSON list")
    ap.add_argument("--case", action="append", help="only these cases (default: all)")
    ap.add_argument("--seed", type=int, default=4321)
    args = ap.parse_args()
    if not (args.out or args.check):
        ap.error("one of --out, --check is required")
    torch.set_grad_enabled(False)
    if args.check:
        config, w = load(args.check)
        ids = torch.tensor([json.loads(args.ids)], dtype=torch.int64)
        logits = forward(config, w, ids, Rotary(config))[0]
        json.dump({"logits": logits.tolist()}, sys.stdout)
        sys.stdout.write("\n")
        return
    for i, (name, config) in enumerate(CASES.items()):
        if args.case and name not in args.case:
            continue
        write_case(args.out, name, config, args.seed + 10 * i)


if __name__ == "__main__":
    main()
