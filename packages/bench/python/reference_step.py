"""The train and eval steps of semix's speed suite, in PyTorch, for comparison on the same machine.

Same work as @semix/core's createReferenceStep: soft-label cross-entropy on the input-mixup batch (lam ~ Beta(1, 1),
partners by a random permutation) + 0.1 * MSE between f(mixed) and lam*f(x) + (1-lam)*f(x[perm]); two forward
passes (batch norm in training mode), one backward, Adam. The eval step is the logits of a batch in eval mode
(running batch-norm statistics), without autograd. Models as @semix/core builds them:

- cnn-small (28x28x1): conv3x3(16)-ReLU-maxpool2 -> conv3x3(32)-ReLU-maxpool2 -> dense(64)-ReLU, linear head
- mlp (28x28x1): dense(256)-ReLU -> dense(256)-ReLU, linear head (hidden size x width)
- preact-resnet18 (32x32x3): He et al. 2016's pre-activation ResNet-18 with 64, 128, 256, 512 channels x width
  (default 0.25), convolutions without bias, 1x1 convolution shortcuts where the shape changes, BN-ReLU, global
  average pooling, linear head

Prints one JSON line per (model, step). Usage:
  python3 reference_step.py [--batch 128] [--seconds 3] [--threads N] [--models cnn-small,preact-resnet18]
      [--steps train,eval] [--width 0.25]
The last line is cnn-small's train step when it is timed (older callers read only that one).
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CnnSmall(nn.Module):
    input_shape = (1, 28, 28)

    def __init__(self, width=1.0):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 64)
        self.head = nn.Linear(64, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.fc(torch.flatten(x, 1)))


class Mlp(nn.Module):
    input_shape = (1, 28, 28)

    def __init__(self, width=1.0):
        super().__init__()
        hidden = max(1, round(256 * width))
        self.fc1 = nn.Linear(28 * 28, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.head = nn.Linear(hidden, 10)

    def features(self, x):
        return F.relu(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))))


class PreActBlock(nn.Module):
    def __init__(self, in_planes, planes, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.shortcut = (
            nn.Conv2d(in_planes, planes, 1, stride, bias=False) if stride != 1 or in_planes != planes else None
        )

    def forward(self, x):
        out = F.relu(self.bn1(x))
        skip = self.shortcut(out) if self.shortcut is not None else x
        h = self.conv1(out)
        return self.conv2(F.relu(self.bn2(h))) + skip


class PreActResNet18(nn.Module):
    input_shape = (3, 32, 32)

    def __init__(self, width=0.25):
        super().__init__()
        planes = [max(1, round(p * width)) for p in (64, 128, 256, 512)]
        self.conv1 = nn.Conv2d(3, planes[0], 3, 1, 1, bias=False)
        blocks, in_planes = [], planes[0]
        for s, out in enumerate(planes):
            for b in range(2):
                blocks.append(PreActBlock(in_planes, out, 2 if b == 0 and s > 0 else 1))
                in_planes = out
        self.layers = nn.Sequential(*blocks)
        self.bn = nn.BatchNorm2d(in_planes)
        self.head = nn.Linear(in_planes, 10)

    def features(self, x):
        return F.relu(self.bn(self.layers(self.conv1(x)))).mean((2, 3))


MODELS = {"cnn-small": CnnSmall, "mlp": Mlp, "preact-resnet18": PreActResNet18}


def time_steps(step, seconds):
    for _ in range(3):
        step()
    # The median step, as semix's speed suite reports (robust to bursts of noise on shared machines); the mean too.
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 3:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def measure(name, kind, batch, width, seconds):
    torch.manual_seed(0)
    model = MODELS[name](width) if name == "preact-resnet18" or width != 1.0 else MODELS[name]()
    x = torch.rand(batch, *model.input_shape)
    if kind == "eval":
        model.eval()

        def step():
            with torch.no_grad():
                return float(model.head(model.features(x)).sum())
    else:
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        y = F.one_hot(torch.randint(0, 10, (batch,)), 10).float()

        def step():
            lam = float(torch.distributions.Beta(1.0, 1.0).sample())
            perm = torch.randperm(batch)
            x_mixed = lam * x + (1 - lam) * x[perm]
            y_mixed = lam * y + (1 - lam) * y[perm]
            z_mixed = model.features(x_mixed)
            ce = -(y_mixed * F.log_softmax(model.head(z_mixed), 1)).sum(1).mean()
            z = model.features(x)
            sem = F.mse_loss(z_mixed, lam * z + (1 - lam) * z[perm])
            loss = ce + 0.1 * sem
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.item()

    times = time_steps(step, seconds)
    median = statistics.median(times)
    return {
        "model": name,
        "step": kind,
        "width": width if name == "preact-resnet18" else 1.0,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": batch,
        "steps": len(times),
        "ms_per_step": 1000 * median,
        "min_ms_per_step": 1000 * min(times),
        "max_ms_per_step": 1000 * max(times),
        "samples_per_s": batch / median,
        "mean_ms_per_step": 1000 * sum(times) / len(times),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--models", default="cnn-small")
    parser.add_argument("--steps", default="train")
    parser.add_argument("--width", type=float, default=0.25, help="preact-resnet18's width multiplier")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    runs = [(m, k) for m in args.models.split(",") for k in args.steps.split(",")]
    for m, _ in runs:
        if m not in MODELS:
            parser.error(f"--models: unknown model '{m}'; allowed: {', '.join(MODELS)}")
    for _, k in runs:
        if k not in ("train", "eval"):
            parser.error(f"--steps: unknown step '{k}'; allowed: train, eval")
    # cnn-small's train step last: callers that read only the last line get the reference step.
    runs.sort(key=lambda r: r == ("cnn-small", "train"))
    for m, k in runs:
        width = args.width if m == "preact-resnet18" else 1.0
        print(json.dumps(measure(m, k, args.batch, width, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
