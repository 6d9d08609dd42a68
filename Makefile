# crmx — one Makefile for everything.
#
#   make                 build the programs (fcgi/crmx.fcgi, reportd/crmx-reportd,
#                        admin/crmx-admin)
#   make run             embedded PostgreSQL + demo data + services; prints URLs
#                        (CRM=tryton: on a real Tryton 6.0 with its web client)
#   make stop            stop what `make run` started
#   make test            unit + integration tests (installs what it needs)
#   make bench           benchmarks, printed as a table
#   make fuzz            libFuzzer harnesses (tests/fuzz), FUZZ_TIME seconds each
#   make reliability     load, faults, valgrind, security tests, fuzzing: figures
#   make psql            psql on the embedded database
#   make install         PREFIX=/usr/local DESTDIR=
#   make deb             the Debian package, in build/pkg (debian/)
#
# Knobs: DEVELOPER=1 adds -Werror; SANITIZE=address,undefined builds an
# instrumented copy under build/sanitize (kept apart from the normal build).
# FUZZ=1 (set by `make fuzz`) builds with clang and libFuzzer under build/fuzz.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/crmx
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc/crmx
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config

# O: where objects and programs go (several checkouts' builds can share a
# tree when each has its own O).
ifdef FUZZ
O ?= build/fuzz
else ifdef SANITIZE
O ?= build/sanitize
else
O ?= build/default
endif

# reportd's rooms, one folder per stage (README: How it fits together); its sources and
# include paths are these folders'.
REPORTD_ROOMS := daemon engine metrics report mail http
REPORTD_DIRS  := reportd $(addprefix reportd/,$(REPORTD_ROOMS))

# Installed programs look for SQL and config here; the in-tree wrappers
# (make run, tests) always pass explicit paths.
CPPFLAGS += -D_GNU_SOURCE -DCRMX_VERSION='"$(VERSION)"' \
            -DCRMX_DATADIR='"$(DATADIR)"' -DCRMX_SYSCONFDIR='"$(SYSCONFDIR)"' \
            -DCRMX_BUILD_LOCALEDIR='"$(CURDIR)/$(O)/locale"' \
            -Icommon $(addprefix -I,$(REPORTD_DIRS)) -Ifcgi -Iadmin -Itests/lib
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -pipe -fno-strict-aliasing
WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wformat-security -Wpointer-arith -Wcast-qual \
            -Wwrite-strings -Wundef -Wvla -Wold-style-definition \
            -Wmissing-declarations -Wredundant-decls -Wnested-externs
ifdef DEVELOPER
WARN     += -Werror
endif
ifdef SANITIZE
CFLAGS   += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(SANITIZE)
endif
# Fuzzing: every object instrumented for libFuzzer's coverage and for
# ASan/UBSan; only the harnesses link libFuzzer's main.
FUZZ_SAN := address,undefined
ifdef FUZZ
CC        = clang
CFLAGS   += -fsanitize=$(FUZZ_SAN),fuzzer-no-link -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=$(FUZZ_SAN),fuzzer
# Warnings stay warnings here: clang's differ from gcc's (the DEVELOPER
# build is the -Werror one), e.g. a va_list passed on counts as a
# non-literal format and a parameter `timezone` shadows <time.h>'s.
WARN     := $(filter-out -Werror,$(WARN)) -Wno-format-nonliteral
endif

# pkg-config with fallbacks (libfcgi and libcsv ship no .pc on some systems).
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null || echo "$(2)")
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo "$(2)")
PQ_CFLAGS   := $(call pc_cflags,libpq,-I/usr/include/postgresql)
PQ_LIBS     := $(call pc_libs,libpq,-lpq)
MHD_CFLAGS  := $(call pc_cflags,libmicrohttpd,)
MHD_LIBS    := $(call pc_libs,libmicrohttpd,-lmicrohttpd)
CRYPTO_LIBS := $(call pc_libs,libcrypto,-lcrypto)
FCGI_LIBS   := $(call pc_libs,fcgi,-lfcgi) $(CRYPTO_LIBS)
JSON_CFLAGS := $(call pc_cflags,jansson,)
JSON_LIBS   := $(call pc_libs,jansson,-ljansson)
INI_CFLAGS  := $(call pc_cflags,inih,)
INI_LIBS    := $(call pc_libs,inih,-linih)
CMOCKA_LIBS := $(call pc_libs,cmocka,-lcmocka)
CURL_CFLAGS := $(call pc_cflags,libcurl,)
CURL_LIBS   := $(call pc_libs,libcurl,-lcurl)
CSV_LIBS    := -lcsv
CPPFLAGS += $(PQ_CFLAGS) $(MHD_CFLAGS) $(JSON_CFLAGS) $(INI_CFLAGS) $(CURL_CFLAGS)

# Sources by folder: a new file in a folder is picked up without editing this.
COMMON_SRC  := $(wildcard common/*.c)
METRICS_SRC := $(wildcard reportd/metrics/*.c)
REPORTD_SRC := $(filter-out $(METRICS_SRC),$(foreach d,$(REPORTD_DIRS),$(wildcard $(d)/*.c)))
FCGI_SRC    := $(wildcard fcgi/*.c)
ADMIN_SRC   := $(wildcard admin/*.c)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
ITEST_SRC   := $(wildcard tests/integration/test_*.c)
TESTLIB_SRC := $(wildcard tests/lib/*.c)

obj = $(patsubst %.c,$(O)/%.o,$(1))
COMMON_OBJ  := $(call obj,$(COMMON_SRC))
METRICS_OBJ := $(call obj,$(METRICS_SRC))
REPORTD_OBJ := $(call obj,$(REPORTD_SRC))
FCGI_OBJ    := $(call obj,$(FCGI_SRC))
ADMIN_OBJ   := $(call obj,$(ADMIN_SRC))
TESTLIB_OBJ := $(call obj,$(TESTLIB_SRC))
# Objects of the programs that tests may link (everything but the mains).
LIB_OBJ     := $(COMMON_OBJ) $(METRICS_OBJ) \
               $(filter-out $(O)/reportd/main.o,$(REPORTD_OBJ)) \
               $(filter-out $(O)/admin/main.o,$(ADMIN_OBJ))
FCGI_LIB_OBJ := $(filter-out $(O)/fcgi/main.o,$(FCGI_OBJ))

REPORTD := $(O)/reportd/crmx-reportd
FCGI    := $(O)/fcgi/crmx.fcgi
ADMIN   := $(O)/admin/crmx-admin
PROGS   := $(REPORTD) $(FCGI) $(ADMIN)
UNIT_BIN  := $(patsubst %.c,$(O)/%,$(UNIT_SRC))
ITEST_BIN := $(patsubst %.c,$(O)/%,$(ITEST_SRC))
FUZZ_BIN  := $(patsubst %.c,$(O)/%,$(FUZZ_SRC))

ALL_LIBS := $(PQ_LIBS) $(JSON_LIBS) $(INI_LIBS) -lunistring -lm

# Quiet rules unless V=1, as git's Makefile does.
ifndef V
QUIET_CC = @echo '   ' CC $<;
QUIET_LD = @echo '   ' LD $@;
endif

.DELETE_ON_ERROR:
.PHONY: all programs man deb translations po-update deps run-deps run stop psql test test-unit test-integration \
        check-valgrind bench fuzz fuzz-build install uninstall clean distclean tests-build

all: programs
ifeq ($(O),build/default)
	@ln -sf ../$(REPORTD) reportd/crmx-reportd
	@ln -sf ../$(FCGI) fcgi/crmx.fcgi
	@ln -sf ../$(ADMIN) admin/crmx-admin
endif

programs: $(PROGS) translations man

# ---- manual pages -------------------------------------------------------------
# crmx.conf(5) is generated from the config table itself (common/config.c)
# and the meaning of each key (docs/man/crmx.conf.keys): a key without a
# meaning fails the build.  The programs' pages are written by hand.
MAN5      := $(O)/man/man5/crmx.conf.5
MAN8      := $(addprefix $(O)/man/man8/,crmx.fcgi.8 crmx-reportd.8 crmx-admin.8)
man: $(MAN5) $(MAN8)

$(MAN5): common/config.c docs/man/mkconfman docs/man/crmx.conf.keys \
         docs/man/crmx.conf.5.head docs/man/crmx.conf.5.tail
	@mkdir -p $(dir $@)
	@echo '    MAN $@'
	@docs/man/mkconfman common/config.c docs/man/crmx.conf.keys $(VERSION) >$@.tmp && mv $@.tmp $@

$(O)/man/man8/%.8: docs/man/%.8
	@mkdir -p $(dir $@)
	@cp $< $@

# ---- languages (GNU gettext) ------------------------------------------------
# The template is generated from the marked strings (_() and N_()) of every
# program; each po/LANG.po is merged with it and must translate every
# string: the build fails on an untranslated or fuzzy one, naming it.
LINGUAS   := zh_CN
I18N_SRC  := $(sort $(COMMON_SRC) $(REPORTD_SRC) $(METRICS_SRC) $(FCGI_SRC) $(ADMIN_SRC) \
                    $(foreach d,$(REPORTD_DIRS),$(wildcard $(d)/*.h)) $(wildcard fcgi/*.h common/*.h))
POT       := $(O)/po/crmx.pot
MO_FILES  := $(foreach l,$(LINGUAS),$(O)/locale/$(l)/LC_MESSAGES/crmx.mo)

translations: $(MO_FILES)

$(POT): $(I18N_SRC)
	@mkdir -p $(dir $@)
	@echo '    XGETTEXT $@'
	@xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
	    --add-comments=TRANSLATORS: --package-name=crmx --package-version=$(VERSION) \
	    --no-wrap --sort-by-file -o $@ $(I18N_SRC)

$(O)/locale/%/LC_MESSAGES/crmx.mo: po/%.po $(POT)
	@mkdir -p $(dir $@)
	@echo '    MSGFMT $@'
	@msgmerge --quiet --no-fuzzy-matching -o $(O)/po/$*.merged.po po/$*.po $(POT)
	@missing=$$(msgattrib --untranslated --no-obsolete --no-wrap $(O)/po/$*.merged.po | \
	    grep '^msgid "' | grep -v '^msgid ""$$' || true); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete --no-wrap $(O)/po/$*.merged.po | \
	    grep '^msgid "' | grep -v '^msgid ""$$' || true); \
	if [ -n "$$missing$$fuzzy" ]; then \
	    echo "po/$*.po: these strings need a translation (or are fuzzy):" >&2; \
	    printf '%s\n%s\n' "$$missing" "$$fuzzy" | sed '/^$$/d; s/^/    /' >&2; \
	    exit 1; fi
	@msgfmt --check --statistics -o $@ $(O)/po/$*.merged.po 2>/dev/null

po-update: $(POT)
	@for l in $(LINGUAS); do msgmerge --quiet --update --backup=none --no-wrap po/$$l.po $(POT); \
	    echo "po/$$l.po updated: translate the empty msgstr entries"; done

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -MMD -MP -c -o $@ $<

$(REPORTD): $(REPORTD_OBJ) $(METRICS_OBJ) $(COMMON_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(MHD_LIBS) $(CURL_LIBS) $(ALL_LIBS)

$(FCGI): $(FCGI_OBJ) $(COMMON_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(FCGI_LIBS) $(ALL_LIBS)

$(ADMIN): $(ADMIN_OBJ) $(COMMON_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(CSV_LIBS) $(CRYPTO_LIBS) $(ALL_LIBS)

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(LIB_OBJ) $(FCGI_LIB_OBJ) $(TESTLIB_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(MHD_LIBS) $(CURL_LIBS) $(FCGI_LIBS) $(CSV_LIBS) $(ALL_LIBS)

$(O)/tests/integration/%: $(O)/tests/integration/%.o $(LIB_OBJ) $(FCGI_LIB_OBJ) $(TESTLIB_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(MHD_LIBS) $(CURL_LIBS) $(FCGI_LIBS) $(CSV_LIBS) $(ALL_LIBS)

tests-build: programs $(UNIT_BIN) $(ITEST_BIN)

# ---- fuzzing (libFuzzer; see tests/fuzz/run) -----------------------------
# Each tests/fuzz/fuzz_NAME.c is a harness with its seeds in
# tests/fuzz/corpus/NAME/ (and tests/fuzz/NAME.dict when it has one).
FUZZ_TIME ?= 60

$(O)/tests/fuzz/%: $(O)/tests/fuzz/%.o $(LIB_OBJ) $(FCGI_LIB_OBJ)
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(MHD_LIBS) $(CURL_LIBS) $(FCGI_LIBS) $(CSV_LIBS) $(ALL_LIBS)

ifdef FUZZ
fuzz-build: $(FUZZ_BIN)
else
fuzz-build:
	@$(MAKE) --no-print-directory FUZZ=1 O=build/fuzz SANITIZE= fuzz-build
endif

fuzz: fuzz-build
	@FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run $(patsubst %.c,build/fuzz/%,$(FUZZ_SRC))

# The panel benchmark's baseline: a trivial FastCGI program.
HELLO_FCGI := $(O)/tests/bench/hello_fcgi
$(HELLO_FCGI): $(O)/tests/bench/hello_fcgi.o
	$(QUIET_LD)$(CC) $(LDFLAGS) -o $@ $^ $(FCGI_LIBS)

# ---- set-up and running -------------------------------------------------

# What each command needs: the tests everything (Tryton included, for the
# real-Tryton tests); `make run` Tryton only with CRM=tryton.
deps:
	@deploy/install-deps

run-deps:
	@deploy/install-deps build run $(if $(filter tryton,$(CRM)),tryton)

# CRM=native (default: crmx's own tables, generated demo data) or
# CRM=tryton (a real Tryton 6.0 with sao, seeded; kept in var/tryton).
CRM ?= native

run: run-deps all
	@O=$(O) CRM=$(CRM) deploy/run-local start

stop:
	@O=$(O) CRM=$(CRM) deploy/run-local stop

psql:
	@O=$(O) CRM=$(CRM) deploy/run-local psql

# ---- tests ----------------------------------------------------------------

test: deps
	@$(MAKE) --no-print-directory tests-build
	@O=$(O) SANITIZE=$(SANITIZE) tests/run-all

bench: deps all $(HELLO_FCGI)
	@O=$(O) tests/bench/run

# Issue 19's suite and its figures (LOAD_SECONDS=600; FUZZ_TIME for make fuzz).
.PHONY: reliability
reliability: deps
	@$(MAKE) --no-print-directory tests-build
	@O=$(O) tests/reliability/run

# ---- install --------------------------------------------------------------

install: programs
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/sql/migrations \
	    $(DESTDIR)$(DATADIR)/sql/adapters $(DESTDIR)$(DATADIR)/deploy \
	    $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(REPORTD) $(FCGI) $(ADMIN) $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	install -m 644 sql/migrations/*.sql $(DESTDIR)$(DATADIR)/sql/migrations/
	install -m 644 sql/adapters/*.sql $(DESTDIR)$(DATADIR)/sql/adapters/
	install -d $(DESTDIR)$(DATADIR)/static
	install -m 644 fcgi/static/* $(DESTDIR)$(DATADIR)/static/
	cp -R deploy/tryton $(DESTDIR)$(DATADIR)/deploy/
	# nginx and systemd files name the installed paths.
	install -d $(DESTDIR)$(DATADIR)/deploy/nginx $(DESTDIR)$(DATADIR)/deploy/systemd
	for f in deploy/nginx/* deploy/systemd/*; do \
	    sed -e 's|/usr/local/share/crmx|$(DATADIR)|g' -e 's|/usr/local/bin|$(BINDIR)|g' \
	        "$$f" >$(DESTDIR)$(DATADIR)/$$f && chmod 644 $(DESTDIR)$(DATADIR)/$$f || exit 1; done
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(DATADIR)/locale/$$l/LC_MESSAGES && \
	    install -m 644 $(O)/locale/$$l/LC_MESSAGES/crmx.mo $(DESTDIR)$(DATADIR)/locale/$$l/LC_MESSAGES/; done
	# The example with production paths (make run fills in var/ instead):
	# the socket comes from systemd (crmx-fcgi.socket), reports go to
	# /var/lib/crmx; conninfo is left for the admin (empty: the PG*
	# environment).  It becomes crmx.conf when there is none.
	sed -e 's|^conninfo = .*|conninfo =|' -e 's|^listen = @VAR@/run/crmx.fcgi.sock|listen =|' \
	    -e 's|^socket_group =.*|socket_group = www-data|' \
	    -e 's|@VAR@|/var/lib/crmx|g' deploy/crmx.conf.example >$(DESTDIR)$(DATADIR)/crmx.conf.example
	chmod 644 $(DESTDIR)$(DATADIR)/crmx.conf.example
	test -e $(DESTDIR)$(SYSCONFDIR)/crmx.conf || \
	    install -m 640 $(DESTDIR)$(DATADIR)/crmx.conf.example $(DESTDIR)$(SYSCONFDIR)/crmx.conf

# The Debian package (debian/, debhelper), built apart in build/deb; the
# .deb, .buildinfo and .changes go to build/pkg.
deb:
	@deploy/install-deps build package
	dpkg-buildpackage --no-sign -b
	@mkdir -p build/pkg
	mv ../crmx_$(VERSION)_*.deb ../crmx-dbgsym_$(VERSION)_*.deb ../crmx_$(VERSION)_*.buildinfo \
	    ../crmx_$(VERSION)_*.changes build/pkg/
	@debian/rules clean >/dev/null
	@ls build/pkg/crmx_$(VERSION)_*.deb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crmx-reportd $(DESTDIR)$(BINDIR)/crmx.fcgi \
	    $(DESTDIR)$(BINDIR)/crmx-admin
	rm -f $(DESTDIR)$(MANDIR)/man5/crmx.conf.5 $(DESTDIR)$(MANDIR)/man8/crmx.fcgi.8 \
	    $(DESTDIR)$(MANDIR)/man8/crmx-reportd.8 $(DESTDIR)$(MANDIR)/man8/crmx-admin.8
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build
	rm -f reportd/crmx-reportd fcgi/crmx.fcgi admin/crmx-admin

# Removes the embedded database too.
distclean: stop clean
	rm -rf var

-include $(shell find build -name '*.d' 2>/dev/null)
