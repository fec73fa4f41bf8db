"""Expected outputs of AugMix's image operations for augmix_ops.test.ts, computed by Pillow itself.

    /usr/bin/python3 packages/mixup/scripts/augmix_fixtures.py   # needs Pillow and numpy (Debian: python3-pil)

writes packages/mixup/src/__fixtures__/augmix_ops.json: small deterministic 8-bit images (an MNIST-like gray
digit, gray and RGB noise, an RGB gradient scene, a constant and a two-level image; odd and non-square sizes) and,
for each, the output of every operation google-research/augmix's augmentations.py applies, called as it calls
them (ImageOps.autocontrast, equalize, posterize, solarize; Image.rotate and Image.transform(AFFINE) with
BILINEAR resampling and the default black fill; ImageEnhance.Color, Contrast, Brightness, Sharpness), at
arguments that cover the ranges its severities reach and a few beyond them.
"""

import base64
import json
import os
import sys

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageOps

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "__fixtures__", "augmix_ops.json")


def digit():
    """An MNIST-like 28x28 gray digit: a thick ring and a stroke, soft edges, on black."""
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float64)
    r = np.hypot(yy - 11.5, xx - 13.0)
    ring = np.clip(2.2 - np.abs(r - 6.0), 0, 1)
    stroke = np.clip(2.0 - np.abs(xx - 18.0 + 0.25 * (yy - 11.0)), 0, 1) * (yy > 11) * (yy < 25)
    return np.rint(255 * np.maximum(ring, stroke)).astype(np.uint8)


def scene(h, w):
    """An RGB gradient with a coloured disc and mild noise, spanning most of 0-255."""
    rng = np.random.RandomState(5)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([30 + 180 * xx / w, 60 + 120 * yy / h, 200 - 150 * xx / w], -1)
    img[(yy - h / 2) ** 2 + (xx - w / 3) ** 2 <= (h / 4) ** 2] = (230, 40, 90)
    return np.clip(np.rint(img + rng.normal(0, 8, img.shape)), 0, 255).astype(np.uint8)


def images():
    rng = np.random.RandomState(28)
    yield "digit-gray-28x28", digit()
    yield "noise-gray-9x7", rng.randint(0, 256, (9, 7)).astype(np.uint8)
    yield "scene-rgb-12x16", scene(12, 16)
    yield "noise-rgb-9x7", rng.randint(0, 256, (9, 7, 3)).astype(np.uint8)
    yield "constant-gray-6x6", np.full((6, 6), 100, np.uint8)
    two = np.full((5, 8), 37, np.uint8)
    two[1:4, 2:6] = 200
    yield "two-level-gray-5x8", two
    # Equalize is an identity on images of under 255 pixels per value present (its step is 0): one RGB image
    # large enough for it, with only the histogram operations (its other outputs would weigh on the fixture).
    yield "scene-rgb-24x24", scene(24, 24)


HISTOGRAM_ONLY = {"scene-rgb-24x24"}


def affine(data):
    return lambda im: im.transform(im.size, Image.AFFINE, data, resample=Image.BILINEAR)


# (op name as augmix_ops.ts names it, argument, the Pillow call as augmentations.py makes it)
CASES = (
    [("autocontrast", None, ImageOps.autocontrast), ("equalize", None, ImageOps.equalize)]
    + [("posterize", b, lambda im, b=b: ImageOps.posterize(im, b)) for b in (1, 3, 4, 7)]
    + [("solarize", t, lambda im, t=t: ImageOps.solarize(im, t)) for t in (1, 128, 200, 256)]
    + [("rotate", d, lambda im, d=d: im.rotate(d, resample=Image.BILINEAR)) for d in (-29, -8, -1, 3, 17, 90, 180)]
    + [("shear_x", s, affine((1, s, 0, 0, 1, 0))) for s in (-0.3, -0.07, 0.013, 0.29)]
    + [("shear_y", s, affine((1, 0, 0, s, 1, 0))) for s in (-0.3, -0.07, 0.013, 0.29)]
    + [("translate_x", p, affine((1, 0, p, 0, 1, 0))) for p in (-4, -1, 1.5, 2, 9)]
    + [("translate_y", p, affine((1, 0, 0, 0, 1, p))) for p in (-4, -1, 1.5, 2, 9)]
    + [("color", f, lambda im, f=f: ImageEnhance.Color(im).enhance(f)) for f in (0.1, 0.64, 1.9)]
    + [("contrast", f, lambda im, f=f: ImageEnhance.Contrast(im).enhance(f)) for f in (0.1, 0.64, 1.9)]
    + [("brightness", f, lambda im, f=f: ImageEnhance.Brightness(im).enhance(f)) for f in (0.1, 0.64, 1.9)]
    + [("sharpness", f, lambda im, f=f: ImageEnhance.Sharpness(im).enhance(f)) for f in (0.1, 0.64, 1.9)]
)


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def main():
    records, cases = [], []
    for name, img in images():
        pil = Image.fromarray(img)
        assert pil.mode == ("L" if img.ndim == 2 else "RGB")
        records.append(
            {"name": name, "h": img.shape[0], "w": img.shape[1], "channels": 1 if img.ndim == 2 else 3,
             "pixels": b64(img)}
        )
        for op, arg, call in CASES:
            if name in HISTOGRAM_ONLY and op not in ("autocontrast", "equalize"):
                continue
            out = np.asarray(call(pil))
            assert out.shape == img.shape and out.dtype == np.uint8
            cases.append({"image": name, "op": op, "arg": arg, "out": b64(out)})
    with open(OUT, "w") as f:
        json.dump({"generator": "packages/mixup/scripts/augmix_fixtures.py", "pillow": PIL.__version__,
                   "images": records, "cases": cases}, f, indent=0, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} outputs of {len(records)} images to {os.path.normpath(OUT)} (Pillow {PIL.__version__})")


if __name__ == "__main__":
    sys.exit(main())
