"""The torch-vae, torch-clvae and torch-wclvae encoders: the Go encoders vae,
clvae and wclvae (plugins/encoders/vae) trained with PyTorch.

Same parameters, defaults and meaning as the Go plugins (docs/method.md,
"Encoders"), so that a grid can train both on the same cells:

  network   x -> hidden ReLU layers -> (mu, log sigma^2) in R^latent_dim;
            z = mu + sigma * eps; z -> reversed hidden ReLU layers -> logits.
            Glorot-uniform weights, zero biases (Glorot & Bengio 2010).
  loss      per batch of r rows: (gamma * sum_i Recon_i + beta * sum_i KL_i) / r
            (Kingma & Welling 2014). Recon: "bce" = softplus(l) - x*l per
            column (binary cross-entropy on logits), "mse" = (l - x)^2,
            "mixed" = per feature block (unit: bce, numeric: squared error,
            categorical: softmax cross-entropy); "auto" = bce when every
            feature block is unit, else mixed. reconstruction_reduction
            "mean" divides each row's sum by the number of columns.
            KL closed form 1/2 sum_j (sigma^2 + (mu - m_y)^2 - 1 - log sigma^2)
            or the one-sample form 1/2 sum_j ((z - m_y)^2 - log sigma^2 - 1)
            (Norlander & Sopasakis 2019); m_y = 0 for the VAE, the class's
            prior mean for the CL-VAE: "learned" (trainable, from zero),
            "circle" (class i at radius r, angle 2*pi*i/C in the first two
            coordinates) or explicit per-class lists.
  training  Adam (torch.optim.Adam, eps 1e-8), batches reshuffled every epoch,
            float32; the latent point is mu(x). Early stopping (patience
            early_stopping > 0) holds out a seeded share validation_fraction
            of the rows, computes their loss after every epoch with the same
            eps each time, stops after `patience` epochs without a lower one
            and keeps the weights of the best epoch, as the Go Train does.

Randomness (initial weights, shuffles, eps) comes from one torch.Generator
seeded with the call's seed, so a fit is deterministic for a seed on a given
machine; PyTorch runs on torch.set_num_threads($OMP_NUM_THREADS, default
every core the process may use, as the Go encoders do) threads, with
OMP_WAIT_POLICY=PASSIVE unless set (see import_torch). The Go and PyTorch
trainings draw different random numbers, so they agree in distribution over
seeds, not number for number; with the same weights, batches and eps they
agree step for step (torch_test.go in plugins/encoders/vae).
"""

import math
import os
import time

import numpy as np

from latentbench_sdk import Encoder, InvalidInput, Param
from latentbench.v1 import plugin_pb2 as pb

VARIANTS = ("vae", "clvae", "wclvae")

_DOCS = {
    "vae": "Dense VAE (Kingma & Welling 2014) in PyTorch, as the Go vae: prior N(0, I); the latent point is mu(x).",
    "clvae": "CL-VAE (Norlander & Sopasakis 2019) in PyTorch, as the Go clvae: one prior N(mu_y, I) per class y.",
    "wclvae": "Weighted CL-VAE (Norlander & Sopasakis 2019 §4) in PyTorch, as the Go wclvae: gamma = 0.3, beta = 1.",
}

_UNIT, _NUMERIC, _CATEGORICAL = "unit", "numeric", "categorical"
_KINDS = {pb.FEATURE_KIND_UNIT: _UNIT, pb.FEATURE_KIND_NUMERIC: _NUMERIC,
          pb.FEATURE_KIND_CATEGORICAL: _CATEGORICAL}

# Rows per chunk of the numpy forward pass of encode.
_ENCODE_CHUNK = 1024


def params_for(variant):
    """The parameter schema of a variant: the Go plugin's (plugins/encoders/vae/plugin.go)."""
    gamma = 0.3 if variant == "wclvae" else 1.0
    ps = [
        Param("latent_dim", int, 2, "dimension of the latent space"),
        Param("hidden", "int_list", [512], "widths of the encoder's ReLU layers (the decoder mirrors them)"),
        Param("epochs", int, 50, "passes over the training data"),
        Param("batch_size", int, 128, "mini-batch size"),
        Param("lr", float, 1e-3, "Adam learning rate"),
        Param("gamma", float, gamma, "weight gamma of the reconstruction term"),
        Param("beta", float, 1.0, "weight beta of the KL term"),
        Param("kl", str, "closed", "KL term: closed form or the paper's one-sample estimate",
              choices=("closed", "sample")),
        Param("reconstruction", str, "auto",
              "bce for [0,1] data, mse, mixed (squared error + per-block cross-entropy), auto = bce for [0,1] data, mixed otherwise",
              choices=("auto", "bce", "mse", "mixed")),
        Param("reconstruction_reduction", str, "sum",
              "reconstruction summed over features (Keras VAE example) or averaged", choices=("sum", "mean")),
        Param("early_stopping", int, 0, "patience in epochs on a held-out split; 0 = off"),
        Param("validation_fraction", float, 0.1, "share held out for early stopping"),
    ]
    if variant != "vae":
        ps += [
            Param("prior_means", "any", "learned",
                  'class prior means: "learned" (trainable, from 0), "circle" (radius r, angle 2πi/C) or a list of per-class lists'),
            Param("radius", float, 3.0, 'radius of the "circle" prior means'),
        ]
    return ps


def _finite(v):
    return not (math.isnan(v) or math.isinf(v))


def check_params(p, variant):
    """Validates resolved parameters as the Go Config.Validate does."""
    if p["early_stopping"] < 0:
        raise InvalidInput(f"early_stopping must be ≥ 0, got {p['early_stopping']}")
    vf = p["validation_fraction"]
    if p["early_stopping"] > 0 and not (0 < vf < 1):
        raise InvalidInput(f"validation_fraction must be in (0, 1) with early stopping, got {vf}")
    if p["latent_dim"] < 1:
        raise InvalidInput(f"latent_dim must be ≥ 1, got {p['latent_dim']}")
    if not p["hidden"]:
        raise InvalidInput("hidden needs at least one layer")
    for i, h in enumerate(p["hidden"]):
        if h < 1:
            raise InvalidInput(f"hidden[{i}] must be ≥ 1, got {h}")
    if p["epochs"] < 1:
        raise InvalidInput(f"epochs must be ≥ 1, got {p['epochs']}")
    if p["batch_size"] < 1:
        raise InvalidInput(f"batch_size must be ≥ 1, got {p['batch_size']}")
    if not (p["lr"] > 0 and _finite(p["lr"])):
        raise InvalidInput(f"lr must be positive and finite, got {p['lr']}")
    for name in ("gamma", "beta"):
        if not (p[name] >= 0 and _finite(p[name])):
            raise InvalidInput(f"{name} must be ≥ 0 and finite, got {p[name]}")


def prior_means(p, variant, num_classes):
    """The C×L initial prior means (float64) and whether they are trained;
    (None, False) for the VAE."""
    if variant == "vae":
        return None, False
    L, pm = p["latent_dim"], p["prior_means"]
    m = np.zeros((num_classes, L))
    if isinstance(pm, str):
        if pm == "learned":
            return m, True
        if pm != "circle":
            raise InvalidInput(f'prior_means {pm!r}: want "learned", "circle" or a list of per-class lists of numbers')
        r = p["radius"]
        if not (r > 0 and _finite(r)):
            raise InvalidInput(f"radius must be positive and finite, got {r}")
        if L < 2:
            raise InvalidInput(f'prior_means "circle" needs latent_dim ≥ 2, got {L}')
        for i in range(num_classes):
            a = 2 * math.pi * i / num_classes
            m[i, 0], m[i, 1] = r * math.cos(a), r * math.sin(a)
        return m, False
    if not isinstance(pm, list) or not pm:
        raise InvalidInput(f"prior_means must be a string or a list of lists, got {pm!r}")
    if len(pm) != num_classes:
        raise InvalidInput(f"{len(pm)} explicit prior means for {num_classes} classes")
    for i, row in enumerate(pm):
        if not isinstance(row, list):
            raise InvalidInput(f"prior_means[{i}] is not a list of numbers")
        if len(row) != L:
            raise InvalidInput(f"prior_means[{i}] has {len(row)} values, latent_dim is {L}")
        for j, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InvalidInput(f"prior_means[{i}][{j}] is not a number")
            if not _finite(float(v)):
                raise InvalidInput(f"prior_means[{i}] is not finite")
            m[i, j] = v
    return m, False


def loss_blocks(recon, d, features):
    """(start, width, kind) blocks covering the d columns, as the Go blocksFor."""
    if recon == "auto":
        recon = "bce"
        if any(_KINDS.get(f.kind) != _UNIT for f in features):
            recon = "mixed"
    if recon == "bce":
        return [(0, d, _UNIT)]
    if recon == "mse":
        return [(0, d, _NUMERIC)]
    if not features:
        raise InvalidInput('reconstruction "mixed" needs feature blocks')
    out, nxt = [], 0
    for f in sorted(features, key=lambda f: f.start):
        if f.start != nxt or f.width < 1:
            raise InvalidInput(f"feature block {f.name!r} (start {f.start}, width {f.width}) leaves a gap or overlaps at column {nxt}")
        if f.kind not in _KINDS:
            raise InvalidInput(f"feature block {f.name!r} has unknown kind {f.kind}")
        out.append((f.start, f.width, _KINDS[f.kind]))
        nxt += f.width
    if nxt != d:
        raise InvalidInput(f"feature blocks cover {nxt} columns, data has {d}")
    return out


def check_data(x, blocks, labels, num_classes, conditional):
    """Finite values, unit columns in [0, 1], labels in [0, num_classes)."""
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise InvalidInput(f"need n ≥ 1 and d ≥ 1, got {x.shape[0]}×{x.shape[1]}")
    bad = ~np.isfinite(x)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidInput(f"x[{i}, {j}] is {x[i, j]}")
    for start, width, kind in blocks:
        part = x[:, start:start + width]
        if kind == _UNIT and ((part < 0) | (part > 1)).any():
            i, j = np.argwhere((part < 0) | (part > 1))[0]
            raise InvalidInput(f'binary cross-entropy needs values in [0, 1]; x[{i}, {start + j}] is {part[i, j]} '
                               f'(use reconstruction "mse" or "mixed")')
    if not conditional:
        return
    if labels is None:
        raise InvalidInput("conditional (CL-VAE) training needs class labels, got none")
    if num_classes < 1:
        raise InvalidInput(f"conditional training needs num_classes ≥ 1, got {num_classes}")
    if labels.min() < 0 or labels.max() >= num_classes:
        raise InvalidInput(f"a label is outside [0, {num_classes})")


class TorchVAE(Encoder):
    """One variant ("vae", "clvae" or "wclvae") of the PyTorch encoder."""

    version = "1.0.0"

    def __init__(self, variant):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}")
        self.variant = variant
        self.name = "torch-" + variant
        self.doc = _DOCS[variant]
        self.params = params_for(variant)
        self.needs_labels = variant != "vae"

    def fit(self, x, params, call):
        check_params(params, self.variant)
        blocks = loss_blocks(params["reconstruction"], x.shape[1], call.features)
        conditional = self.variant != "vae"
        check_data(x, blocks, call.labels, call.num_classes, conditional)
        means, learned = prior_means(params, self.variant, call.num_classes)
        layers, trained_means = train(x, call.labels if conditional else None, means, learned, blocks, params,
                                      call.seed, lambda st: _report(call, params["epochs"], st))
        return {"format": "torch-vae/1", "variant": self.variant, "input_dim": int(x.shape[1]),
                "latent_dim": params["latent_dim"], "n_enc": len(params["hidden"]),
                "layers": layers, "prior_means": trained_means}

    def encode(self, model, x, params, call):
        if not isinstance(model, dict) or model.get("format") != "torch-vae/1":
            raise InvalidInput("model: not a torch-vae model")
        if x.shape[1] != model["input_dim"]:
            raise InvalidInput(f"model trained on {model['input_dim']} columns, got {x.shape[1]}")
        enc = model["layers"][:model["n_enc"] + 1]
        L = model["latent_dim"]
        out = np.empty((x.shape[0], L), dtype=np.float32)
        for off in range(0, x.shape[0], _ENCODE_CHUNK):
            h = x[off:off + _ENCODE_CHUNK].astype(np.float32, copy=False)
            for i, (w, b) in enumerate(enc):
                h = h @ w + b
                if i < len(enc) - 1:
                    np.maximum(h, 0, out=h)
            out[off:off + _ENCODE_CHUNK] = h[:, :L]
        return out


def _report(call, epochs, st):
    call.progress(st["epoch"], epochs, **{k: v for k, v in st.items() if k != "epoch"})
    call.log.info("epoch %d loss %.6g recon %.6g kl %.6g", st["epoch"], st["loss"], st["recon"], st["kl"])


def import_torch():
    """Imports torch (only to train: Describe and Encode start faster without
    it) with OMP_WAIT_POLICY=PASSIVE unless the environment sets a policy:
    OpenMP's default lets idle threads spin, and on a machine whose cores are
    shared with other cells (or with a second plugin process) the spinning
    threads take the cores the work needs. libgomp reads the variable when it
    is loaded, so it is set before the first import."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    return torch


def glorot_layers(torch, shapes, gen):
    """One (W in×out, b) pair of trainable float32 tensors per (fan_in,
    fan_out) shape: W ~ U(±sqrt(6 / (fan_in + fan_out))) (Glorot & Bengio
    2010), drawn from gen in layer order, row-major; b = 0. The Go newParams
    draws the same distribution (not PyTorch's nn.Linear default,
    kaiming_uniform(a=sqrt(5)) with a uniform bias)."""
    layers = []
    for fan_in, fan_out in shapes:
        lim = math.sqrt(6 / (fan_in + fan_out))
        w = torch.empty(fan_in, fan_out).uniform_(-lim, lim, generator=gen).requires_grad_()
        layers.append((w, torch.zeros(fan_out, requires_grad=True)))
    return layers


def layer_shapes(d, hidden, latent):
    """(fan_in, fan_out) of every layer: encoder hidden layers, the (mu, log
    sigma^2) head, decoder hidden layers, output layer."""
    shapes = list(zip([d] + hidden, hidden + [2 * latent]))
    return shapes + list(zip([latent] + hidden[::-1], hidden[::-1] + [d]))


class Net:
    """The network and loss of one training run on given tensors: weights
    [(W, b)] in layer_shapes order and, for the CL-VAE, the C×L prior means m
    (a float32 tensor; trainable when learned)."""

    def __init__(self, torch, weights, m, learned, blocks, p):
        self.torch, self.weights, self.m, self.blocks = torch, weights, m, blocks
        self.L, self.nenc = p["latent_dim"], len(p["hidden"])
        self.scale = 1.0 / weights[-1][0].shape[1] if p["reconstruction_reduction"] == "mean" else 1.0
        self.gamma, self.beta, self.sample = p["gamma"], p["beta"], p["kl"] == "sample"
        self.trainable = [t for wb in weights for t in wb] + ([m] if learned else [])

    def losses(self, xb, yb, eps):
        """Sums over the rows of the reconstruction and KL terms (before gamma
        and beta) as tensors; eps is the batch's r×L noise."""
        torch, L, nenc = self.torch, self.L, self.nenc
        h = xb
        for w, b in self.weights[:nenc]:
            h = torch.relu(h @ w + b)
        w, b = self.weights[nenc]
        mulv = h @ w + b
        mu, lv = mulv[:, :L], mulv[:, L:]
        z = mu + torch.exp(lv / 2) * eps
        h = z
        for i, (w, b) in enumerate(self.weights[nenc + 1:]):
            h = h @ w + b
            if i < nenc:
                h = torch.relu(h)
        recon = self.scale * reconstruction(torch, h, xb, self.blocks)
        prior = self.m[yb] if self.m is not None else 0
        if self.sample:
            kl = 0.5 * ((z - prior) ** 2 - lv - 1).sum()
        else:
            kl = 0.5 * (torch.exp(lv) + (mu - prior) ** 2 - 1 - lv).sum()
        return recon, kl

    def optimizer(self, lr):
        """Adam on the trainable tensors: PyTorch's defaults (betas 0.9,
        0.999, eps 1e-8, bias-corrected, no weight decay), which the Go adam
        reproduces."""
        return self.torch.optim.Adam(self.trainable, lr=lr)

    def step(self, opt, xb, yb, eps):
        """One Adam step on the batch, loss (gamma * recon + beta * KL) / r;
        returns the batch's summed recon and KL as floats. The gradients stay
        in the tensors' .grad until the next step."""
        recon, kl = self.losses(xb, yb, eps)
        loss = (self.gamma * recon + self.beta * kl) / xb.shape[0]
        opt.zero_grad(set_to_none=True)  # backward writes the gradients rather than adding to zeros
        loss.backward()
        opt.step()
        return recon.item(), kl.item()


def train(x, labels, means, learned, blocks, p, seed, report):
    """Trains the network and returns its layers [(W in×out, b)] as float32
    numpy arrays (encoder hidden layers, the (mu, log sigma^2) head, decoder
    hidden layers, output layer) and the C×L prior means (float64; None for
    the VAE). report(stats) is called after every epoch."""
    torch = import_torch()
    torch.set_num_threads(threads())
    gen = torch.Generator().manual_seed(seed)
    n, d = x.shape
    L = p["latent_dim"]
    weights = glorot_layers(torch, layer_shapes(d, list(p["hidden"]), L), gen)
    m = None
    if means is not None:
        m = torch.tensor(means, dtype=torch.float32, requires_grad=learned)
    net = Net(torch, weights, m, learned, blocks, p)
    opt = net.optimizer(p["lr"])
    X = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    Y = torch.from_numpy(labels.astype(np.int64)) if labels is not None else None
    gamma, beta = p["gamma"], p["beta"]
    bs, patience = p["batch_size"], p["early_stopping"]
    train_rows, val_rows = split_rows(torch, n, p, gen)

    def validate():
        vgen = torch.Generator().manual_seed(seed ^ 0x5EED)  # the same eps in every epoch
        total = 0.0
        with torch.no_grad():
            for off in range(0, len(val_rows), bs):
                rows = val_rows[off:off + bs]
                eps = torch.randn(len(rows), L, generator=vgen)
                recon, kl = net.losses(X[rows], Y[rows] if Y is not None else None, eps)
                total += gamma * recon.item() + beta * kl.item()
        return total / len(val_rows)

    best, best_state, wait = math.inf, None, 0
    nt = len(train_rows)
    for ep in range(1, p["epochs"] + 1):
        start = now()
        perm = train_rows[torch.randperm(nt, generator=gen)]
        sum_r = sum_k = 0.0
        for off in range(0, nt, bs):
            rows = perm[off:off + bs]
            eps = torch.randn(len(rows), L, generator=gen)
            r, k = net.step(opt, X[rows], Y[rows] if Y is not None else None, eps)
            if not _finite(gamma * r + beta * k):
                raise RuntimeError(f"loss is {gamma * r + beta * k} in epoch {ep} (batch at row {off} of the epoch; "
                                   f"reconstruction {r}, KL {k}): lower lr or check the data")
            sum_r, sum_k = sum_r + r, sum_k + k
        st = {"epoch": ep, "recon": sum_r / nt, "kl": sum_k / nt, "loss": (gamma * sum_r + beta * sum_k) / nt}
        stop = False
        if val_rows is not None:
            st["val_loss"] = validate()
            if st["val_loss"] < best:
                best, wait = st["val_loss"], 0
                best_state = [t.detach().clone() for t in net.trainable]
            else:
                wait += 1
                stop = wait >= patience
        st["seconds"] = now() - start
        report(st)
        if stop:
            break
    if best_state is not None:
        with torch.no_grad():
            for t, b in zip(net.trainable, best_state):
                t.copy_(b)
    layers = [(w.detach().numpy().copy(), b.detach().numpy().copy()) for w, b in weights]
    if m is None:
        return layers, None
    return layers, (m.detach().numpy().astype(np.float64) if learned else means)


def split_rows(torch, n, p, gen):
    """The rows trained on and, with early stopping, the rows held out (a
    seeded share validation_fraction, at least 1 and at most n - 1, sorted);
    None without early stopping."""
    if p["early_stopping"] <= 0:
        return torch.arange(n), None
    if n < 2:
        raise InvalidInput(f"early stopping needs at least 2 rows, got {n}")
    order = torch.randperm(n, generator=gen)
    nv = max(1, min(math.floor(p["validation_fraction"] * n + 0.5), n - 1))  # Go math.Round
    return order[:n - nv], torch.sort(order[n - nv:]).values


def reconstruction(torch, logits, x, blocks):
    """Sum over the batch of each row's reconstruction loss, per block:
    unit softplus(l) - x*l, numeric (l - x)^2, categorical
    (sum x)*logsumexp(l) - sum x*l (the Go reconOp)."""
    total = 0
    for start, width, kind in blocks:
        lb, xb = logits[:, start:start + width], x[:, start:start + width]
        if kind == _UNIT:
            total = total + (torch.nn.functional.softplus(lb) - xb * lb).sum()
        elif kind == _NUMERIC:
            total = total + ((lb - xb) ** 2).sum()
        else:
            total = total + (xb.sum(1) * torch.logsumexp(lb, 1) - (xb * lb).sum(1)).sum()
    return total


def threads():
    """The number of PyTorch threads: $OMP_NUM_THREADS, else every core this
    process may run on, as the Go encoders use every core (GOMAXPROCS)."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        if hasattr(os, "sched_getaffinity"):
            return max(1, len(os.sched_getaffinity(0)))
        return os.cpu_count() or 1


def now():
    return time.perf_counter()
