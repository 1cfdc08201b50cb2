#!/bin/sh
# tests/outside_program.sh - build outside programs against $BUILD/mmsim.pc
# alone: a C one that boots mem=1G nodes=1 cpus=2 and checks the zoneinfo
# watermarks that REFERENCE.md's formulas give and mm_check()'s line, and a
# C++ one that uses the allocator and the synchronisation primitives on
# every CPU.  Called by `make test` with BUILD, CC and CXX.
set -eu
BUILD=${BUILD:-build}
CC=${CC:-cc}
CXX=${CXX:-c++}
prog="$BUILD/tests/outside_zoneinfo"
mkdir -p "$BUILD/tests"
# shellcheck disable=SC2046
$CC tests/outside/zoneinfo.c $(PKG_CONFIG_PATH="$BUILD" pkg-config --cflags --libs mmsim) -o "$prog"

fail() { echo "outside program: $*" >&2; exit 1; }
expect() {	# expect OUTPUT ZONE MIN LOW HIGH
	printf '%s\n' "$1" | awk -v z="$2" -v mn="$3" -v lo="$4" -v hi="$5" '
		$0 ~ "^Node 0, zone +" z "$" { inz = 1; next }
		/^Node / { inz = 0 }
		inz && $1 == "min" { m = $2 } inz && $1 == "low" { l = $2 } inz && $1 == "high" { h = $2 }
		END { exit !(m == mn && l == lo && h == hi) }' ||
		fail "zone $2: expected min $3 low $4 high $5"
}

# x86_64 mem=1G: min_free_kbytes 4096 over DMA (4096 pages) and DMA32 (258048)
out=$("./$prog" "quiet mem=1G nodes=1 cpus=2") || fail "mem=1G nodes=1 cpus=2 did not run"
expect "$out" DMA 16 20 24
expect "$out" DMA32 1008 1266 1524
# mm_check()'s line when every invariant holds: the conservation law it saw
printf '%s\n' "$out" | grep -qx "mm_check: all invariants hold: 1 node, 2 zones, 262144 pages = [0-9]* free + [0-9]* on per-CPU lists + 0 allocated (0 slab pages in [0-9]* caches)" ||
	fail "no mm_check() line, or not the expected one"
printf '%s\n' "$out" | grep -q "protection: (0, 1008, 1008, 1008)" || fail "DMA protection"
# REFERENCE.md's example, one 1 GiB Normal zone: RAM above 4G
out=$("./$prog" "quiet mem=1G nodes=1 cpus=2 memstart=4G") || fail "memstart=4G did not run"
expect "$out" Normal 1024 1286 1548

# C++: the public headers compile as C++, and the program runs
cxxprog="$BUILD/tests/outside_cxx_user"
# shellcheck disable=SC2046
$CXX -std=gnu++17 -Wall -Wextra -Werror tests/outside/cxx_user.cc \
	$(PKG_CONFIG_PATH="$BUILD" pkg-config --cflags --libs mmsim) -o "$cxxprog"
out=$("./$cxxprog") || fail "the C++ program failed: $out"
printf '%s\n' "$out" | grep -qx "cxx_user: ok" || fail "the C++ program: $out"
echo "outside programs ($BUILD): C and C++ built with mmsim.pc, zoneinfo watermarks as REFERENCE.md"
