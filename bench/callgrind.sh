#!/bin/sh
# bench/callgrind.sh - instructions per operation of each mmbench workload,
# counted by callgrind (stable on a noisy machine, unlike times).
#   BUILD=build N=100000 sh bench/callgrind.sh
set -eu
BUILD=${BUILD:-build}
N=${N:-100000}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (make deps)" >&2; exit 2; }
[ -x "$BUILD/mmbench" ] || { echo "callgrind.sh: build $BUILD/mmbench first (make)" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$dir/cg.%p" \
	"$BUILD/mmbench" --count-instructions="$N" >"$dir/log" 2>"$dir/err" ||
	{ cat "$dir/err" >&2; exit 1; }
for f in "$dir"/cg.*.*; do
	name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	[ -n "$name" ] || continue
	ir=$(sed -n 's/^totals: //p' "$f")
	awk -v n="$name" -v ir="$ir" -v count="$N" \
		'BEGIN { printf "%-20s %8.1f instructions per operation (%d operations)\n", n, ir / count, count }'
done
