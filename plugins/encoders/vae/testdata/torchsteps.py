#!/usr/bin/python3
"""The PyTorch side of TestTorchSameSteps (torch_test.go): trains the
torch-vae network (plugins/encoders/torch-vae/torchvae.py: its Net, loss,
Adam and initialiser, not a copy of them) for a few steps from the weights,
batches and eps the Go test chose, and reports what the Go test compares.

    /usr/bin/python3 torchsteps.py IN.json OUT.json

IN.json: {"cases": [case, ...], "init": {"seed": s, "d": d, "hidden": [...],
"latent": L}}; a case is {"name", "params" (latent_dim, hidden, gamma, beta,
kl, reconstruction_reduction, lr), "blocks": [[start, width, kind], ...],
"layers": [{"in", "out", "w" (in*out, row-major), "b"}], "means" (C*L, row-
major, or null), "classes", "learned", "d", "x" (n*d), "labels" (n or null),
"batches": [[row, ...], ...], "eps": [[r*L values], ...]}.

OUT.json: {"cases": [{"name", "sums": [[recon, kl] per step], "grads0":
[first step's gradient per trainable tensor, flattened, in the Go trainable
order: W0, b0, W1, b1, ..., means], "final": [trainable tensors after the
last step, same order]}], "init": [{"in", "out", "n", "min", "max", "mean",
"var", "bias_max_abs"} per layer of glorot_layers on init's shapes]}.
"""

import json
import os
import sys

here = os.path.dirname(os.path.realpath(__file__))
sys.path[:0] = [os.path.join(here, "..", "..", "torch-vae"), os.path.join(here, "..", "..", "..", "..", "sdk", "python")]
import torchvae  # noqa: E402


def run_case(torch, c):
    L, d = c["params"]["latent_dim"], c["d"]
    weights = []
    for l in c["layers"]:
        w = torch.tensor(l["w"], dtype=torch.float32).reshape(l["in"], l["out"]).requires_grad_()
        weights.append((w, torch.tensor(l["b"], dtype=torch.float32).requires_grad_()))
    m = None
    if c["means"] is not None:
        m = torch.tensor(c["means"], dtype=torch.float32).reshape(c["classes"], L).requires_grad_(c["learned"])
    net = torchvae.Net(torch, weights, m, c["learned"], [tuple(b) for b in c["blocks"]], c["params"])
    opt = net.optimizer(c["params"]["lr"])
    X = torch.tensor(c["x"], dtype=torch.float32).reshape(-1, d)
    Y = torch.tensor(c["labels"], dtype=torch.int64) if c["labels"] is not None else None
    sums, grads0 = [], None
    for rows, eps in zip(c["batches"], c["eps"]):
        rows = torch.tensor(rows, dtype=torch.int64)
        e = torch.tensor(eps, dtype=torch.float32).reshape(len(rows), L)
        sums.append(net.step(opt, X[rows], Y[rows] if Y is not None else None, e))
        if grads0 is None:
            grads0 = [t.grad.reshape(-1).tolist() for t in net.trainable]
    final = [t.detach().reshape(-1).tolist() for t in net.trainable]
    return {"name": c["name"], "sums": sums, "grads0": grads0, "final": final}


def init_stats(torch, spec):
    gen = torch.Generator().manual_seed(spec["seed"])
    shapes = torchvae.layer_shapes(spec["d"], spec["hidden"], spec["latent"])
    out = []
    for (fi, fo), (w, b) in zip(shapes, torchvae.glorot_layers(torch, shapes, gen)):
        w = w.detach().double()
        out.append({"in": fi, "out": fo, "n": w.numel(), "min": w.min().item(), "max": w.max().item(),
                    "mean": w.mean().item(), "var": w.var(unbiased=False).item(),
                    "bias_max_abs": b.detach().abs().max().item()})
    return out


def main():
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    torch = torchvae.import_torch()
    torch.set_num_threads(1)
    out = {"cases": [run_case(torch, c) for c in spec["cases"]], "init": init_stats(torch, spec["init"])}
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
