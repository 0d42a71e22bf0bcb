# luaml -- build, test, install.  `make help` lists the targets.
#
# On a fresh Debian 12 machine `make demo` and `make test` first install the
# missing Debian packages (`make deps`), then build in a second make: what
# the build can use is probed by tools/configure.sh into $(BUILD)/config.mk,
# and the objects depend on that file, so the probes always see what was
# just installed and a build made before a package arrived is rebuilt once
# it is there.

PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
VERSION    := 0.1.0
SOVERSION  := 0

all: $(BUILD)/luaml $(BUILD)/luaml.so $(BUILD)/libluaml.a $(BUILD)/libluaml.so

# ---- Debian packages, by what needs them --------------------------------
# make deps (the build, make demo, make test: Open MPI for ml.mpi's spec;
# for the notebook kernel libzmq, jansson and libcrypto, and to test it the
# real Jupyter client, nbconvert and a browser for a screenshot)
DEB_PKGS       := gcc make pkg-config binutils lua5.4 liblua5.4-dev \
                  libopenblas-dev liblapacke-dev libhdf5-dev zlib1g-dev \
                  libreadline-dev libsleef-dev lua-busted \
                  openmpi-bin libopenmpi-dev \
                  libzmq3-dev libjansson-dev libssl-dev \
                  python3-jupyter-client jupyter-client python3-zmq \
                  jupyter-nbconvert chromium
# make deps-dev (make valgrind, make fuzz; make sanitize needs only gcc)
DEB_PKGS_DEV   := valgrind clang libclang-rt-14-dev
# make deps-bench (make bench: the same workloads in numpy and PyTorch; the
# scripts of spec/ref that make the reference values, h5py for the cats')
DEB_PKGS_BENCH := python3-numpy python3-threadpoolctl python3-torch python3-h5py

# $(call install-pkgs,PACKAGES): apt-get the missing ones as root, else
# print the command that would
install-pkgs = @missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing Debian packages; install them with:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

.PHONY: deps deps-dev deps-bench
deps:
	$(call install-pkgs,$(DEB_PKGS))
deps-dev: deps
	$(call install-pkgs,$(DEB_PKGS_DEV))
deps-bench: deps
	$(call install-pkgs,$(DEB_PKGS_BENCH))

# ---- what the build found ----------------------------------------------
# Rewritten by every make, replaced only when an answer changes.
# READLINE=0 builds the prompt without GNU readline (it is GPL-3).
$(BUILD)/config.mk: FORCE
	@mkdir -p $(BUILD)
	@sh tools/configure.sh '$(CC)' '$(PKG_CONFIG)' '$(READLINE)' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
-include $(BUILD)/config.mk

# ---- compiling -----------------------------------------------------------
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -fPIC $(WARN) $(CFLAGS) \
              $(LUA_CFLAGS) $(BLAS_CFLAGS) $(H5_CFLAGS) -Isrc
# OpenBLAS, LAPACKE and libhdf5 are not linked: src/core_blasdl.c and
# src/core_h5dl.c dlopen them (by the sonames built against) at their first
# call, which keeps start-up at a few milliseconds.  The thread pool's
# threads outlive a dlclose: stock lua5.4 unloads luaml.so when its state
# closes, which must not unmap the code they sleep in (-z nodelete).
LIBS    := $(SLEEF_LIBS) -lz -lm -ldl -pthread -Wl,-z,nodelete

CORE_SRC := src/core_ew.c src/core_red.c src/core_ml.c src/core_la.c \
            src/core_rng.c src/core_io.c src/core_h5.c src/core_opt.c \
            src/core_simd.c src/core_h5dl.c src/core_blasdl.c src/core_sel.c
BIND_SRC := src/lmatrix.c src/lfuncs.c src/llinalg.c src/lrandom.c \
            src/lio.c src/loptim.c src/lmem.c src/luaml.c src/lmpi.c \
            src/lgrad.c src/lselect.c src/lpattern.c
LUA_SRC  := lua/init.lua lua/optim.lua lua/data.lua lua/models.lua lua/nn.lua lua/plot.lua \
            lua/grad.lua lua/notebook.lua lua/help.lua
HOST_SRC := src/host.c src/session.c src/kernel.c
HEADERS  := src/core.h src/core_io.h src/core_opt.h src/lbind.h src/luaml.h \
            src/core_simd.h src/core_simd_isa.h src/core_h5dl.h src/core_ops.h \
            src/host.h

CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
HOST_OBJ := $(HOST_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/logos.o
BIND_OBJ := $(BIND_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/luaml_lua.o
LIB_OBJ  := $(CORE_OBJ) $(BIND_OBJ)

# core_ew, core_red and core_simd are compiled to vectorise (-O2 alone
# vectorises almost nothing in GCC 12), without FMA contraction (so every
# CPU computes the same bits), with a pool of threads for large work
# (core_simd.c) and with SLEEF's vector exp/log (without SLEEF: libm).
# Instruction sets are chosen at run time (target_clones, cpu checks):
# never -march=native.
SIMD_CFLAGS := -ftree-vectorize $(VECT_COST) -ffp-contract=off \
               -fno-math-errno -pthread $(if $(SLEEF_LIBS),,-DLUAML_NO_SLEEF)
SIMD_OBJ    := $(BUILD)/obj/core_ew.o $(BUILD)/obj/core_red.o $(BUILD)/obj/core_simd.o
$(SIMD_OBJ): ALL_CFLAGS += $(SIMD_CFLAGS)
$(BUILD)/obj/core_h5dl.o: ALL_CFLAGS += $(if $(H5_SONAME),-DLM_HDF5_SONAME='"$(H5_SONAME)"')
$(BUILD)/obj/core_blasdl.o: ALL_CFLAGS += \
  $(if $(BLAS_SONAME),-DLM_OPENBLAS_SONAME='"$(BLAS_SONAME)"') \
  $(if $(LAPACKE_SONAME),-DLM_LAPACKE_SONAME='"$(LAPACKE_SONAME)"')
# ml.mpi: lmpi.c declares the few MPI functions it calls for Open MPI's ABI
# and dlopens libmpi (by this soname) only when a launcher (mpirun) started
# the process: nothing MPI is needed to build, nothing is linked
$(BUILD)/obj/lmpi.o: ALL_CFLAGS += $(if $(MPI_SONAME),-DLM_MPI_SONAME='"$(MPI_SONAME)"')
# the prompt: GNU readline when its header is there, else fgets
ifeq ($(HAVE_READLINE),1)
$(BUILD)/obj/host.o: ALL_CFLAGS += -DLUAML_USE_READLINE
HOST_LIBS := -lreadline
endif

.PHONY: doc all test demo clean help install uninstall

help:
	@echo "make          build $(BUILD)/luaml, luaml.so, libluaml.a, libluaml.so"
	@echo "make deps     install missing Debian packages (apt-get as root, else print the command)"
	@echo "make test     install what is missing, build and run every test suite"
	@echo "make demo     install what is missing, build, train softmax regression on the bundled MNIST"
	@echo "make bench    luaml vs numpy side by side (bench/results/<cpu>.md)"
	@echo "make install  install under PREFIX (default /usr/local), honours DESTDIR"
	@echo "make uninstall  remove what make install put there (same PREFIX, DESTDIR)"
	@echo "make sanitize the C tests, specs and examples built with ASan + UBSan"
	@echo "make valgrind the C tests and specs under valgrind's memcheck"
	@echo "make fuzz     run each libFuzzer harness of fuzz/ for FUZZ_SECONDS (default 10)"
	@echo "make fresh-check  make demo and make test on a new minimal Debian 12 root (debootstrap)"

# every object is rebuilt when the build's findings change
$(BUILD)/obj/%.o: src/%.c $(HEADERS) $(BUILD)/config.mk | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj $(BUILD)/tests:
	@mkdir -p $@

# The Lua library is embedded as bytecode (loading it is ~10x faster than
# compiling the source at every start).  Bytecode is specific to the Lua
# build: LUA must be the interpreter of the Lua the library links against
# (Debian's lua5.4 for liblua5.4; luarocks passes its own).
LUA ?= lua5.4
$(BUILD)/luaml_lua.c: tools/embed.lua $(LUA_SRC) | $(BUILD)/obj
	$(LUA) tools/embed.lua $@ $(LUA_SRC)

$(BUILD)/obj/luaml_lua.o: $(BUILD)/luaml_lua.c | $(BUILD)/obj
	$(CC) -std=c99 -fPIC $(CFLAGS) -c $< -o $@

$(BUILD)/libluaml.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libluaml.so: $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libluaml.so.$(SOVERSION) $^ -o $@ $(LUA_LIBS) $(LIBS)

# the module for stock lua5.4: no liblua (the interpreter provides it)
$(BUILD)/luaml.so: $(LIB_OBJ)
	$(CC) -shared $^ -o $@ $(LIBS)

$(BUILD)/luaml: $(HOST_OBJ) $(BUILD)/libluaml.a
	$(CC) $(HOST_OBJ) $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS) $(HOST_LIBS) -Wl,-E

# The notebook: `luaml --kernel FILE` (src/kernel.c) speaks Jupyter's
# protocol with libzmq, jansson and libcrypto, which it dlopens at --kernel:
# their headers build the host, nothing else loads them (start-up is
# unchanged) and the library never needs them.  src/session.c is what the
# prompt and the kernel share (completion, session chunks), lua/notebook.lua
# their Lua side (persistent top-level locals, rich displays).  The
# kernelspec's logos (share/, drawn by tools/mklogo.py) are compiled in.
$(BUILD)/logos.c: tools/bin2c.lua share/logo-32x32.png share/logo-64x64.png | $(BUILD)/obj
	$(LUA) tools/bin2c.lua $@ luaml_logo32=share/logo-32x32.png \
	  luaml_logo64=share/logo-64x64.png
$(BUILD)/obj/logos.o: $(BUILD)/logos.c
	$(CC) -std=c99 $(CFLAGS) -c $< -o $@

# ---- tests ----------------------------------------------------------
# test and demo install what is missing first, then build and run in a
# second make (whose probes see the new packages)
C_TESTS := $(patsubst spec/c/%.c,$(BUILD)/tests/%,$(wildcard spec/c/test_*.c))

$(BUILD)/tests/%: spec/c/%.c spec/c/tap.h $(CORE_OBJ) $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(CORE_OBJ) -o $@ $(LIBS)
# test_faults, test_cache and test_hostile (hostile scripts against a
# sandboxed state) drive the whole engine through Lua: they link the library
$(BUILD)/tests/test_faults: spec/c/checkalloc.h
$(BUILD)/tests/test_faults $(BUILD)/tests/test_cache $(BUILD)/tests/test_hostile: $(BUILD)/tests/%: spec/c/%.c spec/c/tap.h $(BUILD)/libluaml.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS)
# -- LAPACK's workspace inside memory_limit: test_la_limit drives the
# -- linear algebra through sandboxed states, so it links the library too
$(BUILD)/tests/test_la_limit: spec/c/test_la_limit.c spec/c/tap.h $(BUILD)/libluaml.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS)
$(BUILD)/tests/test_la_limit $(BUILD)/tests/test_hostile: spec/c/procinfo.h

.PHONY: tests
tests: all $(C_TESTS)

test: deps
	@$(MAKE) --no-print-directory tests
	@sh tools/runtests.sh $(BUILD) $(C_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/luaml examples/10_mnist_softmax.lua
	$(BUILD)/luaml examples/23_mnist_mlp.lua

doc/reference.md: lua/help.lua tools/gendoc.lua
	lua5.4 tools/gendoc.lua > $@

doc: doc/reference.md

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz

# ---- the README's two commands on a new machine -------------------------
# make fresh-check: a minimal Debian 12 root (debootstrap --variant=minbase)
# with nothing but `make` added, this tree copied in, and `make demo` then
# `make test` run there as root, as the README tells a new user.  Downloaded
# packages are kept in FRESH_CACHE between runs.
FRESH_CACHE ?= /var/cache/luaml-fresh
.PHONY: fresh-check
fresh-check:
	sh tools/fresh-check.sh "$(FRESH_CACHE)"

# ---- install, uninstall, pkg-config, luarocks ---------------------------
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]; the directories
# below may be overridden one by one (LIBDIR=$(PREFIX)/lib64 ...).
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCDIR     ?= $(PREFIX)/include
PCDIR      ?= $(LIBDIR)/pkgconfig
LUA_CMOD   ?= $(LIBDIR)/lua/5.4
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/luaml
INSTALL    ?= install
SONAME     := libluaml.so.$(SOVERSION)
REALNAME   := libluaml.so.$(VERSION)
# paths under PREFIX are written ${prefix}/... in luaml.pc, so that
# pkg-config --define-prefix can relocate a DESTDIR copy; Lua's flags are
# written out (not Requires: lua5.4), since --define-prefix would also
# "relocate" lua5.4.pc from its multiarch directory
pcpath = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))

# luaml.pc for PREFIX, written by install (PREFIX may differ per call)
define PCFILE
prefix=$(PREFIX)
libdir=$(call pcpath,$(LIBDIR))
includedir=$(call pcpath,$(INCDIR))

Name: luaml
Description: Lua 5.4 with a matrix type and machine-learning builtins, for embedding
Version: $(VERSION)
Libs: -L$${libdir} -lluaml $(strip $(LUA_LIBS))
Libs.private: $(strip $(SLEEF_LIBS) -lz -lm -pthread -ldl)
Cflags: -I$${includedir} $(strip $(LUA_CFLAGS))
endef
export PCFILE

install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	  $(DESTDIR)$(PCDIR) $(DESTDIR)$(LUA_CMOD) $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(DATADIR)
	$(INSTALL) -m 755 $(BUILD)/luaml $(DESTDIR)$(BINDIR)/luaml
	$(INSTALL) -m 644 $(BUILD)/libluaml.a $(DESTDIR)$(LIBDIR)/libluaml.a
	$(INSTALL) -m 755 $(BUILD)/libluaml.so $(DESTDIR)$(LIBDIR)/$(REALNAME)
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libluaml.so
	$(INSTALL) -m 755 $(BUILD)/luaml.so $(DESTDIR)$(LUA_CMOD)/luaml.so
	$(INSTALL) -m 644 src/luaml.h $(DESTDIR)$(INCDIR)/luaml.h
	echo "$$PCFILE" > $(DESTDIR)$(PCDIR)/luaml.pc
	$(INSTALL) -m 644 doc/luaml.1 $(DESTDIR)$(MANDIR)/man1/luaml.1
	cp -R examples/data $(DESTDIR)$(DATADIR)/
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig 2>/dev/null || true; fi

# make install writes the kernelspec for the installed luaml
KERNELDIR = $(PREFIX)/share/jupyter/kernels/luaml
install: install-kernelspec
install-kernelspec: $(BUILD)/luaml
	LUAML_KERNEL_BIN=$(BINDIR)/luaml $(BUILD)/luaml --install-kernel \
	  --prefix $(DESTDIR)$(PREFIX)
uninstall: uninstall-kernelspec
uninstall-kernelspec:
	rm -rf $(DESTDIR)$(KERNELDIR)
.PHONY: install-kernelspec uninstall-kernelspec

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/luaml $(DESTDIR)$(LIBDIR)/libluaml.a \
	  $(DESTDIR)$(LIBDIR)/$(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME) \
	  $(DESTDIR)$(LIBDIR)/libluaml.so $(DESTDIR)$(LUA_CMOD)/luaml.so \
	  $(DESTDIR)$(INCDIR)/luaml.h $(DESTDIR)$(PCDIR)/luaml.pc \
	  $(DESTDIR)$(MANDIR)/man1/luaml.1
	rm -rf $(DESTDIR)$(DATADIR)

# The installed data folder is compiled into the library as ml.datadir
# (where ml.datasets looks last).  The header changes, and luaml.o is
# rebuilt, only when DATADIR does: `make install PREFIX=/usr` after a plain
# `make` rebuilds it for /usr.
$(BUILD)/luaml_config.h: FORCE | $(BUILD)/obj
	@printf '#define LUAML_DATADIR "%s"\n' '$(DATADIR)/data' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/obj/luaml.o: $(BUILD)/luaml_config.h
$(BUILD)/obj/luaml.o: ALL_CFLAGS += -include $(BUILD)/luaml_config.h
FORCE:
.PHONY: FORCE

# luarocks' make backend (luaml-0.1.0-1.rockspec): build the module, then
# copy it into the rock tree's INST_LIBDIR
module: $(BUILD)/luaml.so

install-module: module
	$(INSTALL) -d $(INST_LIBDIR)
	$(INSTALL) -m 755 $(BUILD)/luaml.so $(INST_LIBDIR)/luaml.so

.PHONY: module install-module

# ---- the command line and the prompt (issue 10, issue 15) -------------
# lua/prompt.lua: the REPL's %timeit and %who.
# make lua-testes LUA_TESTES=DIR: Lua 5.4.4's own test suite (the testes/
# folder of its source release) run under build/luaml, file by file, with
# main.lua's progname pointing at luaml; skipped with a message when DIR
# is not there.
LUA_SRC    += lua/prompt.lua
LUA_TESTES ?= lua-5.4.4/testes

.PHONY: lua-testes
lua-testes: all
	@sh tools/lua_testes.sh $(BUILD)/luaml $(LUA_TESTES)

# ---- speed: benchmarks against numpy (issues 5, 14) ------------------
# `make bench` runs bench/run.py: every workload in luaml and in numpy,
# alternating, BENCH_RUNS times each; medians, ratios and peak memory go
# to bench/results/<cpu>.md.  Benchmarks are not tests: nothing here is timed
# by `make test`.
BENCH_RUNS ?= 5

.PHONY: bench
bench: deps-bench all $(BUILD)/tests/test_simd
	/usr/bin/python3 bench/run.py --runs $(BENCH_RUNS) --luaml $(BUILD)/luaml
# ---- sanitizers, valgrind -------------------------------------------
# make sanitize: everything rebuilt in build-sanitize/ with ASan + UBSan
# (-O1, any UB report is fatal), with leak detection.  The C tests, the
# specs and the examples all run instrumented: busted runs under the
# instrumented host build-sanitize/luaml (it runs Lua scripts as lua5.4
# does, with the module preloaded).  Specs that start the host find the
# instrumented one through LUAML_BUILD (an uninstrumented build/luaml with
# libasan preloaded deadlocked at exit in libp11-kit's finaliser).
# spec/shell/install.sh is left out: it links plain C programs against the
# installed library, which cannot be the instrumented one (make test runs
# it).
SAN_BUILD := build-sanitize
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
SAN_TESTS := $(patsubst spec/c/%.c,$(SAN_BUILD)/tests/%,$(wildcard spec/c/test_*.c))
# detect_stack_use_after_return stays off: ASan's fake stack frames are not
# 64-byte aligned, so the AVX-512 kernels' aligned spills fault there (a
# limitation of the fake stack, not of the code: the same tests pass with
# ordinary, redzoned stack frames)
# Specs and shell tests also start stock lua5.4 (uninstrumented) with the
# instrumented module, and the examples' host: the ASan runtime is preloaded
# for those children, as it must come first in their library list.
# LUAML_INSTRUMENTED tells the specs that a run is 10-50x slower than
# plain: the course's full training curves (spec 34) run their first
# hundreds of steps there, make test runs them whole.
SAN_ENV    = LUAML_INSTRUMENTED=asan \
             LD_PRELOAD=$(shell $(CC) -print-file-name=libasan.so) \
             ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
             LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0
EXAMPLE_TIMEOUT ?= 900  # seconds per example under ASan

.PHONY: sanitize sanitize-build valgrind

sanitize-build:
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" \
	  LIBS="$(LIBS) $(SAN_FLAGS)" all $(SAN_TESTS)

sanitize: deps sanitize-build
	@env $(SAN_ENV) BUSTED="$(SAN_BUILD)/luaml $$(command -v busted)" \
	  SKIP_SUITES=install sh tools/runtests.sh $(SAN_BUILD) $(SAN_TESTS)
	@env $(SAN_ENV) sh tools/run_examples.sh $(SAN_BUILD)/luaml $(EXAMPLE_TIMEOUT)

# make valgrind: the C tests and the spec suite (module in build/, under
# stock lua5.4) under memcheck: any error or definite leak fails.  The
# suppressions (tools/valgrind.supp) cover only OpenBLAS's and HDF5's
# one-time internal allocations; each is documented there.
VG_DIR := $(BUILD)/valgrind
VALGRIND := valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite --errors-for-leak-kinds=definite \
            --suppressions=$(CURDIR)/tools/valgrind.supp --num-callers=30 \
            --log-file=$(VG_DIR)/%p.log

valgrind: deps-dev all $(C_TESTS)
	@rm -rf $(VG_DIR); mkdir -p $(VG_DIR)
	@TEST_WRAP="$(VALGRIND)" \
	  BUSTED_WRAP="$(VALGRIND)" LUAML_INSTRUMENTED=valgrind \
	  sh tools/runtests.sh $(BUILD) $(C_TESTS); rc=$$?; \
	  bad=$$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' $(VG_DIR)/*.log); \
	  for f in $$bad; do echo "== $$f"; sed -n '/== [A-Z].*\(Invalid\|uninitialised\|definitely\|Mismatched\|overlap\)/,/^==[0-9]*== $$/p' $$f | head -60; done; \
	  echo "valgrind: $$(ls $(VG_DIR)/*.log | wc -l) processes checked, $$(echo $$bad | wc -w) with errors"; \
	  [ $$rc -eq 0 ] && [ -z "$$bad" ]

# ---- fuzzing (libFuzzer, clang) ---------------------------------------
# make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="csv lua"]: build the harnesses
# of fuzz/ with ASan + UBSan into build-fuzz/ and run each for N seconds,
# starting from its seed corpus fuzz/corpus/NAME (new inputs go to
# build-fuzz/corpus/NAME; crashes to build-fuzz/crash-NAME-*).
FUZZ_BUILD   := build-fuzz
FUZZ_TARGETS ?= csv npy idx h5 lua
FUZZ_SECONDS ?= 10
FUZZ_TIMEOUT ?= 120  # seconds one input may take before it counts as a hang
FUZZ_FLAGS   ?=      # more libFuzzer flags, e.g. -seed=1
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_MAXLEN  := csv:4096 npy:4096 idx:4096 h5:16384 lua:256

.PHONY: fuzz fuzz-build

ifneq ($(BUILD),$(FUZZ_BUILD))  # the sub-make builds it with the rule above
$(FUZZ_BUILD)/libluaml.a: FORCE
	@# (SLEEF_LIBS= : clang 14 refuses SLEEF's vector calls inside
	@# target-attribute functions, so the fuzz build takes the libm path)
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang SLEEF_LIBS= \
	  CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $@
endif

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) spec/c/checkalloc.h \
                  $(FUZZ_BUILD)/libluaml.a
	clang -std=gnu99 -O1 -g $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer \
	  $(LUA_CFLAGS) $(H5_CFLAGS) -Isrc $< $(FUZZ_BUILD)/libluaml.a -o $@ \
	  $(LUA_LIBS) $(LIBS)

fuzz-build: deps-dev $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: fuzz-build
	@for n in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  dict=; [ -f fuzz/$$n.dict ] && dict=-dict=fuzz/$$n.dict; \
	  len=$$(echo $(FUZZ_MAXLEN) | tr ' ' '\n' | sed -n "s/^$$n://p"); \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  ./$(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$$len -rss_limit_mb=2048 -timeout=$(FUZZ_TIMEOUT) $(FUZZ_FLAGS) \
	    -print_final_stats=1 $$dict -artifact_prefix=$(FUZZ_BUILD)/crash-$$n- \
	    $(FUZZ_BUILD)/corpus/$$n fuzz/corpus/$$n > $(FUZZ_BUILD)/fuzz-$$n.log 2>&1; \
	  rc=$$?; grep -E '^stat::number_of_executed_units|^stat::new_units_added' \
	    $(FUZZ_BUILD)/fuzz-$$n.log | sed 's/^/  /'; \
	  if [ $$rc -ne 0 ]; then echo "fuzz: $$n FOUND A CRASH (see $(FUZZ_BUILD)/fuzz-$$n.log)"; \
	    grep -m5 -E 'ERROR|SUMMARY|runtime error' $(FUZZ_BUILD)/fuzz-$$n.log; exit 1; fi; \
	done


# ---- limits that bound a call: pattern matching (issue 11) ----------------
# src/lpattern.c (in BIND_SRC) is the counted pattern matcher of the states
# with limits.  build/tests/limited runs a script in such a state; `make
# lua-testes` runs Lua's pm.lua and strings.lua with it too.
$(BUILD)/tests/limited: tools/limited.c $(BUILD)/libluaml.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS)
tests: $(BUILD)/tests/limited
lua-testes: $(BUILD)/tests/limited
$(BUILD)/tests/test_pattern: spec/c/test_pattern.c spec/c/tap.h $(BUILD)/libluaml.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS)
lua-testes: export LUA_TESTES_LIMITED = $(BUILD)/tests/limited
