#!/usr/bin/env python3
"""Generates phone-like test photos for `keepsake bench index`: 12 MP (4000x3000) and
48 MP (8000x6000) JPEGs with camera EXIF (make, model, capture time, orientation), made
by upscaling the shared face photos and adding sensor-like noise so the files carry the
entropy of real photos (a flat upscale would compress to a fraction of a real file's
size and decode unrealistically fast). Nothing here is committed; run it into a scratch
folder. Needs Pillow and numpy.

usage: make-bench-photos.py SOURCE_DIR OUT_DIR [--count N] [--sizes 12,48] [--seed S]
"""
import argparse
import datetime
import pathlib
import sys

import numpy as np
from PIL import Image

SIZES = {12: (4000, 3000), 48: (8000, 6000)}


def exif_for(i, base):
    exif = Image.Exif()
    exif[0x010F] = "Keepsake"  # Make
    exif[0x0110] = "Bench Camera"  # Model
    exif[0x0112] = 6 if i % 4 == 3 else 1  # Orientation: some portrait shots
    when = base + datetime.timedelta(minutes=17 * i)
    stamp = when.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp  # DateTime
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = stamp  # DateTimeOriginal
    ifd[0x9011] = "+01:00"  # OffsetTimeOriginal
    return exif


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source", type=pathlib.Path)
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--sizes", default="12,48")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    sources = sorted(p for p in args.source.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
    if not sources:
        sys.exit(f"no JPEGs under {args.source}")
    rng = np.random.default_rng(args.seed)
    base = datetime.datetime(2026, 10, 1, 9, 0, 0)
    args.out.mkdir(parents=True, exist_ok=True)
    for mp in (int(s) for s in args.sizes.split(",")):
        size = SIZES[mp]
        for i in range(args.count):
            src = Image.open(sources[i % len(sources)]).convert("RGB")
            img = np.asarray(src.resize(size, Image.BICUBIC), dtype=np.int16)
            noise = rng.normal(0.0, 4.0, size=(size[1], size[0], 1)).astype(np.int16)
            img = np.clip(img + noise, 0, 255).astype(np.uint8)
            name = args.out / f"bench_{mp}mp_{i:03}.jpg"
            Image.fromarray(img).save(name, quality=90, exif=exif_for(i, base))
            print(name, name.stat().st_size)


if __name__ == "__main__":
    main()
