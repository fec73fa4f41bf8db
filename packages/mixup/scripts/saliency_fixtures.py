"""Expected fine-grained saliency maps for fine_grained_saliency.test.ts, computed by OpenCV itself.

    /usr/bin/python3 packages/mixup/scripts/saliency_fixtures.py   # needs cv2.saliency (Debian: python3-opencv)

writes packages/mixup/src/__fixtures__/fine_grained_saliency.json: small deterministic 8-bit images (MNIST-like
28x28 digits, RGB images, noise, a constant image, odd sizes) with the map of
cv2.saliency.StaticSaliencyFineGrained_create().computeSaliency, as SaliencyMix's reference code reads it
((map * 255).astype("uint8")), and its first maximum in row-major order (np.unravel_index(np.argmax(...))).

It also prints what the reference code's own input does: SaliencyMix's train scripts hand OpenCV the normalised
float32 tensor, and OpenCV's implementation reads that image's pixels as bytes (gray.at<uchar> on a float matrix).
"""

import base64
import json
import math
import os
import sys

import cv2
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "__fixtures__", "fine_grained_saliency.json")
detector = cv2.saliency.StaticSaliencyFineGrained_create()


def saliency(img_rgb):
    """The 8-bit map of an 8-bit image given in RGB order (OpenCV takes BGR)."""
    bgr = img_rgb[..., ::-1].copy() if img_rgb.ndim == 3 else img_rgb
    ok, sal = detector.computeSaliency(bgr)
    assert ok and sal.dtype == np.float32
    u8 = (sal * 255).astype("uint8")
    # OpenCV returns the 8-bit map / 255; the reference code's truncating * 255 recovers it exactly.
    assert np.array_equal(u8, np.rint(sal * 255).astype("uint8"))
    return u8


def digit(d, scale, thickness, dx, dy):
    """An MNIST-like 28x28 digit: white on black, anti-aliased."""
    img = np.zeros((28, 28), np.uint8)
    (tw, th), _ = cv2.getTextSize(str(d), cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    org = ((28 - tw) // 2 + dx, (28 + th) // 2 + dy)
    cv2.putText(img, str(d), org, cv2.FONT_HERSHEY_SIMPLEX, scale, 255, thickness, cv2.LINE_AA)
    return cv2.GaussianBlur(img, (3, 3), 0.6)


def scene(rng, h, w):
    """An RGB image: a colour gradient, two coloured ellipses, noise; spanning 0-255."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([40 + 80 * xx / w, 60 + 60 * yy / h, 90 + 0 * xx], -1)
    for _ in range(2):
        cy, cx = rng.randint(0, h), rng.randint(0, w)
        ry, rx = rng.randint(2, max(3, h // 4)), rng.randint(2, max(3, w // 4))
        inside = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        img[inside] = rng.randint(0, 256, 3)
    img = img + rng.normal(0, 6, img.shape)
    # Stretched to span 0-255, as SaliencyMix's 8-bit conversion of a normalised batch leaves an image.
    return np.rint((img - img.min()) * 255 / (img.max() - img.min())).astype(np.uint8)


def rectangles(seed):
    """Rectangles of random grey levels on a random background. The generator is JavaScript's double arithmetic
    (an LCG in floats, exact as IEEE doubles), so the seeds below were found in TypeScript: each has a pixel that
    is both brighter than one surround and darker than another, enough that (on + off) * 255 / max exceeds 255 and
    OpenCV's double -> uchar cast wraps it (seed 3798 moves the peak by it)."""
    state = float(seed)

    def rnd():
        nonlocal state
        state = math.fmod(state * 1103515245.0 + 12345.0, 2147483648.0)
        return state / 2147483648.0

    h, w = 28 + math.floor(rnd() * 20), 28 + math.floor(rnd() * 40)
    img = np.full((h, w), math.floor(rnd() * 256), np.uint8)
    for _ in range(1 + math.floor(rnd() * 6)):
        y0, x0 = math.floor(rnd() * h), math.floor(rnd() * w)
        bh, bw = 1 + math.floor(rnd() * h / 2), 1 + math.floor(rnd() * w / 2)
        img[y0 : y0 + bh, x0 : x0 + bw] = math.floor(rnd() * 256)
    return img


def images():
    rng = np.random.RandomState(27)
    for d in range(10):
        yield f"digit-{d}", digit(d, 0.8 + 0.02 * d, 2 + d % 2, d % 3 - 1, (d * 7) % 3 - 1)
    for k in range(4):
        yield f"rgb-32x32-{k}", scene(rng, 32, 32)
    yield "rgb-24x40", scene(rng, 24, 40)
    yield "noise-gray-28x28", rng.randint(0, 256, (28, 28)).astype(np.uint8)
    yield "noise-rgb-32x32", rng.randint(0, 256, (32, 32, 3)).astype(np.uint8)
    yield "noise-gray-5x7", rng.randint(0, 256, (5, 7)).astype(np.uint8)
    yield "constant-16x16", np.full((16, 16), 100, np.uint8)
    blobs = scene(rng, 96, 96)
    for seed in (2693, 3798):
        yield f"rectangles-{seed}", rectangles(seed)
    yield "gray-96x96", cv2.cvtColor(blobs[..., ::-1].copy(), cv2.COLOR_BGR2GRAY)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def main():
    records = []
    for name, img in images():
        sal = saliency(img)
        row, col = np.unravel_index(np.argmax(sal, axis=None), sal.shape)
        records.append(
            {
                "name": name,
                "h": img.shape[0],
                "w": img.shape[1],
                "channels": 1 if img.ndim == 2 else img.shape[2],
                "pixels": b64(img),
                "saliency": b64(sal),
                "argmax": [int(row), int(col)],
            }
        )
    with open(OUT, "w") as f:
        json.dump({"generator": "packages/mixup/scripts/saliency_fixtures.py", "opencv": cv2.__version__,
                   "images": records}, f, indent=1)
        f.write("\n")
    print(f"wrote {len(records)} maps to {os.path.normpath(OUT)} (OpenCV {cv2.__version__})")
    official_input(records)


def official_input(records):
    """The reference code's input: the normalised float32 tensor, channels last (torchvision order: RGB)."""
    same = moved = n = 0
    for r in records:
        if r["channels"] != 3 and not r["name"].startswith("digit"):
            continue
        img = np.frombuffer(base64.b64decode(r["pixels"]), np.uint8).reshape(r["h"], r["w"], -1)
        if r["channels"] == 3:  # CIFAR-10's normalisation in the SaliencyMix CIFAR script
            mean, std = np.array([125.3, 123.0, 113.9]) / 255, np.array([63.0, 62.1, 66.7]) / 255
        else:  # MNIST's
            mean, std = np.array([0.1307]), np.array([0.3081])
        x = ((img / 255.0 - mean) / std).astype(np.float32)
        x = x[..., 0] if r["channels"] == 1 else x

        def peak(a):
            _, s = detector.computeSaliency(a)
            return np.unravel_index(np.argmax((s * 255).astype("uint8")), s.shape)

        n += 1
        same += peak(x) == tuple(r["argmax"])
        moved += peak(x) != peak(np.nextafter(x, np.float32(np.inf)))
    print(
        f"reference input (normalised float32): peak = the 8-bit image's peak on {same}/{n} images; "
        f"moved by a 1-ulp change of every pixel on {moved}/{n}"
    )


if __name__ == "__main__":
    sys.exit(main())
