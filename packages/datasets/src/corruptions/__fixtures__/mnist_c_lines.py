"""Writes mnist_c_lines.json: what google-research/mnist-c's own corruptions.py draws for dotted_line and zigzag.

Regenerate (numpy only; the reference's other imports are not needed):

    git clone https://github.com/google-research/mnist-c /tmp/mnist-c   # corruptions.py as of aa07569 (2019)
    python3 packages/datasets/src/corruptions/__fixtures__/mnist_c_lines.py /tmp/mnist-c \
        > packages/datasets/src/corruptions/__fixtures__/mnist_c_lines.json

The reference's functions are loaded from that checkout (nothing of it is copied here) and run with their random
draws fixed: np.random.randint is replaced by a source that returns the listed draws in order.
"""

import ast
import json
import sys

import numpy as np

if not hasattr(np, "int"):
    np.int = int  # corruptions.py uses np.int, removed in numpy 1.24

SOURCE = sys.argv[1].rstrip("/") + "/corruptions.py"
tree = ast.parse(open(SOURCE).read())
wanted = ("line_from_points", "dotted_line", "zigzag")
ref = {"np": np}
body = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in wanted]
exec(compile(ast.Module(body=body, type_ignores=[]), SOURCE, "exec"), ref)


def run(name, image, draws):
    """corruptions.<name>(image) with np.random.randint returning `draws` in order; output in [0, 255]."""
    queue = list(draws)
    original = np.random.randint
    np.random.randint = lambda *args, **kwargs: queue.pop(0)
    try:
        return np.asarray(ref[name](image), dtype=np.float64)
    finally:
        np.random.randint = original


def dotted(r0, r1):
    return ("dotted_line", [np.array([r0, r1])])  # dotted_line draws both rows in one call (size=2)


def zigzag(r0, offset):
    return ("zigzag", [r0, offset])  # r0 = randint(0, 27), then r1 = r0 + randint(-5, 5)


blank = np.zeros((28, 28))
gray = np.full((28, 28), 128.0)  # the line is added to the image and clipped, not combined by max

cases = []
for base_name, base in (("blank", blank), ("gray128", gray)):
    for (name, draws), args in (
        (dotted(0, 26), [0, 26]),
        (dotted(26, 0), [26, 0]),
        (dotted(13, 13), [13, 13]),
        (dotted(5, 20), [5, 20]),
        (zigzag(0, -5), [0, -5]),
        (zigzag(10, 0), [10, 0]),
        (zigzag(26, 4), [26, 4]),
        (zigzag(20, -3), [20, -3]),
    ):
        out = run(name, base, draws)
        changed = np.flatnonzero(out.ravel() != base.ravel())
        cases.append({
            "corruption": name,
            "image": base_name,
            "rows": args,
            # Pixels that differ from the image: [index (row * 28 + column), value in [0, 255]].
            "pixels": [[int(i), round(float(out.ravel()[i]), 4)] for i in changed],
        })

# Mean ink a random draw adds to a blank image (in [0, 1] per pixel, summed over the image), over every draw the
# reference can make with equal weight: 27 × 27 row pairs for dotted_line, 27 × 10 (r0, offset) for zigzag.
ink = {
    "dotted_line": float(np.mean([run("dotted_line", blank, dotted(a, b)[1]).sum() / 255
                                  for a in range(27) for b in range(27)])),
    "zigzag": float(np.mean([run("zigzag", blank, zigzag(a, k)[1]).sum() / 255
                             for a in range(27) for k in range(-5, 5)])),
}

json.dump({"source": "google-research/mnist-c corruptions.py", "cases": cases, "mean_ink_blank": ink},
          sys.stdout, indent=None, separators=(",", ":"))
sys.stdout.write("\n")
