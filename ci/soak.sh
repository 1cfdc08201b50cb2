#!/bin/sh
# ci/soak.sh - the nightly soak: first the mutation self-test (ci/mutants.sh,
# the whole catalogue) and the stress suites of the build (make stress-test,
# tests/stress/), once each; then mmstress on a rotation of
# machines (synthetic NUMA topologies larger than the host, x86_32 with
# highmem, tight memory, slab_debug with a fast reap) with fresh seeds
# until the time is up (the self-test's and stress suites' time included); keep the log of
# every failure with the command that replays it.
#   MINUTES=60 BUILD=build sh ci/soak.sh      (BUILD=build-tsan: TSan, WATCHDOG=60)
#   STRESS_TESTS=0: no stress suites; MUTANTS=0: no mutation self-test
#   JITTER=1: every run's --jitter level (race windows widened; 0: off)
set -u
MINUTES=${MINUTES:-30}
BUILD=${BUILD:-build}
PER_RUN=${PER_RUN:-20}
JITTER=${JITTER:-1}
OUT=${OUT:-soak-logs}
# A sanitizer build runs several times slower: on the 64-CPU machine the IPI
# storms of kmem_cache_shrink()/destroy() then take seconds per operation
# (measured: 8 s at most under TSan), which the default 10 s watchdog would
# call a soft lockup.
case "$BUILD" in
*tsan*|*asan*) WATCHDOG=${WATCHDOG:-60} ;;
*) WATCHDOG=${WATCHDOG:-10} ;;
esac
[ -x "$BUILD/mmstress" ] || { echo "soak: build $BUILD/mmstress first (make, or make SAN=thread)" >&2; exit 2; }
mkdir -p "$OUT"
end=$(( $(date +%s) + MINUTES * 60 ))
runs=0 fails=0

# The mutation self-test, once: every seeded bug of ci/mutants.txt must be
# caught (in the builds each names, whatever BUILD is).
if [ "${MUTANTS:-1}" = 0 ]; then
	mutants="not run (MUTANTS=0)"
elif OUT="$OUT/mutants" sh ci/mutants.sh >"$OUT/mutants.log" 2>&1; then
	mutants="every mutant caught"
	rm -rf "$OUT/mutants.log" "$OUT/mutants"
else
	mutants=FAILED
	echo "soak: FAIL ($OUT/mutants.log, $OUT/mutants/): sh ci/mutants.sh"
	grep -E ' (ESCAPED|DOES NOT|FAILED)' "$OUT/mutants.log"
fi

# The stress suites of the same build: make [SAN=...] stress-test.
case "$BUILD" in
build) san= ;;
build-tsan) san=thread ;;
build-asan) san=address ;;
*) san=none ;;
esac
if [ "${STRESS_TESTS:-1}" = 0 ]; then
	stress="not run (STRESS_TESTS=0)"
elif [ "$san" = none ]; then
	stress="not run (no make build is $BUILD)"
elif make SAN="$san" stress-test >"$OUT/stress-test.log" 2>&1; then
	stress=passed
	rm -f "$OUT/stress-test.log"
else
	stress=FAILED
	echo "soak: FAIL ($OUT/stress-test.log): make${san:+ SAN=$san} stress-test"
fi

# (lockdep on in every machine: the sanitizer builds have it by default, a
# release build only when asked; debug_pagealloc on the small machine, whose
# few frames keep the direct map's unmapped runs far below vm.max_map_count;
# page_poison on the slab_debug one)
set -- "lockdep nodes=2 cpus=8 mem=512M" "lockdep nodes=4 cpus=32 mem=1G" \
       "lockdep nodes=8 cpus=64 mem=2G" "lockdep arch=x86_32 nodes=2 cpus=8 mem=2G" \
       "lockdep nodes=2 cpus=16 mem=48M debug_pagealloc=on" \
       "lockdep topology=\"numa:2 core:4 pu:2\" mem=1G" \
       "lockdep nodes=4 cpus=16 mem=512M slab_debug page_poison=on hz_scale=10"
while [ "$(date +%s)" -lt "$end" ]; do
	for boot in "$@"; do
		[ "$(date +%s)" -lt "$end" ] || break
		seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		runs=$((runs + 1))
		log="$OUT/run-$runs.log"
		if "$BUILD/mmstress" run --quiet --boot "$boot" --seed "$seed" --duration "$PER_RUN" \
			--watchdog "$WATCHDOG" --jitter "$JITTER" \
			--json "$OUT/run-$runs.json" >"$log" 2>&1; then
			rm -f "$OUT/run-$runs.json"
			rm -f "$log"
		else
			fails=$((fails + 1))
			echo "soak: FAIL ($log): $(grep '^replay:' "$log" || echo "$BUILD/mmstress run --boot '$boot' --seed $seed --jitter $JITTER")"
		fi
	done
done
echo "soak: mutants: $mutants; make stress-test $stress; $runs runs, $fails failed (logs in $OUT/)"
[ "$fails" -eq 0 ] && [ "$stress" != FAILED ] && [ "$mutants" != FAILED ]
