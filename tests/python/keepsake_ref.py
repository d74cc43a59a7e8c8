#!/usr/bin/env python3
"""Keepsake's reference pipeline in Python: Pillow `draft()` decoding, onnxruntime
inference and numpy decoding of the same face models (RetinaFace-mnet0.25, YuNet), written
independently of the Rust code from the models' published conventions. It serves two
purposes:

* **accuracy reference** — `eval` scores detections against a labelled folder with its
  own VOC AP implementation; the Rust pipeline must land within 1 AP point of it;
* **speed baseline** — `bench` does the per-photo work of `keepsake bench index` (EXIF,
  decode to working size, face detection, quality, hashes, SQLite) on one process and on
  all cores, and prints the figures as one JSON object.

Commands (all print JSON):
  faces PATH... --model M [--long-side 640]        one object per image
  eval DIR --model M [--long-side 640] [--iou 0.5]  AP overall / per size class
  bench DIR --model M [--processes N] [--long-side 640]

Needs Pillow, numpy and onnxruntime (versions pinned in requirements.txt).
"""
import argparse
import json
import multiprocessing
import os
import pathlib
import resource
import sqlite3
import sys
import tempfile
import threading
import time

import numpy as np
import onnxruntime as ort
from PIL import Image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
# Operating points as published by the model authors (score threshold, NMS IoU).
OPERATING = {"retinaface": (0.5, 0.4), "yunet": (0.6, 0.3)}
MIN_FACE = 4.0
AP_THRESHOLD = 0.02


# ---------------------------------------------------------------- decoding

def decode(path, long_side):
    """Upright RGB array whose long side is at most `long_side`, and the upright size of
    the original. Pillow's draft() picks the DCT scale (1/2, 1/4, 1/8) that still covers
    the request, as the Rust decoder does."""
    with Image.open(path) as im:
        orientation = im.getexif().get(0x0112, 1)
        full = im.size
        if im.format == "JPEG":
            im.draft("RGB", (long_side, long_side))
        rgb = im.convert("RGB")
    w, h = rgb.size
    if max(w, h) > long_side:
        f = long_side / max(w, h)
        rgb = rgb.resize((max(1, round(w * f)), max(1, round(h * f))), Image.BILINEAR)
    if orientation in (5, 6, 7, 8):
        full = (full[1], full[0])
    if orientation != 1:
        rgb = _orient(rgb, orientation)
    return np.asarray(rgb), full


def _orient(img, orientation):
    ops = {
        2: [Image.FLIP_LEFT_RIGHT],
        3: [Image.ROTATE_180],
        4: [Image.FLIP_TOP_BOTTOM],
        5: [Image.TRANSPOSE],
        6: [Image.ROTATE_270],
        7: [Image.TRANSVERSE],
        8: [Image.ROTATE_90],
    }
    for op in ops.get(orientation, []):
        img = img.transpose(op)
    return img


def read_exif(path):
    with Image.open(path) as im:
        exif = im.getexif()
        sub = exif.get_ifd(0x8769)
        return {
            "taken": sub.get(0x9003) or exif.get(0x0132),
            "offset": sub.get(0x9011),
            "orientation": exif.get(0x0112, 1),
        }


# ---------------------------------------------------------------- detection

class Detector:
    def __init__(self, model_path, threads=1):
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
        outputs = [o.name for o in self.session.get_outputs()]
        self.input = self.session.get_inputs()[0].name
        if {"loc", "conf", "landmarks"} <= set(outputs):
            self.kind = "retinaface"
        elif {"cls_8", "obj_8", "bbox_8", "kps_8"} <= set(outputs):
            self.kind = "yunet"
        else:
            raise SystemExit(f"unrecognised face model outputs: {outputs}")
        self.names = outputs

    def detect(self, rgb, threshold=None):
        """Faces as an array of rows [x, y, w, h, score, 10 landmark coords], in the
        pixels of `rgb`."""
        score_t, nms_iou = OPERATING[self.kind]
        if threshold is not None:
            score_t = threshold
        h, w = rgb.shape[:2]
        ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
        bgr = rgb[:, :, ::-1].astype(np.float32)
        if self.kind == "retinaface":
            bgr -= np.array([104.0, 117.0, 123.0], dtype=np.float32)
        x = np.zeros((1, 3, ph, pw), dtype=np.float32)
        x[0, :, :h, :w] = bgr.transpose(2, 0, 1)
        out = dict(zip(self.names, self.session.run(None, {self.input: x})))
        if self.kind == "retinaface":
            faces = decode_retinaface(out, pw, ph, score_t)
        else:
            faces = decode_yunet(out, pw, ph, score_t)
        faces = nms(faces, nms_iou)
        keep = (np.minimum(faces[:, 2], faces[:, 3]) >= MIN_FACE) & (faces[:, 0] < w) & (
            faces[:, 1] < h) & (faces[:, 0] + faces[:, 2] > 0) & (faces[:, 1] + faces[:, 3] > 0)
        return faces[keep]


def retinaface_priors(w, h):
    rows = []
    for step, sizes in ((8, (16, 32)), (16, (64, 128)), (32, (256, 512))):
        fy, fx = -(-h // step), -(-w // step)
        i, j, k = np.meshgrid(np.arange(fy), np.arange(fx), np.arange(2), indexing="ij")
        m = np.array(sizes, dtype=np.float32)[k]
        rows.append(np.stack([(j + 0.5) * step / w, (i + 0.5) * step / h, m / w, m / h],
                             axis=-1).reshape(-1, 4))
    return np.concatenate(rows).astype(np.float32)


def decode_retinaface(out, w, h, threshold):
    loc, conf, lms = out["loc"][0], out["conf"][0], out["landmarks"][0]
    priors = retinaface_priors(w, h)
    sel = conf[:, 1] >= threshold
    p, l, s, lm = priors[sel], loc[sel], conf[sel, 1], lms[sel]
    cx = p[:, 0] + l[:, 0] * 0.1 * p[:, 2]
    cy = p[:, 1] + l[:, 1] * 0.1 * p[:, 3]
    bw = p[:, 2] * np.exp(l[:, 2] * 0.2)
    bh = p[:, 3] * np.exp(l[:, 3] * 0.2)
    pts = np.empty((len(p), 10), dtype=np.float32)
    pts[:, 0::2] = (p[:, 0:1] + lm[:, 0::2] * 0.1 * p[:, 2:3]) * w
    pts[:, 1::2] = (p[:, 1:2] + lm[:, 1::2] * 0.1 * p[:, 3:4]) * h
    boxes = np.stack([(cx - bw / 2) * w, (cy - bh / 2) * h, bw * w, bh * h, s], axis=1)
    return np.concatenate([boxes, pts], axis=1)


def decode_yunet(out, w, h, threshold):
    parts = []
    for s in (8, 16, 32):
        cols, rows = w // s, h // s
        cls = out[f"cls_{s}"].reshape(-1)[: rows * cols]
        obj = out[f"obj_{s}"].reshape(-1)[: rows * cols]
        bbox = out[f"bbox_{s}"].reshape(-1, 4)[: rows * cols]
        kps = out[f"kps_{s}"].reshape(-1, 10)[: rows * cols]
        score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
        sel = np.nonzero(score >= threshold)[0]
        r, c = (sel // cols).astype(np.float32), (sel % cols).astype(np.float32)
        b, k = bbox[sel], kps[sel]
        cx, cy = (c + b[:, 0]) * s, (r + b[:, 1]) * s
        bw, bh = np.exp(b[:, 2]) * s, np.exp(b[:, 3]) * s
        pts = np.empty((len(sel), 10), dtype=np.float32)
        pts[:, 0::2] = (k[:, 0::2] + c[:, None]) * s
        pts[:, 1::2] = (k[:, 1::2] + r[:, None]) * s
        parts.append(np.concatenate(
            [np.stack([cx - bw / 2, cy - bh / 2, bw, bh, score[sel]], axis=1), pts], axis=1))
    return np.concatenate(parts) if parts else np.zeros((0, 15), dtype=np.float32)


def iou_one(box, boxes):
    x1 = np.maximum(box[0], boxes[:, 0])
    y1 = np.maximum(box[1], boxes[:, 1])
    x2 = np.minimum(box[0] + box[2], boxes[:, 0] + boxes[:, 2])
    y2 = np.minimum(box[1] + box[3], boxes[:, 1] + boxes[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = box[2] * box[3] + boxes[:, 2] * boxes[:, 3] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def nms(faces, threshold):
    order = np.argsort(-faces[:, 4], kind="stable")
    faces = faces[order]
    kept = []
    for i in range(len(faces)):
        if not kept or np.all(iou_one(faces[i], faces[kept]) <= threshold):
            kept.append(i)
    return faces[kept]


# ---------------------------------------------------------------- signals

def quality(gray):
    g = gray.astype(np.float64)
    lap = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4 * g[1:-1, 1:-1]
    return {
        "sharpness": float(lap.var()) if lap.size else 0.0,
        "brightness": float(g.mean() / 255.0),
        "clipped_high": float((gray >= 250).mean()),
        "clipped_low": float((gray <= 5).mean()),
    }


_DCT = np.cos(np.pi / 32 * (np.arange(32)[None, :] + 0.5) * np.arange(8)[:, None])


def hashes(gray_img):
    d = np.asarray(gray_img.resize((9, 8), Image.BOX), dtype=np.float32)
    dbits = (d[:, :-1] < d[:, 1:]).reshape(-1)
    s = np.asarray(gray_img.resize((32, 32), Image.BOX), dtype=np.float32)
    coef = (_DCT @ s @ _DCT.T).reshape(-1)
    pbits = coef > np.median(coef[1:])
    to_int = lambda bits: int("".join("1" if b else "0" for b in bits), 2)
    return to_int(dbits), to_int(pbits)


# ---------------------------------------------------------------- commands

def images_under(paths):
    out = []
    for p in map(pathlib.Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.suffix.lower() in IMAGE_SUFFIXES)
        else:
            out.append(p)
    return out


def detect_upright(det, path, long_side, threshold=None):
    rgb, full = decode(path, long_side)
    faces = det.detect(rgb, threshold)
    scale = full[0] / rgb.shape[1]
    faces[:, :4] *= scale
    faces[:, 5:] *= scale
    return full, faces


def cmd_faces(args):
    det = Detector(args.model)
    for path in images_under(args.paths):
        full, faces = detect_upright(det, path, args.long_side)
        print(json.dumps({
            "path": str(path), "width": full[0], "height": full[1],
            "faces": [{"x": float(f[0]), "y": float(f[1]), "w": float(f[2]), "h": float(f[3]),
                       "score": float(f[4]),
                       "landmarks": [[float(f[5 + 2 * k]), float(f[6 + 2 * k])] for k in range(5)]}
                      for f in faces],
        }))


def size_class(face):
    if "size_class" in face:
        return face["size_class"]
    h = face["bbox"][3]
    return "large" if h >= 50 else "medium" if h >= 20 else "small"


def average_precision(images, classes, iou_t, op_threshold):
    """images: list of (gt list of (box, class, ignore), detections array). A detection
    is a true positive when its best unmatched counted face overlaps it by >= iou_t;
    it is skipped when it only overlaps an ignored face (or a face of another class);
    otherwise it is a false positive."""
    scored = []
    for i, (_, dets) in enumerate(images):
        for j, d in enumerate(dets):
            scored.append((-float(d[4]), i, j))
    scored.sort()
    matched = [np.zeros(len(gt), dtype=bool) for gt, _ in images]
    counted = [np.array([(c in classes) and not ign for _, c, ign in gt], dtype=bool)
               for gt, _ in images]
    npos = int(sum(c.sum() for c in counted))
    tp, fp, scores = [], [], []
    for neg, i, j in scored:
        gt, dets = images[i]
        if not gt:
            tp.append(0), fp.append(1), scores.append(-neg)
            continue
        boxes = np.array([g[0] for g in gt], dtype=np.float64)
        ious = iou_one(dets[j].astype(np.float64), boxes)
        cand = np.where(counted[i] & ~matched[i], ious, -1.0)
        best = int(np.argmax(cand))
        if cand[best] >= iou_t:
            matched[i][best] = True
            tp.append(1), fp.append(0), scores.append(-neg)
        elif np.any((ious >= iou_t) & ~counted[i]):
            continue
        else:
            tp.append(0), fp.append(1), scores.append(-neg)
    if npos == 0:
        return None, None
    tp_c, fp_c = np.cumsum(tp), np.cumsum(fp)
    recall = tp_c / npos if tp else np.zeros(0)
    precision = tp_c / np.maximum(tp_c + fp_c, 1) if tp else np.zeros(0)
    ap, prev_r = 0.0, 0.0
    env = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    for r, p in zip(recall, env):
        ap += (r - prev_r) * p
        prev_r = r
    at_op = int(np.sum(np.array(tp)[np.array(scores) >= op_threshold])) if tp else 0
    return ap, at_op / npos


def cmd_eval(args):
    det = Detector(args.model)
    root = pathlib.Path(args.dir)
    images, elapsed = [], 0.0
    detections_out = open(args.detections, "w") if args.detections else None
    for line in (root / "annotations.jsonl").read_text().splitlines():
        ann = json.loads(line)
        gt = [(f["bbox"], size_class(f), bool(f.get("ignore") or f.get("invalid")))
              for f in ann["faces"] if f["bbox"][2] > 0 and f["bbox"][3] > 0]
        t = time.perf_counter()
        path = root / ann["file"]
        if not path.exists():
            path = root / "images" / ann["file"]
        _, faces = detect_upright(det, path, args.long_side, AP_THRESHOLD)
        elapsed += time.perf_counter() - t
        images.append((gt, faces))
        if detections_out:
            detections_out.write(json.dumps({"file": ann["file"], "faces": [
                {"x": float(f[0]), "y": float(f[1]), "w": float(f[2]), "h": float(f[3]),
                 "score": float(f[4])} for f in faces]}) + "\n")
    op = OPERATING[det.kind][0]
    result = {"images": len(images), "model": det.kind, "iou": args.iou,
              "ms_per_image": elapsed * 1000 / max(1, len(images))}
    for name, classes in (("all", {"large", "medium", "small"}),
                          ("large_medium", {"large", "medium"}),
                          ("large", {"large"}), ("medium", {"medium"}), ("small", {"small"})):
        ap, recall = average_precision(images, classes, args.iou, op)
        result[name] = {"ap": ap, "recall": recall}
    print(json.dumps(result))


_worker = {}


class Classifier:
    """The content classifier (EfficientNet-Lite0), one onnxruntime thread, on the
    working image's centre crop (the square a 256 px short side cropped to 224 keeps),
    normalised (x - 127) / 128 — the same view the core gives it."""

    def __init__(self, model_path):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def classify(self, rgb):
        h, w = rgb.shape[:2]
        side = min(w, h) * 224 / 256
        left, top = (w - side) / 2, (h - side) / 2
        crop = Image.fromarray(rgb).resize((224, 224), Image.BILINEAR,
                                           box=(left, top, left + side, top + side))
        x = ((np.asarray(crop, np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None]
        logits = self.session.run(None, {self.input: x})[0][0]
        p = np.exp(logits - logits.max())
        return p / p.sum()


def _init_worker(model, long_side, ready=None, classifier=None):
    _worker["det"] = Detector(model) if model else None
    _worker["cls"] = Classifier(classifier) if classifier else None
    _worker["long_side"] = long_side
    if ready is not None:
        # Every worker's session is made before the clock starts. A worker started
        # later (a replacement) finds the barrier broken or times out: never blocks.
        try:
            ready.wait(timeout=120)
        except threading.BrokenBarrierError:
            pass


def _analyse(path):
    """One photo, timed per stage (seconds)."""
    times = {}
    t = time.perf_counter()
    exif = read_exif(path)
    times["exif"] = time.perf_counter() - t
    t = time.perf_counter()
    rgb, full = decode(path, _worker["long_side"])
    times["decode"] = time.perf_counter() - t
    t = time.perf_counter()
    faces = _worker["det"].detect(rgb) if _worker["det"] else np.zeros((0, 15))
    times["detect"] = time.perf_counter() - t
    t = time.perf_counter()
    top = []
    if _worker["cls"]:
        probs = _worker["cls"].classify(rgb)
        top = [[int(i), float(probs[i])] for i in np.argsort(-probs)[:5]]
    times["classify"] = time.perf_counter() - t
    t = time.perf_counter()
    gray_img = Image.fromarray(rgb).convert("L")
    gray = np.asarray(gray_img)
    q = quality(gray)
    times["quality"] = time.perf_counter() - t
    t = time.perf_counter()
    dh, ph = hashes(gray_img)
    times["hash"] = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return str(path), exif, q, dh, ph, faces.tolist(), top, times, os.getpid(), rss


def cmd_bench(args):
    paths = images_under([args.dir])
    if not paths:
        raise SystemExit("no images")
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "ref.sqlite"))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE photo (path TEXT PRIMARY KEY, taken TEXT, sharpness REAL,"
                   " brightness REAL, dhash INTEGER, phash INTEGER, faces TEXT, classes TEXT)")
        totals = {k: 0.0 for k in
                  ("exif", "decode", "detect", "classify", "quality", "hash", "store")}
        peaks = {}
        # Set-up (onnxruntime sessions) is timed apart, as the Rust side times its model
        # load and plans apart: both figures are of the steady state.
        setup = time.perf_counter()
        if args.processes == 1:
            _init_worker(args.model, args.long_side, None, args.classifier)
            pool = None
        else:
            ready = multiprocessing.Barrier(args.processes + 1)
            pool = multiprocessing.Pool(args.processes, _init_worker,
                                        (args.model, args.long_side, ready, args.classifier))
            ready.wait(timeout=120)
            ready.abort()  # later waiters (replacement workers) return at once
        started = time.perf_counter()
        ready_s = started - setup
        results = map(_analyse, paths) if pool is None else pool.imap(_analyse, paths)
        batch = []
        faces_found = 0

        def flush():
            t = time.perf_counter()
            with db:
                db.executemany("INSERT OR REPLACE INTO photo VALUES (?,?,?,?,?,?,?,?)", batch)
            totals["store"] += time.perf_counter() - t
            batch.clear()

        for path, exif, q, dh, ph, faces, top, times, pid, rss in results:
            for k, v in times.items():
                totals[k] += v
            peaks[pid] = max(peaks.get(pid, 0), rss)
            faces_found += len(faces)
            batch.append((path, exif["taken"], q["sharpness"], q["brightness"],
                          dh - (1 << 64) if dh >= 1 << 63 else dh,
                          ph - (1 << 64) if ph >= 1 << 63 else ph, json.dumps(faces),
                          json.dumps(top)))
            if len(batch) >= 32:
                flush()
        if batch:
            flush()
        wall = time.perf_counter() - started
        if pool:
            pool.close()
            pool.join()
    peaks[os.getpid()] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    n = len(paths)
    print(json.dumps({
        "photos": n, "processes": args.processes, "faces": faces_found,
        "wall_s": wall, "photos_per_s": n / wall, "ready_s": ready_s,
        "ms_per_photo": {k: v * 1000 / n for k, v in totals.items()},
        "peak_rss_mb": sum(peaks.values()) / 1024,
    }))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("faces")
    f.add_argument("paths", nargs="+")
    e = sub.add_parser("eval")
    e.add_argument("dir")
    e.add_argument("--iou", type=float, default=0.5)
    e.add_argument("--detections", help="also write the detections here (JSON Lines)")
    b = sub.add_parser("bench")
    b.add_argument("dir")
    b.add_argument("--processes", type=int, default=1)
    b.add_argument("--classifier", help="also classify each photo with this ONNX model")
    for p in (f, e, b):
        p.add_argument("--model", required=(p is not b))
        p.add_argument("--long-side", type=int, default=640)
    args = ap.parse_args()
    {"faces": cmd_faces, "eval": cmd_eval, "bench": cmd_bench}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
