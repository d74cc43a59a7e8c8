#!/usr/bin/env bash
# Host pixels on 12 MP photos: the harness plays host (records with opaque content://
# ids and nothing a file would tell; pixels from its pixel source as the original's
# bytes or as RGBA it decoded) on 2 workers, against the folder path on the same photos
# in the same run. Prints photos/s, the ratio to the folder path, the records completed
# from the bytes and the peak RSS; fails if a host run's peak RSS reaches 150 MB (the
# goal) or a photo fails. Usage: scripts/bench-host.sh PHOTO_DIR MODEL
set -euo pipefail
cd "$(dirname "$0")/.."
photos=$1
model=$2
k=target/debug/keepsake
work=target/bench-host
rm -rf "$work"
mkdir -p "$work/photos"
for f in "$photos"/bench_12mp_*.jpg; do ln -s "$(realpath "$f")" "$work/photos/"; done
python3 scripts/host-roll.py "$work/photos" "$work" >/dev/null
run() { # name, then the analyze arguments
    local name=$1 db="$work/$1.db"
    shift
    if [ "$name" = folder ]; then
        "$k" --db "$db" scan "$work/photos" >/dev/null
    else
        "$k" --db "$db" sync --records "$work/records.jsonl" >/dev/null
    fi
    "$k" --db "$db" consent grant all >/dev/null
    # The pixel path alone (its goal predates themes): the classifier adds its own
    # memory, measured by `bench index`.
    "$k" --db "$db" analyze --model "$model" --no-people --no-themes --threads 2 --json "$@" >"$work/$name.json"
}
run folder
run encoded --host-pixels "$work/map.jsonl" --host-pixels-mode encoded
run rgba --host-pixels "$work/map.jsonl" --host-pixels-mode rgba
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
runs = {n: json.load(open(f"{work}/{n}.json")) for n in ("folder", "encoded", "rgba")}
base = runs["folder"]["analysed"] / runs["folder"]["wall_s"]
ok = True
for name, r in runs.items():
    rate = r["analysed"] / r["wall_s"]
    print(f"  {name:>7}: {r['analysed']} photos, {rate:5.2f} photos/s ({rate / base:.2f}x folder), "
          f"failed {r['failed']}, need host pixels {r['need_host_pixels']}, "
          f"records completed from bytes {r['metadata_filled']}, peak RSS {r['peak_rss_mb']:.0f} MB")
    ok &= r["failed"] == 0 and r["need_host_pixels"] == 0 and r["analysed"] > 0
    if name != "folder":
        ok &= r["peak_rss_mb"] < 150
print("host pixels: goal (peak RSS < 150 MB on 2 workers, nothing failed)", "met" if ok else "NOT met")
sys.exit(0 if ok else 1)
PY
