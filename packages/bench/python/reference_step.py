"""The reference train step of semix's speed suite, in PyTorch, for comparison on the same machine.

Same work as @semix/core's createReferenceStep: batch of 28x28x1, encoder conv3x3(16)-ReLU-maxpool2 ->
conv3x3(32)-ReLU-maxpool2 -> dense(64)-ReLU, linear head to 10 classes, Adam; loss = soft-label cross-entropy on
the input-mixup batch + 0.1 * MSE between f(mixed) and lam*f(x) + (1-lam)*f(x[perm]); two forward passes, one
backward. Prints one JSON line. Usage: python3 reference_step.py [--batch 128] [--seconds 3] [--threads N]
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
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 64)
        self.head = nn.Linear(64, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.fc(torch.flatten(x, 1)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = CnnSmall()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    y = F.one_hot(torch.randint(0, 10, (args.batch,)), 10).float()

    def step():
        lam = float(torch.distributions.Beta(1.0, 1.0).sample())
        perm = torch.randperm(args.batch)
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

    for _ in range(3):
        step()
    # The median step, as semix's speed suite reports (robust to bursts of noise on shared machines); the mean too.
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds or len(times) < 3:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    mean = sum(times) / len(times)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "steps": len(times),
        "ms_per_step": 1000 * median,
        "samples_per_s": args.batch / median,
        "mean_ms_per_step": 1000 * mean,
    }))


if __name__ == "__main__":
    main()
