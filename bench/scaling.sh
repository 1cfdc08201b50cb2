#!/bin/sh
# bench/scaling.sh - throughput of each mmbench workload with 1 and 2
# threads (each its own simulated CPU, real time) and their ratio; then the
# slab and kmalloc workloads again under each allocator of SLABS (mmbench
# --slab=...: slab_pair/slub, kmalloc_random/slob; the lines without a
# suffix are SLAB's, the default).
#   sh bench/scaling.sh [--benchmark_* flags]
#   BUILD=build sh bench/scaling.sh --benchmark_filter='slab|kmalloc' --benchmark_min_time=0.5
#   SLABS="slub slob" (default) or SLABS= (SLAB only)
# With --benchmark_repetitions=N, each rate is the median of the N runs
# (a busy machine slows some runs, rarely speeds one up).
set -eu
BUILD=${BUILD:-build}
[ -x "$BUILD/mmbench" ] || { echo "scaling.sh: build $BUILD/mmbench first (make)" >&2; exit 2; }
SLABS=${SLABS-slub slob}
json=$(mktemp)
trap 'rm -f "$json" "$json".*' EXIT
"$BUILD/mmbench" "$@" --benchmark_format=json >"$json"
files=$json
for a in $SLABS; do
	if "$BUILD/mmbench" "--slab=$a" "$@" --benchmark_format=json >"$json.$a"; then
		files="$files $json.$a"
	else
		echo "scaling.sh: skipped the slab=$a workloads (mmbench --slab=$a failed)" >&2
	fi
done
# shellcheck disable=SC2086
# gbench's JSON has one field per line: "name": ..., "run_type": ...,
# "items_per_second": ...; a run is name/real_time/threads:N.
awk '
/^ *"name": / {
	name = $0; sub(/^ *"name": "/, "", name); sub(/",?$/, "", name)
	iter = 0
}
/^ *"run_type": "iteration"/ { iter = 1 }
/^ *"error_occurred": true/ { iter = 0 }
/^ *"items_per_second": / && iter {
	v = $2; sub(/,$/, "", v); v += 0
	if (match(name, /\/threads:[0-9]+$/)) {
		t = substr(name, RSTART + 9)
		base = substr(name, 1, RSTART - 1); sub(/\/real_time$/, "", base)
		if (!(base in seen)) { seen[base] = 1; order[++nb] = base }
		val[base, t, ++cnt[base, t]] = v
	}
}
function median(b, t,    n, i, j, x, a) {
	n = cnt[b, t]
	if (!n)
		return 0
	for (i = 1; i <= n; i++) {
		x = val[b, t, i]
		for (j = i - 1; j >= 1 && a[j] > x; j--)
			a[j + 1] = a[j]
		a[j + 1] = x
	}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	printf "%-24s %16s %16s %8s\n", "workload", "1 thread (/s)", "2 threads (/s)", "2 vs 1"
	for (i = 1; i <= nb; i++) {
		b = order[i]
		r1 = median(b, 1)
		r2 = median(b, 2)
		if (r1 && r2)
			printf "%-24s %16.4g %16.4g %7.2fx\n", b, r1, r2, r2 / r1
		else if (r1 || r2)
			printf "%-24s %16.4g %16.4g %8s\n", b, r1, r2, "-"
	}
}' $files	# (mktemp's names have no blanks)
