# gcloud-run-deploy -- see README.md for the variables below.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SCHEMADIR ?= $(PREFIX)/share/gcloud-run-deploy
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
SANITIZE ?=
# Where objects go; the sanitizer build uses its own folder.
B ?= build
VERSION = 0.1.0

PKGS = libcurl libcjson libbsd-overlay yaml-0.1 sqlite3
ifneq ($(filter-out clean install-deps fresh-test,$(or $(MAKECMDGOALS),all)),)
ifneq ($(shell $(PKG_CONFIG) --exists $(PKGS) && echo yes),yes)
$(error missing build dependencies ($(PKGS)); run ./install.sh or make install-deps (the packages: deps/debian-build.txt))
endif
endif

WARN = -Wall -Wextra -Wstrict-prototypes -Wformat-security \
	-Wmissing-prototypes -Wvla -Wwrite-strings -fno-common -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc \
	-DVERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(PKGS))
# libcurl is not linked: src/net/curlfn.c opens it when the first request is
# made, so a plain hand-over does not load its thirty libraries.  Tests
# that call libcurl themselves link it (TEST_LIBS).
LIBS = $(shell $(PKG_CONFIG) --libs $(filter-out libcurl,$(PKGS))) -ldl
TEST_LIBS = $(LIBS) $(shell $(PKG_CONFIG) --libs libcurl)
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) \
	-fno-omit-frame-pointer
LDSAN = -fsanitize=$(SANITIZE)
# gcc links the sanitizer runtimes as shared libraries, and at every exit
# the leak check scans their 6 MB of zeroed data too (the first touch of
# each page is a fault): 55 ms of CPU for an empty program here, 31 ms
# with the runtimes linked in.  The tests start the sanitizer build
# thousands of times.  (clang links them in already.)
ifeq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
LDSAN += $(if $(findstring address,$(SANITIZE)),-static-libasan) \
	$(if $(findstring undefined,$(SANITIZE)),-static-libubsan)
endif
endif

SRCS = $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
OBJS = $(SRCS:src/%.c=$(B)/%.o)
UNIT_SRCS = $(wildcard tests/unit/t_*.c)
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
BIN = $(B)/gcloud-run-deploy

all: $(BIN)

$(B)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libshim.a: $(OBJS)
	rm -f $@
	$(AR) rcs $@ $(OBJS)

$(BIN): $(B)/main.o $(B)/libshim.a
	$(CC) $(LDFLAGS) $(LDSAN) -o $@ $(B)/main.o $(B)/libshim.a $(LIBS)

$(B)/unit/%: tests/unit/%.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-write-strings \
		$(shell $(PKG_CONFIG) --cflags cmocka) -MMD -MP \
		$(LDSAN) -o $@ $< $(B)/libshim.a $(TEST_LIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

unit: $(UNIT_BINS)

# The whole suite: the normal build and the same under ASan and UBSan
# (one tests/run for both: JOBS tests at a time, default the CPUs + 1), then a
# short pass of every fuzzer.  TESTS=t30 runs only the tests named (and
# no fuzzer); CASE=PATTERN only the cases that match (see tests/run).
# The trees build side by side (the fuzzers' too, when clang can: its
# errors show again under fuzz-smoke).
check:
	mandoc -Tlint -W warning man/gcloud-run-deploy.1
	@r=0; sh tools/lint-layers.sh --flagtab & p0=$$!; \
	$(MAKE) all unit & p1=$$!; \
	$(MAKE) B=build-san SANITIZE=address,undefined CFLAGS='-O1 -g' \
		all unit & p2=$$!; \
	if [ -z "$(TESTS)" ] && command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) fuzz-build >/dev/null 2>&1 || :; fi; \
	wait $$p0 || r=1; wait $$p1 || r=1; wait $$p2 || r=1; exit $$r
	TESTS="$(TESTS)" CASE="$(CASE)" sh tests/run $(B) build-san
	@if [ -z "$(TESTS)" ]; then $(MAKE) fuzz-smoke; \
	else echo "# TESTS=$(TESTS): no fuzz-smoke"; fi

# A short bounded pass of every fuzzer (make fuzz runs them longer).
fuzz-smoke:
	@if command -v $(FUZZ_CC) >/dev/null 2>&1 && \
	    echo 'int LLVMFuzzerTestOneInput(const char *d, long n) \
	    { (void)d; (void)n; return 0; }' | $(FUZZ_CC) -x c - \
	    -fsanitize=fuzzer -o /dev/null >/dev/null 2>&1; then \
		$(MAKE) fuzz FUZZ_SECONDS=5; \
	else \
		echo "SKIP - fuzz-smoke: $(FUZZ_CC) with libFuzzer is not" \
		    "installed (apt-get install clang libclang-rt-14-dev)"; \
	fi

check-only: all unit
	TESTS="$(TESTS)" CASE="$(CASE)" sh tests/run $(B)

# Regenerate the flag tables from the installed SDK (needs gcloud's own
# bundled Python); commit the result.
SDK ?= /usr/lib/google-cloud-sdk
flagtab:
	$(SDK)/platform/bundledpythonunix/bin/python3 tools/gen-flagtab.py \
		$(SDK) > src/argv/flagtab.c.new
	mv src/argv/flagtab.c.new src/argv/flagtab.c

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SCHEMADIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/gcloud-run-deploy
	install -m 644 man/gcloud-run-deploy.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 doc/report.schema.json $(DESTDIR)$(SCHEMADIR)/
	install -m 644 completion/gcloud-run-deploy.bash \
		$(DESTDIR)$(COMPLETIONDIR)/gcloud-run-deploy
	ln -sf "$$(realpath -m --relative-to=$(LIBEXECDIR)/gcloud-run-deploy \
		$(BINDIR)/gcloud-run-deploy)" \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy/gcloud

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gcloud-run-deploy \
		$(DESTDIR)$(MANDIR)/man1/gcloud-run-deploy.1 \
		$(DESTDIR)$(COMPLETIONDIR)/gcloud-run-deploy \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy/gcloud \
		$(DESTDIR)$(SCHEMADIR)/report.schema.json
	-rmdir $(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy $(DESTDIR)$(SCHEMADIR) \
		2>/dev/null

# The layering rule of the README's "How the code is laid out", include
# cycles and clang-format (.clang-format), by tools/lint-layers.sh; a few
# seconds.  lint-flagtab regenerates src/argv/flagtab.c from the installed SDK
# and compares (SKIP without the SDK; ~15 s, so make check runs it).
lint:
	mandoc -Tlint -W warning man/gcloud-run-deploy.1
	sh tools/lint-layers.sh

lint-flagtab:
	sh tools/lint-layers.sh --flagtab

clean:
	rm -rf build build-san

.PHONY: all unit check check-only fuzz-smoke flagtab install uninstall lint \
	lint-flagtab clean
# --- usage and demo (src/out/usage.c, tools/demo.sh); owner: usage/demo ---
# libbsd has no run-time version call: --version shows the one built with.
$(B)/out/usage.o: ALL_CFLAGS += \
	-DLIBBSD_VERSION='"$(shell $(PKG_CONFIG) --modversion libbsd)"'

# Two deploys through the real gcloud against loopback fakes: one blocked,
# one that completes (needs gcloud, python3 and openssl; no network).
demo: all
	sh tools/demo.sh $(BIN)

.PHONY: demo
# --- end usage and demo ---
# --- ar-check test driver (tests/t20-arclient.sh); owner: arclient ---
$(B)/ar-check: tests/drivers/ar-check.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDSAN) -o $@ $< $(B)/libshim.a $(TEST_LIBS)

unit: $(B)/ar-check
-include $(B)/ar-check.d
# --- end ar-check ---
# The client of tests/gcloudz.py: the real gcloud without its start-up.
$(B)/gcloudz: tests/drivers/gcloudz.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDSAN) -o $@ $<

unit: $(B)/gcloudz
-include $(OBJS:.o=.d) $(B)/main.d
# --- fuzz: libFuzzer harnesses tests/fuzz/fuzz_*.c (issue 5) ---
# `make fuzz` builds each with clang (ASan, UBSan) and runs it for
# FUZZ_SECONDS on its seeds, tests/fuzz/corpus/NAME/ (kept read-only: new
# inputs go to $(FUZZ_B)/corpus/NAME/, crashes to $(FUZZ_B)/fuzz_NAME-*).
# Paths are absolute: some harnesses chdir into a private directory.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_B = build/fuzz
FUZZ_SAN = address,undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 -Isrc \
	-fno-omit-frame-pointer -fno-sanitize-recover=$(FUZZ_SAN) \
	-DVERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(PKGS))
FUZZ_OBJS = $(SRCS:src/%.c=$(FUZZ_B)/%.o)
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(FUZZ_B)/%, \
	$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_B)/%.o: src/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
		-MMD -MP -c -o $@ $<

$(FUZZ_B)/libfuzzshim.a: $(FUZZ_OBJS)
	rm -f $@
	$(AR) rcs $@ $(FUZZ_OBJS)

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libfuzzshim.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-write-strings \
		-fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
		$(FUZZ_B)/libfuzzshim.a $(TEST_LIBS)

fuzz-build: $(FUZZ_BINS)

# FUZZ_JOBS fuzzers at a time (default 2: the smoke pass in make check
# takes half the time; each fuzzer is one process).
FUZZ_JOBS ?= 2
fuzz: fuzz-build
	@sh tools/fuzz-run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_JOBS) \
		$(FUZZ_BINS)

.PHONY: fuzz fuzz-build
-include $(FUZZ_OBJS:.o=.d)
# --- end fuzz ---
# --- bench: tools/bench.sh (issue 4); owner: bench ---
# Timings against loopback fakes, with the machine noted; not part of
# `make check` (targets are reported, never asserted).  BENCH_RUNS=N.
bench: all
	sh tools/bench.sh $(BIN)

.PHONY: bench
# --- end bench ---
# --- preflight-doubt test driver (tests/t41-complete.sh); owner: preflight ---
$(B)/preflight-doubt: tests/drivers/preflight-doubt.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDSAN) -o $@ $< $(B)/libshim.a $(TEST_LIBS)

unit: $(B)/preflight-doubt
-include $(B)/preflight-doubt.d
# --- end preflight-doubt ---
# --- propsget: the shim's reading of a property (tests/t51-props-parity.sh)
$(B)/propsget: tests/drivers/propsget.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDSAN) -o $@ $< $(B)/libshim.a $(TEST_LIBS)

unit: $(B)/propsget
-include $(B)/propsget.d

# --- clidump: the cli model's reading, for tests/t36-argparse-diff.sh ---
$(B)/clidump: tests/diff/clidump.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-write-strings -MMD -MP $(LDSAN) -o $@ $< \
		$(B)/libshim.a $(LIBS)

unit: $(B)/clidump
-include $(B)/clidump.d
# --- end clidump ---

# --- packaging (issue 15): install-deps, deb, fresh-test ---
# The Debian packages of deps/debian-build.txt and deps/debian-test.txt
# (install.sh and .ci/run install the same lists).
install-deps:
	sh deps/apt.sh build test

# $(B)/gcloud-run-deploy_VERSION_ARCH.deb (packaging/mkdeb.sh).
deb:
	sh packaging/mkdeb.sh $(VERSION) $(B)

# The README's two commands on a fresh Debian 12 root (debootstrap, chroot;
# needs root and the network to Debian's archive; slow, not in make check).
fresh-test:
	nice sh packaging/fresh-test.sh

.PHONY: install-deps deb fresh-test
# --- end packaging ---
