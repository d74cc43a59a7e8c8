#!/usr/bin/env bash
# The shipped library imports no networking: builds the release cdylib (the profile apps
# ship) and fails if its dynamic symbol table asks for any socket or name-resolution
# function. A canary library that calls socket() must be caught, so the check bites.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='socket|socketpair|connect|bind|listen|accept|accept4|getaddrinfo|freeaddrinfo|gai_strerror|gethostbyname|gethostbyname2|gethostbyname_r|gethostbyaddr|getnameinfo|res_init|res_query|res_search|res_nquery|__res_init|sendto|recvfrom|sendmsg|recvmsg|setsockopt|getsockopt|getpeername|getsockname|inet_pton|inet_ntop|if_nametoindex'
network_imports() {
    nm -D --undefined-only "$1" | awk '{print $NF}' | sed 's/@.*//' | grep -E -x "$banned" || true
}
canary_dir=$(mktemp -d)
trap 'rm -rf "$canary_dir"' EXIT
echo 'int socket(int, int, int); int canary(void) { return socket(2, 1, 0); }' |
    gcc -shared -fPIC -x c - -o "$canary_dir/libcanary.so"
[ -n "$(network_imports "$canary_dir/libcanary.so")" ] || { echo "check-symbols: the canary was not caught" >&2; exit 1; }

cargo build --release --locked -p keepsake-ffi
lib=target/release/libkeepsake_ffi.so
found=$(network_imports "$lib")
if [ -n "$found" ]; then
    echo "check-symbols: $lib imports networking functions:" >&2
    echo "$found" >&2
    exit 1
fi
bytes=$(stat -c %s "$lib")
echo "release library size: $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB (%d bytes)", b / 1e6, b }'), stripped, fat LTO; largest sections:"
size -A "$lib" | awk '($1 ~ /^\./ || $1 == "Total") && $2 > 500000 { printf "  %-20s %6.1f MB\n", $1, $2 / 1e6 }'
echo "check-symbols: $lib ($(du -h "$lib" | cut -f1)) imports $(nm -D --undefined-only "$lib" | wc -l) symbols, none for sockets or DNS (canary caught)"
