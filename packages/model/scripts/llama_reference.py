#!/usr/bin/env python3
"""PyTorch reference for @quarkmed/model's Hugging Face Llama checkpoints.

Needs only PyTorch and NumPy (no transformers, no safetensors package: the format is written and read
by hand here). The forward is a minimal Llama written from the architecture, in float64:
embedding -> per layer [RMSNorm -> GQA attention with rotate_half RoPE and a causal mask -> residual ->
RMSNorm -> SwiGLU MLP -> residual] -> final RMSNorm -> lm_head (or the tied embedding).
Weights use the Hugging Face layout: linear weights are [out, in] and y = x @ W.T.

Modes:
  --out DIR       create a seeded random small Llama, write DIR/model.safetensors, DIR/config.json and
                  DIR/expected_logits.json ({"input_ids": [[...]], "logits": [B][T][V]})
  --check DIR     load DIR/config.json and DIR/model.safetensors (or the shards listed in
                  DIR/model.safetensors.index.json), run the forward and print
                  {"input_ids": ..., "logits": ...} as JSON on stdout
  --dtypes PATH   write a safetensors file with F32/F16/BF16/I64/I32 tensors to PATH and the values
                  torch decodes them to in PATH + '.json' (checks our dtype conversions)

Regenerate the committed fixture (from packages/model):
  /usr/bin/python3 scripts/llama_reference.py --out test/fixtures/tiny-llama --dtypes test/fixtures/dtypes.safetensors
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

# Token ids the fixture and --check run on: batch 2, length 7, all < vocab 97.
INPUT_IDS = [[1, 5, 42, 96, 0, 17, 63], [88, 2, 2, 31, 70, 9, 50]]

TINY_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "vocab_size": 97,
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "hidden_act": "silu",
    "max_position_embeddings": 64,
    "rms_norm_eps": 1e-5,
    "rope_theta": 50000.0,
    "tie_word_embeddings": False,
    "initializer_range": 0.02,
    "attention_bias": False,
    "mlp_bias": False,
    "torch_dtype": "float32",
}

# ----------------------------------------------------------------------------------------------------
# safetensors by hand

_NP_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I32": np.int32, "I64": np.int64}


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype string, numpy array of the matching dtype; BF16 as uint16 bits)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, dtype, arr in tensors:
        data = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns {name: float64/int64 torch tensor}."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        chunk = buf[base + begin : base + end]
        if e["dtype"] == "BF16":
            bits = np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16
            arr = bits.view(np.float32)
        else:
            arr = np.frombuffer(chunk, dtype=np.dtype(_NP_DTYPES[e["dtype"]]).newbyteorder("<"))
        arr = arr.reshape(e["shape"])
        t = torch.from_numpy(arr.astype(np.int64 if e["dtype"].startswith("I") else np.float64))
        out[name] = t
    return out


def load_checkpoint(d):
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    index = os.path.join(d, "model.safetensors.index.json")
    weights = {}
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        for file in sorted(set(weight_map.values())):
            weights.update(read_safetensors(os.path.join(d, file)))
        missing = set(weight_map) - set(weights)
        if missing:
            raise SystemExit(f"index lists tensors absent from the shards: {sorted(missing)}")
    else:
        weights = read_safetensors(os.path.join(d, "model.safetensors"))
    return config, weights


# ----------------------------------------------------------------------------------------------------
# the model


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope_cos_sin(seq_len, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    pos = torch.arange(seq_len, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)  # [T, Dh]
    return emb.cos(), emb.sin()


def forward(config, w, ids):
    """ids: int64 [B, T] -> float64 logits [B, T, V]."""
    h_size = config["hidden_size"]
    n_heads = config["num_attention_heads"]
    n_kv = config.get("num_key_value_heads", n_heads)
    head_dim = h_size // n_heads
    eps = config.get("rms_norm_eps", 1e-6)
    theta = config.get("rope_theta", 10000.0)
    tied = config.get("tie_word_embeddings", False)
    b, t = ids.shape
    cos, sin = rope_cos_sin(t, head_dim, theta)
    causal = torch.full((t, t), float("-inf"), dtype=torch.float64).triu(1)

    x = w["model.embed_tokens.weight"][ids]  # [B, T, H]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        hn = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (hn @ w[p + "self_attn.q_proj.weight"].T).view(b, t, n_heads, head_dim).transpose(1, 2)
        k = (hn @ w[p + "self_attn.k_proj.weight"].T).view(b, t, n_kv, head_dim).transpose(1, 2)
        v = (hn @ w[p + "self_attn.v_proj.weight"].T).view(b, t, n_kv, head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = n_heads // n_kv
        k = k.repeat_interleave(rep, dim=1)  # query head h uses kv head h // rep (HF repeat_kv)
        v = v.repeat_interleave(rep, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(head_dim) + causal
        attn = torch.softmax(scores, dim=-1) @ v  # [B, Hq, T, Dh]
        attn = attn.transpose(1, 2).reshape(b, t, n_heads * head_dim)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        hn = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = hn @ w[p + "mlp.gate_proj.weight"].T
        up = hn @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if tied else w["lm_head.weight"]
    return x @ head.T


def random_weights(config, seed):
    """float32 weights in HF layout, seeded."""
    g = torch.Generator().manual_seed(seed)
    h = config["hidden_size"]
    inter = config["intermediate_size"]
    v = config["vocab_size"]
    dh = h // config["num_attention_heads"]
    kv = config["num_key_value_heads"] * dh

    def randn(*shape, std):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * std

    def norm_w():
        return 1.0 + randn(h, std=0.1)

    tensors = [("model.embed_tokens.weight", randn(v, h, std=1.0))]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        tensors += [
            (p + "input_layernorm.weight", norm_w()),
            (p + "self_attn.q_proj.weight", randn(h, h, std=0.2)),
            (p + "self_attn.k_proj.weight", randn(kv, h, std=0.2)),
            (p + "self_attn.v_proj.weight", randn(kv, h, std=0.2)),
            (p + "self_attn.o_proj.weight", randn(h, h, std=0.2)),
            (p + "post_attention_layernorm.weight", norm_w()),
            (p + "mlp.gate_proj.weight", randn(inter, h, std=0.2)),
            (p + "mlp.up_proj.weight", randn(inter, h, std=0.2)),
            (p + "mlp.down_proj.weight", randn(h, inter, std=0.2)),
        ]
    tensors.append(("model.norm.weight", norm_w()))
    if not config["tie_word_embeddings"]:
        tensors.append(("lm_head.weight", randn(v, h, std=0.2)))
    return tensors


def as_json_logits(ids, logits):
    return {"input_ids": ids.tolist(), "logits": [[[float(x) for x in row] for row in seq] for seq in logits.tolist()]}


def cmd_out(d, seed):
    os.makedirs(d, exist_ok=True)
    config = dict(TINY_CONFIG)
    tensors = random_weights(config, seed)
    write_safetensors(
        os.path.join(d, "model.safetensors"),
        [(n, "F32", t.numpy()) for n, t in tensors],
        {"format": "pt"},
    )
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    # the forward runs on what the file holds (round trip through our own reader)
    _, weights = load_checkpoint(d)
    ids = torch.tensor(INPUT_IDS, dtype=torch.int64)
    logits = forward(config, weights, ids)
    out = as_json_logits(ids, logits)
    out["seed"] = seed
    out["torch"] = torch.__version__
    with open(os.path.join(d, "expected_logits.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(f"wrote {d}: logits {list(logits.shape)}, |logits| max {logits.abs().max().item():.4f}", file=sys.stderr)


def cmd_check(d, ids_json):
    config, weights = load_checkpoint(d)
    ids = torch.tensor(json.loads(ids_json) if ids_json else INPUT_IDS, dtype=torch.int64)
    logits = forward(config, weights, ids)
    json.dump(as_json_logits(ids, logits), sys.stdout)
    sys.stdout.write("\n")


def cmd_dtypes(path):
    values = torch.tensor(
        [[0.0, -0.0, 1.0, -2.5, 3.14159265, 65504.0, 1e-7, -6.1e-5], [0.1, 1e3, -1e-3, 7.0, 2.0**-24, 0.33333333, 100.5, -42.125]],
        dtype=torch.float32,
    )
    f16 = values.to(torch.float16)
    bf16 = values.to(torch.bfloat16)
    ints = torch.tensor([[0, 1, -1, 2147483647], [-2147483648, 12345, -678, 96]], dtype=torch.int64)
    write_safetensors(
        path,
        [
            ("f32", "F32", values.numpy()),
            ("f16", "F16", f16.numpy()),
            ("bf16", "BF16", bf16.view(torch.int16).numpy().view(np.uint16)),
            ("i64", "I64", ints.numpy()),
            ("i32", "I32", ints.to(torch.int32).numpy()),
            ("f64", "F64", values.to(torch.float64).numpy()),
        ],
        {"format": "pt", "note": "dtype conversion fixture"},
    )
    expected = {
        "f32": values.tolist(),
        "f16": f16.to(torch.float32).tolist(),
        "bf16": bf16.to(torch.float32).tolist(),
        "i64": ints.tolist(),
        "i32": ints.tolist(),
        "f64": values.tolist(),
    }
    with open(path + ".json", "w") as f:
        json.dump(expected, f)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="write a seeded random tiny Llama checkpoint + expected logits to this directory")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--check", help="load the checkpoint in this directory and print its logits as JSON")
    ap.add_argument("--ids", help="--check: token ids as a JSON [[...]] (default: the fixture's)")
    ap.add_argument("--dtypes", help="write a dtype-conversion safetensors fixture to this path")
    args = ap.parse_args()
    if not (args.out or args.check or args.dtypes):
        ap.error("one of --out, --check, --dtypes is required")
    torch.set_grad_enabled(False)
    if args.out:
        cmd_out(args.out, args.seed)
    if args.dtypes:
        cmd_dtypes(args.dtypes)
    if args.check:
        cmd_check(args.check, args.ids)


if __name__ == "__main__":
    main()
