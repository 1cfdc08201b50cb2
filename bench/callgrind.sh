#!/bin/sh
# bench/callgrind.sh - instructions per alloc+free pair of each mmbench
# workload and peer, counted by callgrind (stable on a noisy machine,
# unlike times); then the slab and kmalloc workloads again under each
# allocator of SLABS (mmbench --slab=...: slab_pair/slub, kmalloc_random/slob;
# the first lines, without a suffix, are SLAB's, the default).
#   BUILD=build N=100000 sh bench/callgrind.sh
#   SLABS="slub slob" (default) or SLABS= (SLAB only)
#   ALL=0 SLABS="slab slub slob" sh bench/callgrind.sh
#	only the slab and kmalloc workloads, once per allocator (quick)
#   BOOT="arch=x86_32 mem=1G" sh bench/callgrind.sh	(mmbench's --boot=:
#	the kmap workloads need highmem)
#   OUT=cg VG_OPTS=--dump-instr=yes sh bench/callgrind.sh
#	keeps each workload's dump as cg/callgrind.<workload> (a / in the
#	name becomes _), for callgrind_annotate --inclusive=yes cg/callgrind.slab_pair
set -eu
BUILD=${BUILD:-build}
N=${N:-100000}
OUT=${OUT:-}
BOOT=${BOOT:-}
VG_OPTS=${VG_OPTS:-}
SLABS=${SLABS-slub slob}
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (make deps-bench)" >&2; exit 2; }
[ -x "$BUILD/mmbench" ] || { echo "callgrind.sh: build $BUILD/mmbench first (make)" >&2; exit 2; }
# jemalloc's initial-exec TLS needs more static TLS than glibc keeps for
# dlopen(); mmbench re-executes itself for it, which valgrind would not
# follow, so set it here (see bench/peers.c).
GLIBC_TUNABLES=${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.rtld.optional_static_tls=16384
export GLIBC_TUNABLES
# a kept dump must stand alone: no names defined in an earlier dump
[ -z "$OUT" ] || VG_OPTS="--compress-strings=no --compress-pos=no $VG_OPTS"
[ -z "$OUT" ] || mkdir -p "$OUT"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# count ARGS...: one mmbench --count-instructions run (its extra arguments
# given), a line per workload; 1 if mmbench failed (its stderr shown)
count() {
	rm -f "$dir"/cg.*
	# shellcheck disable=SC2086
	valgrind --tool=callgrind --collect-atstart=no $VG_OPTS --callgrind-out-file="$dir/cg.%p" \
		"$BUILD/mmbench" ${BOOT:+"--boot=$BOOT"} "$@" --count-instructions="$N" \
		>"$dir/log" 2>"$dir/err" || { cat "$dir/err" >&2; return 1; }
	# the dumps in the order taken: cg.<pid>.<n>, n from 1
	for f in "$dir"/cg.*.*; do echo "${f##*.} $f"; done | sort -n | while read -r _ f; do
		name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
		[ -n "$name" ] || continue
		ir=$(sed -n 's/^totals: //p' "$f")
		awk -v n="$name" -v ir="$ir" -v count="$N" \
			'BEGIN { printf "%-22s %8.1f instructions per pair (%d pairs)\n", n, ir / count, count }'
		[ -z "$OUT" ] || cp "$f" "$OUT/callgrind.$(printf '%s' "$name" | tr / _)"
	done
	sed -n 's/^skipped /skipped: /p' "$dir/log"
}

[ "${ALL:-1}" = 0 ] || count || exit 1
for a in $SLABS; do
	count "--slab=$a" || echo "skipped: the slab=$a workloads (mmbench --slab=$a failed)"
done
