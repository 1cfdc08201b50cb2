#!/bin/sh
# ci/soak-selftest.sh - the soak's own test, for the closing note (not in
# make check: it builds a mutated tree and soaks it for about a minute).
# It applies one seeded bug of ci/mutants.txt that the release build
# catches fast (MUTANT=zone-free-count: NR_FREE_PAGES not updated on a
# drain, caught by the first periodic mm_check() at 5 s) to a scratch copy
# of the tree, as ci/mutants.sh does (git's files and build/ copied with
# their mtimes, then ci/mutants.pl apply), builds it, runs a one-shard soak
# on it (ci/soak, release, DURATION=30, PER_RUN=8, no self-test or stress
# tests) and checks that
#   - the soak exits non-zero and its summary counts the failures;
#   - a failure's folder holds command, build, seed, boot, jobs, fail,
#     report.json, output.log, replay and README.txt;
#   - its replay script (mmstress replay DIR) fails the same way: exit 1,
#     and replay.json's first violation of the same kind as report.json's.
# Prints PASS or FAIL with the figures; exit 0 (PASS), 1 (FAIL), 2 (set-up).
#   sh ci/soak-selftest.sh     (after make; MUTANT=, DURATION=, PER_RUN=, KEEP=1)
set -u
cd "$(dirname "$0")/.." || exit 2
MUTANT=${MUTANT:-zone-free-count}
DURATION=${DURATION:-30}
PER_RUN=${PER_RUN:-8}
KEEP=${KEEP:-0}
[ -x build/mmstress ] || { echo "soak-selftest: build build/mmstress first: make" >&2; exit 2; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/soak-selftest.XXXXXX") || exit 2
[ "$KEEP" != 0 ] || trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
tree=$scratch/tree
log=$scratch/soak.log

# the tree as ci/mutants.sh copies it: git's files as in the working tree
# (and the new ones it does not ignore), the build with its mtimes
mkdir -p "$tree" &&
git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
	[ -e "$f" ] && printf '%s\n' "$f"
done | tar -cf - -T - | tar -xf - -C "$tree" && cp -a build "$tree/" ||
	{ echo "soak-selftest: cannot copy the tree to $tree" >&2; exit 2; }
perl ci/mutants.pl apply ci/mutants.txt "$MUTANT" "$tree" ||
	{ echo "soak-selftest: mutant $MUTANT does not apply" >&2; exit 2; }
make -C "$tree" NODEPS=1 build/mmstress >"$scratch/make.log" 2>&1 ||
	{ echo "soak-selftest: the mutated tree does not build ($scratch/make.log)" >&2; exit 2; }

t0=$(date +%s)
(cd "$tree" && DURATION=$DURATION PER_RUN=$PER_RUN BUILDS=release MUTANTS=0 STRESS_TESTS=0 \
	SOAK_SEED=${SOAK_SEED:-1} OUT=soak-artifacts sh ci/soak --shard 1/1) >"$log" 2>&1
soak_rc=$?
soak_s=$(($(date +%s) - t0))
summary=$(grep -m1 '^soak summary:' "$log")
bad=

[ "$soak_rc" -ne 0 ] || bad="$bad; the soak passed (exit 0)"
dir=$(ls -d "$tree"/soak-artifacts/release-* 2>/dev/null | head -n 1)
missing=
if [ -z "$dir" ]; then
	bad="$bad; no artifacts folder in $tree/soak-artifacts/"
else
	for f in command build seed boot jobs fail report.json output.log replay README.txt; do
		[ -f "$dir/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] || bad="$bad; $dir lacks:$missing"
fi
kind() { perl ci/mutants.pl verdict "$1" | cut -f1; }
orig=- again=- replay_rc=-
if [ -n "$dir" ] && [ -z "$missing" ]; then
	orig=$(kind "$dir/report.json")
	(cd "$tree" && sh "$dir/replay") >"$scratch/replay.log" 2>&1
	replay_rc=$?
	again=$(perl ci/mutants.pl verdict "$dir/replay.json" "$orig" | cut -f1)
	[ "$replay_rc" -eq 1 ] || bad="$bad; the replay exited $replay_rc, not 1"
	[ -n "$orig" ] && [ "$again" = "$orig" ] ||
		bad="$bad; the replay's violations ($(kind "$dir/replay.json")) lack the original's kind (${orig:-none})"
fi
echo "soak-selftest: mutant $MUTANT; soak (DURATION=$DURATION PER_RUN=$PER_RUN, release, shard 1/1): exit $soak_rc in $soak_s s"
echo "soak-selftest: ${summary:-no summary line}"
grep '^soak: FAIL \[' "$log" | head -n 3 | sed 's/^/soak-selftest: /'
echo "soak-selftest: folder ${dir:-none}: ${missing:+missing$missing}${missing:-every file there}"
echo "soak-selftest: replay: exit $replay_rc; first violation kind: report.json ${orig:-none}, replay.json ${again:-none}"
if [ -z "$bad" ]; then
	echo "soak-selftest: PASS"
	exit 0
fi
echo "soak-selftest: FAIL${bad} (soak log: $log; KEEP=1 keeps it)"
exit 1
