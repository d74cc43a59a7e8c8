#!/usr/bin/env python3
"""Makes a host's view of a folder of photos, for `keepsake sync --records` and
`keepsake analyze --host-pixels`: OUT/records.jsonl with opaque MediaStore-style ids
and content:// URIs and nothing else a file would tell (no capture time, place or
size, as a host without location access sends them), and OUT/map.jsonl mapping each id
to its file (what the harness, playing host, answers from)."""
import json
import os
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: host-roll.py DIR OUT")
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    names = sorted(n for n in os.listdir(src) if n.lower().endswith((".jpg", ".jpeg")))
    if not names:
        sys.exit("host-roll.py: no JPEG in " + src)
    with open(os.path.join(out, "records.jsonl"), "w") as rec, open(
        os.path.join(out, "map.jsonl"), "w"
    ) as mp:
        for i, name in enumerate(names):
            path = os.path.abspath(os.path.join(src, name))
            ident = "content://media/external/images/media/%d" % (1000 + i)
            st = os.stat(path)
            rec.write(json.dumps({
                "id": ident, "uri": ident, "name": "photo%d.jpg" % i,
                "mime": "image/jpeg", "size": st.st_size,
                "modified_ms": int(st.st_mtime * 1000),
            }) + "\n")
            mp.write(json.dumps({"id": ident, "path": path}) + "\n")
    print("%d records in %s" % (len(names), out))


if __name__ == "__main__":
    main()
