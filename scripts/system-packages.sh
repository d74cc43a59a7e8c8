#!/usr/bin/env bash
# The Debian packages Keepsake needs, in one place: set-up, the test command and CI call
# this. `scripts/system-packages.sh setup|test|ci` installs what is missing for that job
# when run as root (apt-get), and otherwise prints the one `apt-get install` line to run
# and exits 1. `--list` prints the packages without checking anything.
#
#   setup: gcc (SQLite is built from source), cmake and nasm (libjpeg-turbo, built from
#          source for the harness), python3-venv (the model and sample-photo packages)
#   test:  + maven and a Java 17 runtime (the Android tests resolve Kotlin, JUnit, JNA and
#          Robolectric through Maven into target/), chromium (the report test plays a
#          story in the page), ffmpeg (the video test decodes the recap independently)
#   ci:    + util-linux (taskset: one-core benchmark runs)
# The Rust toolchain (rustup, with rustfmt and clippy) is not a Debian package here.
set -euo pipefail
job=${1:-test}

# package: the command or file that shows it is installed
declare -A probe=(
    [gcc]="cmd:gcc"
    [cmake]="cmd:cmake"
    [nasm]="cmd:nasm"
    [python3-venv]="py:ensurepip"
    [maven]="cmd:mvn"
    [openjdk-17-jre-headless]="cmd:java"
    [chromium]="cmd:chromium"
    [ffmpeg]="cmd:ffprobe"
    [util-linux]="cmd:taskset"
)
setup=(gcc cmake nasm python3-venv)
test=("${setup[@]}" maven openjdk-17-jre-headless chromium ffmpeg)
ci=("${test[@]}" util-linux)

case "$job" in
    setup) wanted=("${setup[@]}") ;;
    test) wanted=("${test[@]}") ;;
    ci) wanted=("${ci[@]}") ;;
    --list)
        echo "${ci[*]}"
        exit 0
        ;;
    *)
        echo "usage: $0 setup|test|ci|--list" >&2
        exit 2
        ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
    check=${probe[$pkg]}
    case "$check" in
        cmd:*) command -v "${check#cmd:}" >/dev/null 2>&1 || missing+=("$pkg") ;;
        py:*) python3 -c "import ${check#py:}, venv" >/dev/null 2>&1 || missing+=("$pkg") ;;
    esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "system-packages ($job): installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    exit 0
fi
echo "system-packages ($job): missing ${missing[*]}; run:" >&2
echo "  sudo apt-get install -y ${missing[*]}" >&2
exit 1
