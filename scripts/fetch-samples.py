#!/usr/bin/env python3
"""Extracts sample photos for a fresh machine from the scikit-image wheel, which ships a
few colour photographs in `skimage/data/` (licences: see skimage.data's docstrings in
the package). Each file is checked against its sha256; nothing is imported or run.
`keepsake sample-library` then turns them into a camera roll with an EXIF timeline.
Standard library only.

usage: fetch-samples.py WHEEL OUT_DIR
"""
import hashlib
import pathlib
import sys
import zipfile

FILES = {
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    "camera.png": "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
    "motorcycle_left.png": "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
    "motorcycle_right.png": "5fc913ae870e42a4b662314bc904d1786bcad8e2f0b9b67dba5a229406357797",
    "hubble_deep_field.jpg": "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
}


def main():
    wheel, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        for name, expected in FILES.items():
            data = z.read("skimage/data/" + name)
            digest = hashlib.sha256(data).hexdigest()
            if digest != expected:
                sys.exit(f"fetch-samples: {name}: sha256 {digest} is not the expected {expected}")
            tmp = out / (name + ".part")
            tmp.write_bytes(data)
            tmp.replace(out / name)
    print(f"fetch-samples: {len(FILES)} photos in {out}")


if __name__ == "__main__":
    main()
