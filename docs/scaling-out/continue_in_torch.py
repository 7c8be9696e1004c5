#!/usr/bin/env python3
"""Continue training a QuarkMed (Hugging Face Llama-format) checkpoint in plain PyTorch, and write it back.

This is the small, dependency-free version of "continue in TRL / verl": it needs only PyTorch and NumPy (Debian's
python3-torch; no transformers, no safetensors package: the format is read and written by hand), so it runs on
any machine that has torch. With transformers installed, `LlamaForCausalLM.from_pretrained(DIR)` reads the same
directory and TRL's trainers take it from there (see docs/guides/scaling-out.md).

What it does:
  1. reads DIR/config.json and DIR/model.safetensors (safetensors: an 8-byte little-endian header length, a JSON
     header {name: {dtype, shape, data_offsets}}, then the raw little-endian tensor bytes);
  2. builds the Llama forward from the architecture (embedding -> per layer [RMSNorm -> GQA attention with
     rotate_half RoPE, causal -> residual -> RMSNorm -> SwiGLU MLP -> residual] -> RMSNorm -> lm_head or the
     tied embedding), weights in Hugging Face layout (linear weights [out, in], y = x @ W.T), float32;
  3. trains --steps full-batch AdamW steps of the causal LM loss (Hugging Face convention: predict token t+1 from
     the tokens up to t; padding labels ignored) on token ids (JSONL, one {"input_ids": [...]} per line, made by the
     checkpoint's own tokenizer: `tokenizer.encode(text)` in TypeScript or tokenizers/transformers in Python);
  4. writes OUT/model.safetensors (F32, the same tensor names), OUT/config.json (the same config) and copies the
     tokenizer files, each file written to a temporary name and renamed into place;
  5. prints one JSON object: loss before and after, and the logits of the first sequence after training (so a
     caller can check that another implementation loading OUT computes the same thing).

Usage (from the repository root):
  /usr/bin/python3 docs/scaling-out/continue_in_torch.py --checkpoint runs/quickstart/stages/rl2 \
      --ids train-ids.jsonl --steps 50 --lr 1e-3 --out runs/torch-continued

Refused, never ignored: rope_scaling / rope_parameters, attention or MLP biases, MoE, non-silu activations
(this script implements plain Llama only; load such checkpoints with transformers instead).
"""
import argparse
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

# The Llama building blocks are shared with the PyTorch reference that @quarkmed/model's tests are checked against
# (packages/model/scripts/llama_reference.py): the repository's copy, found from this file's place in it. That
# reference's forward() is float64 and derives head_dim from hidden_size, so the float32, head_dim-aware forward
# below stays here; RMSNorm, rotate_half and the RoPE angles are the reference's own.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "model", "scripts"))
from llama_reference import rms_norm, rope_cos_sin, rotate_half  # noqa: E402

_NP_DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I32": np.int32, "I64": np.int64}
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json")


class CheckpointError(Exception):
    """A checkpoint this script cannot read, naming the file and the field or tensor."""


def read_safetensors(path):
    """Returns ({name: float32 torch tensor}, metadata dict)."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 8:
        raise CheckpointError(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", buf[:8])
    if 8 + n > len(buf):
        raise CheckpointError(f"{path}: header length {n} runs past the end of the file ({len(buf)} bytes)")
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    metadata = header.pop("__metadata__", {}) or {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        if base + end > len(buf):
            raise CheckpointError(f"{path}: tensor {name} runs past the end of the file")
        chunk = buf[base + begin : base + end]
        if e["dtype"] == "BF16":
            arr = (np.frombuffer(chunk, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif e["dtype"] in _NP_DTYPES:
            arr = np.frombuffer(chunk, dtype=np.dtype(_NP_DTYPES[e["dtype"]]).newbyteorder("<"))
        else:
            raise CheckpointError(f"{path}: tensor {name} has dtype {e['dtype']}, not one of F32/F16/BF16/F64/I32/I64")
        out[name] = torch.from_numpy(arr.reshape(e["shape"]).astype(np.float32))
    return out, metadata


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, float32 torch tensor); written F32, little-endian, 8-byte aligned header."""
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in tensors:
        data = np.ascontiguousarray(t.detach().cpu().numpy().astype("<f4")).tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json_atomic(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check_config(config, path):
    if config.get("model_type", "llama") != "llama" or config.get("architectures", ["LlamaForCausalLM"]) != ["LlamaForCausalLM"]:
        raise CheckpointError(f"{path}: architectures/model_type: only LlamaForCausalLM is implemented here")
    for key in ("rope_scaling", "rope_parameters", "num_local_experts"):
        if config.get(key) is not None:
            raise CheckpointError(f"{path}: {key}: not implemented by this script (use transformers)")
    for key in ("attention_bias", "mlp_bias"):
        if config.get(key):
            raise CheckpointError(f"{path}: {key}: biases are not implemented by this script (use transformers)")
    if config.get("hidden_act", "silu") != "silu":
        raise CheckpointError(f"{path}: hidden_act: only silu is implemented")


def load_checkpoint(d):
    config_path = os.path.join(d, "config.json")
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    check_config(config, config_path)
    if os.path.exists(os.path.join(d, "model.safetensors.index.json")):
        with open(os.path.join(d, "model.safetensors.index.json"), encoding="utf-8") as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    weights = {}
    for file in files:
        w, _ = read_safetensors(os.path.join(d, file))
        weights.update(w)
    return config, weights


def forward(config, w, ids):
    """ids: int64 [B, T] -> float32 logits [B, T, V] (right padding is harmless: attention is causal)."""
    n_heads = config["num_attention_heads"]
    n_kv = config.get("num_key_value_heads", n_heads)
    head_dim = config.get("head_dim") or config["hidden_size"] // n_heads
    eps = config.get("rms_norm_eps", 1e-6)
    theta = config.get("rope_theta", 10000.0)
    b, t = ids.shape
    cos, sin = (c.float() for c in rope_cos_sin(t, head_dim, theta))
    causal = torch.full((t, t), float("-inf")).triu(1)

    x = w["model.embed_tokens.weight"][ids]
    for layer in range(config["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        hn = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (hn @ w[p + "self_attn.q_proj.weight"].T).view(b, t, n_heads, head_dim).transpose(1, 2)
        k = (hn @ w[p + "self_attn.k_proj.weight"].T).view(b, t, n_kv, head_dim).transpose(1, 2)
        v = (hn @ w[p + "self_attn.v_proj.weight"].T).view(b, t, n_kv, head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = n_heads // n_kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        attn = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(head_dim) + causal, dim=-1) @ v
        x = x + attn.transpose(1, 2).reshape(b, t, n_heads * head_dim) @ w[p + "self_attn.o_proj.weight"].T
        hn = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = hn @ w[p + "mlp.gate_proj.weight"].T
        up = hn @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if config.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def read_ids(path):
    seqs = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                ids = json.loads(line)["input_ids"]
            except (ValueError, KeyError) as e:
                raise SystemExit(f"{path}:{n}: expected a JSON object with input_ids ({e})")
            if len(ids) < 2:
                raise SystemExit(f"{path}:{n}: input_ids needs at least 2 tokens")
            seqs.append(ids)
    if not seqs:
        raise SystemExit(f"{path}: no sequences")
    return seqs


def batch(seqs, vocab):
    t = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), t), dtype=torch.int64)
    labels = torch.full((len(seqs), t), -100, dtype=torch.int64)
    for i, s in enumerate(seqs):
        if max(s) >= vocab or min(s) < 0:
            raise SystemExit(f"sequence {i}: token id out of range for vocab_size {vocab}")
        ids[i, : len(s)] = torch.tensor(s)
        labels[i, : len(s)] = torch.tensor(s)
    return ids, labels


def lm_loss(config, w, ids, labels):
    logits = forward(config, w, ids)[:, :-1]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--checkpoint", required=True, help="input directory: config.json + model.safetensors (+ tokenizer.json)")
    ap.add_argument("--ids", required=True, help="JSONL of {\"input_ids\": [...]} made by the checkpoint's tokenizer")
    ap.add_argument("--out", required=True, help="output directory (created; files replaced one by one)")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)

    try:
        config, weights = load_checkpoint(args.checkpoint)
    except CheckpointError as e:
        raise SystemExit(str(e))
    names = list(weights)
    params = {k: v.clone().requires_grad_(True) for k, v in weights.items()}
    ids, labels = batch(read_ids(args.ids), config["vocab_size"])
    opt = torch.optim.AdamW(params.values(), lr=args.lr, weight_decay=args.weight_decay)
    with torch.no_grad():
        loss_before = lm_loss(config, params, ids, labels).item()
    for _ in range(args.steps):
        opt.zero_grad()
        loss = lm_loss(config, params, ids, labels)
        loss.backward()
        opt.step()
    with torch.no_grad():
        loss_after = lm_loss(config, params, ids, labels).item()
        first = ids[:1, : int((labels[0] != -100).sum())]
        logits = forward(config, params, first)[0]

    os.makedirs(args.out, exist_ok=True)
    write_safetensors(os.path.join(args.out, "model.safetensors"), [(k, params[k]) for k in names], {"format": "pt"})
    out_config = {k: v for k, v in config.items() if k != "quarkmed_save_id"}  # a new save: ours carried an id of its own
    write_json_atomic(os.path.join(args.out, "config.json"), out_config)
    for name in TOKENIZER_FILES:
        src = os.path.join(args.checkpoint, name)
        if os.path.exists(src) and os.path.abspath(src) != os.path.abspath(os.path.join(args.out, name)):
            shutil.copyfile(src, os.path.join(args.out, name + ".tmp"))
            os.replace(os.path.join(args.out, name + ".tmp"), os.path.join(args.out, name))
    json.dump({"steps": args.steps, "loss_before": loss_before, "loss_after": loss_after,
               "probe_ids": first[0].tolist(), "probe_logits": logits.tolist()}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
