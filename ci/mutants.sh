#!/bin/sh
# ci/mutants.sh - the mutation self-test: every seeded bug of the catalogue
# (ci/mutants.txt, whose top says how to write one) must be caught by the
# harness.  For each mutant: copy the tree (git's files, as they are in the
# working tree) and the build directory (mtimes kept, so only what the edit
# touches is rebuilt) into a scratch directory, apply the mutant's edit
# there (never in the checkout), build mmstress, and run it on the default
# machine:
#   mmstress run --duration $TIMEOUT --seed $SEED --fail-fast --json ... [options]
# Caught: the run fails (exit 1, with the JSON's first violation: its kind,
# message and time), or a sanitizer stops it (its report on stderr).  A
# mutant that escapes its first build is tried in the next one it names
# (release, then tsan, then asan).  One line per mutant, then a summary with
# the slowest catch.
#   sh ci/mutants.sh [NAME...]      the whole catalogue, or the mutants named
#   sh ci/mutants.sh --list         the catalogue: name, builds, requires, class
# Environment (like ci/soak):
#   BUILDS="release tsan asan"  the builds it may use (a mutant tries those of
#                   its own builds line that are here, in its order)
#   TIMEOUT=60      seconds each run lasts at most (--duration): the time a
#                   mutant has to be caught
#   SEED=1          the seed of every run (printed with each; timed runs on
#                   several CPUs do not replay exactly)
#   SUBSET="a b"    the mutants to run, as if named on the command line
#   OUT=mutants-logs  where each step's log goes (NAME.BUILD.{apply,make,run}.log,
#                   NAME.BUILD.json, and summary.txt: the lines printed)
#   CATALOGUE=ci/mutants.txt  the catalogue (a path from the top of the tree)
#   CONTROL=1       first run the unmutated checkout in each build used, with
#                   the same options: it must pass, or a catch means nothing
#   HANG=$((2*TIMEOUT+40))  the outer timeout of a run: past it (the harness
#                   ends a run within its duration + 5 s + 2 x --watchdog
#                   after it), the run is killed and reported as hung
#   KEEP=0          1: keep the scratch trees (in $OUT/trees/)
# Exit: 0 every mutant caught; 1 one escaped, did not apply (its lines not
# found exactly once: the catalogue must follow the code), did not build, or
# the control run failed; 2 bad usage (an unknown mutant: the list is
# printed).  A mutant marked "requires" (its detector is not merged yet) is
# run and reported, but only a failure to apply or build counts.
set -u
OUT=${OUT:-mutants-logs}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
cd "$(dirname "$0")/.." || exit 2
CATALOGUE=${CATALOGUE:-ci/mutants.txt}
BUILDS=${BUILDS:-release tsan asan}
TIMEOUT=${TIMEOUT:-60}
SEED=${SEED:-1}
CONTROL=${CONTROL:-1}
KEEP=${KEEP:-0}
SUBSET=${SUBSET:-}
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1 abort_on_error=0 halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1 halt_on_error=1}"

usage() {
	sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
}

mt() { perl ci/mutants.pl "$@"; }

case "${1:-}" in
-h|--help) usage ;;
--list) mt list "$CATALOGUE" | awk -F '\t' '{ printf "%-28s %-18s %-9s %s\n", $1, $2, ($3 == "" ? "-" : $3), $4 }'
	exit $? ;;
-*) echo "mutants: unknown option '$1'" >&2; usage ;;
esac
command -v perl >/dev/null || { echo "mutants: perl is needed (Debian: apt-get install perl)" >&2; exit 2; }
mt check "$CATALOGUE" || exit 1
case "$TIMEOUT" in ''|*[!0-9]*|0) echo "mutants: TIMEOUT=$TIMEOUT: expected a positive number of seconds" >&2; exit 2 ;; esac
case "$SEED" in ''|*[!0-9]*) echo "mutants: SEED=$SEED: expected a non-negative integer" >&2; exit 2 ;; esac
HANG=${HANG:-$((2 * TIMEOUT + 40))}
for b in $BUILDS; do
	case "$b" in release|tsan|asan) ;;
	*) echo "mutants: BUILDS: unknown build '$b' (release, tsan, asan)" >&2; exit 2 ;;
	esac
done

all=$(mt list "$CATALOGUE" | cut -f1)
[ $# -gt 0 ] || set -- $SUBSET
[ $# -gt 0 ] || set -- $all
for name in "$@"; do
	if ! printf '%s\n' "$all" | grep -qx -- "$name"; then
		echo "mutants: unknown mutant '$name'; the catalogue ($CATALOGUE) has:" >&2
		printf '  %s\n' $all >&2
		exit 2
	fi
done

dir_of() { case "$1" in release) echo build ;; tsan) echo build-tsan ;; asan) echo build-asan ;; esac; }
san_of() { case "$1" in release) echo "" ;; tsan) echo thread ;; asan) echo address ;; esac; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

mkdir -p "$OUT" || exit 2
: >"$OUT/summary.txt"
say() { printf '%s\n' "$*" | tee -a "$OUT/summary.txt"; }
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mutants.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

# The builds the chosen mutants may use (each is made in the checkout, and
# its control run made, when a mutant first needs it: see prepare).
used=
for b in $BUILDS; do
	for name in "$@"; do
		case " $(mt get "$CATALOGUE" "$name" builds) " in *" $b "*) used="$used $b"; break ;; esac
	done
done
default_boot=	# the default machine's boot line, which a mutant's boot parameters extend

# The tree as it is in the working tree (git's files, and the new ones it
# does not ignore; not the logs), with its mtimes, into $1.
case "$OUT/" in "$PWD"/*) out_rel=${OUT#"$PWD"/} ;; *) out_rel=/ ;; esac
copy_tree() {
	mkdir -p "$1" &&
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard |
			while IFS= read -r f; do
				case "$f" in "$out_rel"/*) continue ;; esac
				[ -e "$f" ] && printf '%s\n' "$f"
			done | tar -cf - -T - | tar -xf - -C "$1"
	else
		tar -cf - --exclude=./build --exclude=./build-tsan --exclude=./build-asan \
			--exclude=./.git --exclude="./$out_rel" . | tar -xf - -C "$1"
	fi
}

# run_one TREE BUILD OPTIONS BOOT LOGBASE EXPECT: one mmstress run, and its
# verdict in $verdict (caught, escaped, wrong, hung, crashed, usage), $what
# and $secs (when it was caught: the violation's time, or the sanitizer's).
run_one() {
	r_bin=$1/$(dir_of "$2")/mmstress r_opts=$3 r_boot=$4 r_base=$5 r_expect=$6
	rm -f "$r_base.json"
	set -- run --quiet --duration "$TIMEOUT" --seed "$SEED" --fail-fast --json "$r_base.json"
	[ -z "$r_boot" ] || set -- "$@" --boot "$default_boot $r_boot"
	echo "+ $r_bin $* $r_opts" >"$r_base.run.log"
	r_t0=$(now)
	# shellcheck disable=SC2086 # the options are words
	timeout -k 10 "$HANG" "$r_bin" "$@" $r_opts >>"$r_base.run.log" 2>&1
	r_rc=$? secs=$(since "$r_t0")
	r_san=$(grep -m1 -o -E '(ThreadSanitizer|AddressSanitizer|LeakSanitizer): [A-Za-z-]+( [a-z-]+)?|runtime error: .{0,80}' \
		"$r_base.run.log")
	r_v=$(mt verdict "$r_base.json" "$r_expect")
	r_any=$(mt verdict "$r_base.json")
	if [ -n "$r_san" ]; then
		verdict=caught what=$r_san
	elif [ "$r_rc" -eq 124 ] || [ "$r_rc" -eq 137 ]; then
		verdict=hung what="hung: not caught by the harness (killed after $HANG s)"
	elif [ "$r_rc" -eq 2 ]; then
		verdict=usage what="bad usage: $(grep -m1 '^mmstress' "$r_base.run.log")"
	elif [ -n "$r_v" ]; then
		verdict=caught
		secs=$(printf '%s' "$r_v" | cut -f2)
		what="$(printf '%s' "$r_v" | cut -f1): $(printf '%s' "$r_v" | cut -f3 | cut -c1-110)"
	elif [ -n "$r_any" ]; then
		verdict=wrong
		what="caught by $(printf '%s' "$r_any" | cut -f1), not by $r_expect: $(printf '%s' "$r_any" | cut -f3 | cut -c1-80)"
	elif grep -q 'Kernel panic - not syncing' "$r_base.run.log"; then
		verdict=caught what=$(grep -m1 -o 'Kernel panic - not syncing.*' "$r_base.run.log" | cut -c1-110)
	elif [ "$r_rc" -eq 1 ] && [ -z "$r_expect" ]; then
		verdict=caught what="exit 1 without a JSON report (see $r_base.run.log)"
	elif [ "$r_rc" -eq 0 ]; then
		verdict=escaped what="passed"
	elif [ "$r_rc" -gt 128 ]; then
		verdict=crashed what="crashed (signal $((r_rc - 128))) without a report"
		r_bug=$(grep -m1 -E '^(BUG|WARNING|DATA CORRUPTION)' "$r_base.run.log" | cut -c1-80)
		[ -z "$r_bug" ] || what="$what, after the console's \"$r_bug\""
	else
		verdict=escaped what="exit $r_rc${r_expect:+ without a $r_expect violation}"
	fi
}

# Build $1 in the checkout (the scratch copies start from its objects) and,
# with CONTROL=1, run the unmutated tree in it: it must pass.  Once per build.
prepared=
prepare() {
	case " $prepared " in *" $1 "*) return 0 ;; esac
	prepared="$prepared $1"
	if ! make SAN="$(san_of "$1")" "$(dir_of "$1")/mmstress" >"$OUT/checkout.$1.make.log" 2>&1; then
		echo "mutants: the unmutated $1 build fails: see $OUT/checkout.$1.make.log" >&2
		exit 1
	fi
	[ -n "$default_boot" ] ||
		default_boot=$("$(dir_of "$1")"/mmstress topo | sed -n 's/.*, boot "\(.*\)"$/\1/p')
	[ "$CONTROL" != 0 ] || return 0
	run_one . "$1" "" "" "$OUT/control.$1" ""
	if [ "$verdict" = escaped ] && [ "$what" = passed ]; then
		say "$(printf '%-28s %-7s %-14s %6s s  %s' control "$1" passed "$secs" "the unmutated tree")"
		return 0
	fi
	say "$(printf '%-28s %-7s %-14s %6s s  %s' control "$1" FAILED "$secs" "$what")"
	status=1
}

status=0
echo "mutants: $# mutant(s), builds: ${used# }, --duration $TIMEOUT --seed $SEED on the default machine, logs in $OUT"

n_caught=0 n_escaped=0 n_broken=0 n_unverified=0 slow_s=-1 slow=
for name in "$@"; do
	builds=$(mt get "$CATALOGUE" "$name" builds)
	requires=$(mt get "$CATALOGUE" "$name" requires)
	expect=$(mt get "$CATALOGUE" "$name" expect)
	options=$(mt get "$CATALOGUE" "$name" options)
	boot=$(mt get "$CATALOGUE" "$name" boot)
	tree=$scratch/$name
	tried= result= line_build=- secs=-
	what="no build of its ($builds) is in BUILDS=\"$BUILDS\""
	for b in $builds; do
		case " $BUILDS " in *" $b "*) ;; *) continue ;; esac
		d=$(dir_of "$b")
		base=$OUT/$name.$b
		prepare "$b"
		rm -rf "$tree"
		copy_tree "$tree" && cp -a "$d" "$tree/" ||
			{ echo "mutants: cannot copy the tree to $tree" >&2; exit 1; }
		if ! mt apply "$CATALOGUE" "$name" "$tree" >"$base.apply.log" 2>&1; then
			result="DOES NOT APPLY" line_build=$b secs=-
			what=$(head -n 1 "$base.apply.log")
			break
		fi
		t0=$(now)
		if ! make -C "$tree" NODEPS=1 SAN="$(san_of "$b")" "$d/mmstress" >"$base.make.log" 2>&1; then
			result="DOES NOT BUILD" line_build=$b secs=-
			what="$(grep -m1 -E 'error:|Error' "$base.make.log" | cut -c1-110) (see $base.make.log)"
			break
		fi
		echo "mutants: $name ($b): rebuilt $(grep -c -E ' -c [^ ]+\.c' "$base.make.log") object(s) in $(since "$t0") s" \
			>>"$base.make.log"
		run_one "$tree" "$b" "$options" "$boot" "$base" "$expect"
		line_build=$b
		if [ "$verdict" = caught ]; then
			result=caught
			break
		fi
		tried="$tried $b: $what;"
		result=ESCAPED
	done
	[ "$KEEP" = 0 ] || { mkdir -p "$OUT/trees" && rm -rf "$OUT/trees/$name" && mv "$tree" "$OUT/trees/"; }
	rm -rf "$tree"
	[ -n "$result" ] || result=ESCAPED
	case "$result" in
	caught)
		[ -z "$tried" ] || what="$what [before:${tried%;}]"
		if awk -v a="$secs" -v b="$slow_s" 'BEGIN { exit !(a > b) }'; then
			slow_s=$secs slow="$name ($line_build)"
		fi ;;
	ESCAPED) what="escaped every build:${tried%;}" ;;
	esac
	if [ -n "$requires" ] && [ "$result" = caught ]; then
		what="$what [requires $requires: caught as expected: delete its requires line]"
	elif [ -n "$requires" ]; then
		what="$what [requires $requires: unverified]"
	fi
	say "$(printf '%-28s %-7s %-14s %6s s  %s' "$name" "$line_build" "$result" "$secs" "$what")"
	case "$result" in
	caught) n_caught=$((n_caught + 1)) ;;
	ESCAPED) if [ -n "$requires" ]; then n_unverified=$((n_unverified + 1)); else
			n_escaped=$((n_escaped + 1)) status=1; fi ;;
	*) n_broken=$((n_broken + 1)) status=1 ;;
	esac
done
say "mutants: $n_caught caught, $n_escaped escaped, $n_broken did not apply or build, $n_unverified not caught but waiting for their detector (requires); slowest catch: ${slow:-none}${slow:+ in $slow_s s}; logs in $OUT/"
exit $status
