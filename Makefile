# gcloud-run-deploy -- see README.md for the variables below.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
CC ?= cc
PKG_CONFIG ?= pkg-config
SANITIZE ?=
# Where objects go; the sanitizer build uses its own folder.
B ?= build
VERSION = 0.1.0

PKGS = libcurl libcjson libbsd-overlay yaml-0.1
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(shell $(PKG_CONFIG) --exists $(PKGS) && echo yes),yes)
$(error missing build dependencies ($(PKGS)); run ./install.sh or apt-get install libcurl4-openssl-dev libcjson-dev libbsd-dev libyaml-dev pkg-config)
endif
endif

WARN = -Wall -Wextra -Wstrict-prototypes -Wformat-security \
	-Wmissing-prototypes -Wvla -Wwrite-strings -fno-common -Werror
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude \
	-DVERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(PKGS))
LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS))
ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) \
	-fno-omit-frame-pointer
LDSAN = -fsanitize=$(SANITIZE)
endif

SRCS = $(filter-out src/main.c,$(wildcard src/*.c))
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
		$(LDSAN) -o $@ $< $(B)/libshim.a $(LIBS) \
		$(shell $(PKG_CONFIG) --libs cmocka)

unit: $(UNIT_BINS)

# The whole suite: the normal build, then again under ASan and UBSan.
check: all unit
	sh tests/run $(B)
	$(MAKE) B=build-san SANITIZE=address,undefined CFLAGS='-O1 -g' \
		check-only

check-only: all unit
	sh tests/run $(B)

# Regenerate the flag tables from the installed SDK (needs gcloud's own
# bundled Python); commit the result.
SDK ?= /usr/lib/google-cloud-sdk
flagtab:
	$(SDK)/platform/bundledpythonunix/bin/python3 tools/gen-flagtab.py \
		$(SDK) > src/flagtab.c.new
	mv src/flagtab.c.new src/flagtab.c

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/gcloud-run-deploy
	install -m 644 man/gcloud-run-deploy.1 $(DESTDIR)$(MANDIR)/man1/
	ln -sf "$$(realpath -m --relative-to=$(LIBEXECDIR)/gcloud-run-deploy \
		$(BINDIR)/gcloud-run-deploy)" \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy/gcloud

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gcloud-run-deploy \
		$(DESTDIR)$(MANDIR)/man1/gcloud-run-deploy.1 \
		$(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy/gcloud
	-rmdir $(DESTDIR)$(LIBEXECDIR)/gcloud-run-deploy

lint:
	mandoc -Tlint -W warning man/gcloud-run-deploy.1
	clang-format --dry-run -Werror src/*.c include/*.h 2>/dev/null || \
		echo "lint: clang-format differences (advisory)"

clean:
	rm -rf build build-san

.PHONY: all unit check check-only flagtab install uninstall lint clean
# --- ar-check test driver (tests/t20-arclient.sh); owner: arclient ---
$(B)/ar-check: tests/drivers/ar-check.c $(B)/libshim.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP $(LDSAN) -o $@ $< $(B)/libshim.a $(LIBS)

unit: $(B)/ar-check
-include $(B)/ar-check.d
# --- end ar-check ---
-include $(OBJS:.o=.d) $(B)/main.d
