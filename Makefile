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
PKGS := hwloc liburcu-memb
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

LIB_SRCS := $(wildcard numa/*.c) $(wildcard mm/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
STRESS_SRCS := $(wildcard stress/*.c)
STRESS_OBJS := $(STRESS_SRCS:%.c=$(BUILD)/obj/%.o)
BENCH_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard bench/*.c)) \
	      $(patsubst %.cc,$(BUILD)/obj/%.o,$(wildcard bench/*.cc))
TEST_SRCS := $(wildcard tests/test_*.c)
TESTS := $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
LIB := $(BUILD)/libmmsim.a
PC := $(BUILD)/mmsim.pc

# Debian packages the build, the tests and the benchmarks need.
DEB_PKGS := gcc g++ make clang libclang-rt-14-dev pkg-config libhwloc-dev \
	    liburcu-dev libcmocka-dev libbenchmark-dev libjansson-dev valgrind \
	    libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0

# Sanitizer run-time settings for the test runs.
export TSAN_OPTIONS ?= halt_on_error=1 second_deadlock_stack=1
export ASAN_OPTIONS ?= detect_leaks=1 abort_on_error=0 halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1 halt_on_error=1

.PHONY: all deps check test run help clean install tsan asan
.DEFAULT_GOAL := all

all: $(LIB) $(PC) $(BUILD)/mmstress $(BUILD)/mmbench

# `make deps` installs whatever is missing, through sudo when not root.
deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing \
			|| { echo "make deps: apt-get failed for:$$missing" >&2; exit 1; }; \
	fi

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.cc | deps
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(shell pkg-config --cflags benchmark 2>/dev/null) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# An uninstalled pkg-config file: PKG_CONFIG_PATH=$(BUILD) pkg-config ...
$(PC): Makefile | deps
	@mkdir -p $(BUILD)
	@printf '%s\n' \
	  'libdir=$(CURDIR)/$(BUILD)' \
	  'includedir=$(CURDIR)/include' \
	  '' \
	  'Name: mmsim' \
	  'Description: user-space model of the Linux memory allocator (uninstalled, $(BUILD))' \
	  'Version: 0.1' \
	  'Requires: $(PKGS)' \
	  'Cflags: -I$${includedir} -pthread $(SANFLAGS)' \
	  'Libs: -L$${libdir} -lmmsim -pthread -rdynamic $(SANFLAGS)' > $@

$(BUILD)/mmstress: $(STRESS_OBJS) $(LIB)
	$(CC) $(LDFLAGS) $(STRESS_OBJS) $(LIB) $(PKG_LIBS) -ljansson -lm -o $@

$(BUILD)/mmbench: $(BENCH_OBJS) $(LIB)
	$(CXX) $(LDFLAGS) $(BENCH_OBJS) $(LIB) $(PKG_LIBS) $(shell pkg-config --libs benchmark 2>/dev/null || echo -lbenchmark) -ldl -o $@

$(BUILD)/tests/%: tests/%.c $(LIB) tests/testutil.h | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $< $(LIB) $(PKG_LIBS) -lcmocka -ljansson $(LDFLAGS) -o $@

tsan:
	$(MAKE) SAN=thread
asan:
	$(MAKE) SAN=address

# Build and run every test of one build (release, or SAN=...).
test: $(LIB) $(PC) $(TESTS) $(BUILD)/mmstress $(BUILD)/mmbench
	@echo "== tests: $(BUILD) =="
	@for t in $(TESTS); do \
		echo "-- $$t"; \
		./$$t || { echo "FAILED: $$t ($(BUILD))"; exit 1; }; \
	done
	@BUILD=$(BUILD) CC="$(CC)" sh tests/outside_program.sh

# The README's test command: release, TSan and ASan+UBSan suites.
check: deps
	$(MAKE) test
	$(MAKE) SAN=thread test
	$(MAKE) SAN=address test
	@echo "make check: all suites passed"

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
	@printf '%s\n' \
	  'prefix=$(PREFIX)' \
	  'libdir=$${prefix}/lib' \
	  'includedir=$${prefix}/include' \
	  '' \
	  'Name: mmsim' \
	  'Description: user-space model of the Linux memory allocator' \
	  'Version: 0.1' \
	  'Requires: $(PKGS)' \
	  'Cflags: -I$${includedir} -pthread $(SANFLAGS)' \
	  'Libs: -L$${libdir} -lmmsim -pthread -rdynamic $(SANFLAGS)' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/mmsim.pc

help:
	@echo "mmstress - make targets"
	@echo "  make              release build (-O2 -g) into build/: libmmsim.a, mmsim.pc, mmstress, mmbench"
	@echo "  make CC=clang     the same with clang (gcc is the default)"
	@echo "  make SAN=thread   clang ThreadSanitizer build into build-tsan/"
	@echo "  make SAN=address  clang ASan+UBSan build into build-asan/"
	@echo "  make run          the main job: mmstress run (all jobs, every CPU, 30 s)"
	@echo "  make check        build and run every test in the release, TSan and ASan builds"
	@echo "  make test         build and run the tests of one build (SAN=... selects it)"
	@echo "  make deps         install missing Debian packages (apt-get, sudo when not root)"
	@echo "  make install      install library, headers, mmsim.pc, mmstress, mmbench (PREFIX=$(PREFIX) DESTDIR=)"
	@echo "Benchmarks: ./build/mmbench [--benchmark_*]; sh bench/callgrind.sh (instructions per op);"
	@echo "            sh bench/scaling.sh [--benchmark_*] (1 vs 2 CPUs)"
	@echo "Soak: MINUTES=60 sh ci/soak.sh"
	@echo "  make clean        remove build/, build-tsan/, build-asan/"
	@echo "Outside programs: cc prog.c \$$(PKG_CONFIG_PATH=build pkg-config --cflags --libs mmsim)"

clean:
	rm -rf build build-tsan build-asan

-include $(LIB_OBJS:.o=.d) $(STRESS_OBJS:.o=.d) $(BENCH_OBJS:.o=.d)
