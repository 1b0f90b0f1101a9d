#!/usr/bin/env python3
"""PyTorch side of bench/multiclass.mjs: a persistent worker that answers JSON lines on stdin/stdout.

The Node script spawns this once and alternates its requests with the losskit contenders, so that both sides are
timed under the same load. The losses are MONAI's formulas written out by hand (MONAI is not installed here):
channels-first, softmax or sigmoid over the channels, per-sample per-class sums over the spatial axes, smoothing
1e-5 in numerator and denominator, mean over the groups. Inputs are generated here from the same lowbias32 recipe
as the Node side (../shared/bench/README.md), so no data crosses the pipe; the loss values are compared by
the caller.

Requests (one JSON object a line) and answers:
  {"op": "hello"}                      -> {"torch": ..., "python": ..., "numpy": ..., "threads": 1}
  {"op": "setup", "id": k, "case": {...}} -> {"value": v, "ms": ms of the first (warm-up) call,
                                               "ref64": the same loss in float64}
  {"op": "run", "id": k, "calls": n}   -> {"ms": mean wall ms per call over the n calls, "cpu": the same in
                                           process CPU time, "value": v}
  {"op": "drop", "id": k}              -> {}
An error answers {"error": "..."}; end of input ends the worker.
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# Both contenders run one thread: tfjs-wasm in Node is single-threaded, and the machine is shared.
torch.set_num_threads(1)
torch.set_num_interop_threads(1)

SMOOTH = 1e-5


def lowbias32(x):
    """The shared hash on uint32 arrays (numpy's uint32 multiply wraps modulo 2^32, as Math.imul does)."""
    x = x.astype(np.uint32)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def uniform(s, n):
    """u_s(i) = (lowbias32(4i + s) >>> 8) / 2^24 for i < n, in float64 (exact in float32)."""
    i = np.arange(n, dtype=np.uint64) * 4 + s
    return (lowbias32(i) >> np.uint32(8)).astype(np.float64) / 2.0**24


def make_inputs(shape):
    """Channels-last logits 8·u0 − 4 and labels ⌊C·u1(pixel)⌋, moved to channels-first as MONAI expects."""
    C = shape[-1]
    n = int(np.prod(shape))
    pixels = n // C
    logits = (8 * uniform(0, n) - 4).astype(np.float32).reshape(shape)
    labels = np.floor(C * uniform(1, pixels)).astype(np.int64).reshape(shape[:-1])
    last = len(shape) - 1
    x = torch.from_numpy(logits).permute(0, last, *range(1, last)).contiguous()
    y = torch.from_numpy(labels)
    return x, y


def one_hot(labels, C, dtype=torch.float32):
    """MONAI's one_hot: scatter along a new channel axis 1."""
    out = torch.zeros((labels.shape[0], C, *labels.shape[1:]), dtype=dtype)
    return out.scatter_(1, labels.unsqueeze(1), 1.0)


def build(case, dtype=torch.float32):
    """The case's call: value and gradient w.r.t. the logits, value read back (the same unit of work as Node).
    In float64 it gives the reference value that tells which side a disagreement comes from."""
    x0, labels = make_inputs(case["shape"])
    x0 = x0.to(dtype)
    C = x0.shape[1]
    axes = list(range(2, x0.ndim))
    sparse = case.get("sparse", False)
    dense = None if sparse else one_hot(labels, C, dtype)
    sparse_y = labels.unsqueeze(1) if sparse else None
    loss = case["loss"]
    alpha, beta, gamma = case.get("alpha", 0.3), case.get("beta", 0.7), case.get("gamma", 0.75)

    def target():
        # MONAI DiceLoss(to_onehot_y=True) one-hot encodes inside the loss: it is part of the timed work.
        return one_hot(sparse_y[:, 0], C, dtype) if sparse else dense

    def probs(x):
        return torch.softmax(x, 1) if case["activation"] == "softmax" else torch.sigmoid(x)

    def dice(x, g):
        p = probs(x)
        inter = torch.sum(p * g, axes)
        den = torch.sum(p, axes) + torch.sum(g, axes)
        return torch.mean(1.0 - (2.0 * inter + SMOOTH) / (den + SMOOTH))

    def tversky_index(x, g):
        p = probs(x)
        tp = torch.sum(p * g, axes)
        fp = torch.sum(p * (1 - g), axes)
        fn = torch.sum((1 - p) * g, axes)
        return (tp + SMOOTH) / (tp + alpha * fp + beta * fn + SMOOTH)

    def generalized_dice(x, g):
        p = probs(x)
        inter = torch.sum(p * g, axes)
        ground = torch.sum(g, axes)
        pred = torch.sum(p, axes)
        w = 1.0 / (ground * ground)
        # MONAI: an absent class takes the largest finite weight of its sample.
        infs = torch.isinf(w)
        w = torch.where(infs, torch.zeros_like(w), w)
        w = w + infs * torch.max(w, 1, keepdim=True)[0]
        numer = 2.0 * torch.sum(inter * w, 1) + SMOOTH
        denom = torch.sum((ground + pred) * w, 1) + SMOOTH
        return torch.mean(1.0 - numer / denom)

    def tversky(x, g):
        return torch.mean(1.0 - tversky_index(x, g))

    def focal_tversky(x, g):
        return torch.mean(torch.pow(1.0 - tversky_index(x, g), gamma))

    def dice_ce(x, g):
        # MONAI DiceCELoss: a float one-hot target with C channels goes to CrossEntropyLoss as class probabilities.
        return dice(x, g) + F.cross_entropy(x, g)

    losses = {
        "dice": dice,
        "tversky": tversky,
        "focalTversky": focal_tversky,
        "generalizedDice": generalized_dice,
        "diceCe": dice_ce,
    }
    if loss not in losses:
        raise ValueError(f"unknown loss {loss}")
    fn = losses[loss]

    x = x0.clone().requires_grad_(True)

    def call():
        value = fn(x, target())
        (grad,) = torch.autograd.grad(value, x)
        del grad
        return value.item()

    return call


def main():
    cases = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "hello":
                out = {
                    "torch": torch.__version__,
                    "python": sys.version.split()[0],
                    "numpy": np.__version__,
                    "threads": torch.get_num_threads(),
                }
            elif op == "setup":
                call = build(req["case"])
                t0 = time.perf_counter()
                value = call()
                ms = (time.perf_counter() - t0) * 1e3
                out = {"value": value, "ms": ms, "ref64": build(req["case"], torch.float64)()}
                cases[req["id"]] = call
            elif op == "run":
                call = cases[req["id"]]
                n = int(req["calls"])
                c0 = time.process_time()
                t0 = time.perf_counter()
                for _ in range(n):
                    value = call()
                ms = (time.perf_counter() - t0) * 1e3 / n
                out = {"ms": ms, "cpu": (time.process_time() - c0) * 1e3 / n, "value": value}
            elif op == "drop":
                cases.pop(req["id"], None)
                out = {}
            else:
                raise ValueError(f"unknown op {op}")
        except Exception as e:  # answer, so that the Node side reports it instead of hanging
            out = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
