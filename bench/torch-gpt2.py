"""PyTorch eager GPT-2 forward for bench/cpu-backends.ts, on the weights that bench wrote.

usage: OPENBLAS_NUM_THREADS=n OMP_NUM_THREADS=n MKL_NUM_THREADS=n python3 bench/torch-gpt2.py MANIFEST.json WEIGHTS.f32 n
One process per thread count: Debian's torch does its GEMMs in libopenblas0-pthread, whose pool
size is fixed by OPENBLAS_NUM_THREADS when the library loads and is not changed by
torch.set_num_threads, so the bench starts this script once per count with the variables set.
The manifest lists every tensor (name, shape, offset in f32 values) in Probescope's layout
([out, in] matrices) and the token ids. Then one command per stdin line:
  run     -> one forward (logits at every position and the mean next-token loss, what
             Probescope's run() returns); prints {"seconds": wall s, "cpu": process CPU s}
  logits  -> prints {"last": [...]} the last position's logits (to check the weights match)
  threads -> prints {"torch": torch.get_num_threads(), "os": OS threads of this process}
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_grad_enabled(False)
torch.set_num_threads(int(sys.argv[3]))
manifest = json.load(open(sys.argv[1]))
raw = np.fromfile(sys.argv[2], dtype=np.float32)
W = {t["name"]: torch.from_numpy(raw[t["offset"]:t["offset"] + int(np.prod(t["shape"]))].reshape(t["shape"])) for t in manifest["tensors"]}
L, H, d, eps = manifest["nLayers"], manifest["nHeads"], manifest["dModel"], manifest["eps"]
dh = d // H
ids = torch.tensor(manifest["ids"], dtype=torch.long)


def forward(ids):
    T = ids.shape[0]
    x = W["embed"][ids] + W["posEmbed"][:T]
    mask = torch.full((T, T), float("-inf")).triu(1)
    for l in range(L):
        p = f"blocks.{l}."
        h = F.layer_norm(x, (d,), W[p + "ln1.w"], W[p + "ln1.b"], eps)
        q = F.linear(h, W[p + "wQ"], W[p + "bQ"]).view(T, H, dh).transpose(0, 1)
        k = F.linear(h, W[p + "wK"], W[p + "bK"]).view(T, H, dh).transpose(0, 1)
        v = F.linear(h, W[p + "wV"], W[p + "bV"]).view(T, H, dh).transpose(0, 1)
        att = torch.softmax(q @ k.transpose(-1, -2) * (1 / math.sqrt(dh)) + mask, dim=-1)
        z = (att @ v).transpose(0, 1).reshape(T, d)
        x = x + F.linear(z, W[p + "wO"], W[p + "bO"])
        h = F.layer_norm(x, (d,), W[p + "ln2.w"], W[p + "ln2.b"], eps)
        x = x + F.linear(F.gelu(F.linear(h, W[p + "wIn"], W[p + "bIn"]), approximate="tanh"), W[p + "wOut"], W[p + "bOut"])
    x = F.layer_norm(x, (d,), W["lnFinal.w"], W["lnFinal.b"], eps)
    return F.linear(x, W["unembed"])


def os_threads():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


forward(ids)  # warm-up
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "run":
        t0, c0 = time.perf_counter(), time.process_time()
        logits = forward(ids)
        loss = F.cross_entropy(logits[:-1], ids[1:])
        t1, c1 = time.perf_counter(), time.process_time()
        print(json.dumps({"seconds": t1 - t0, "cpu": c1 - c0, "loss": loss.item()}), flush=True)
    elif cmd[0] == "logits":
        print(json.dumps({"last": forward(ids)[-1].tolist()}), flush=True)
    elif cmd[0] == "threads":
        print(json.dumps({"torch": torch.get_num_threads(), "os": os_threads()}), flush=True)
