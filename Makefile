# luaml -- build, test, install.  `make help` lists the targets.

PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      ?= build
CC         ?= cc
PKG_CONFIG ?= pkg-config
VERSION    := 0.1.0
SOVERSION  := 0

# Debian packages the build, the tests and the benchmarks need
DEB_PKGS := gcc make pkg-config lua5.4 liblua5.4-dev libopenblas-dev \
            liblapacke-dev libhdf5-dev zlib1g-dev libreadline-dev lua-busted \
            python3-numpy

LUA_CFLAGS  := $(shell $(PKG_CONFIG) --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS    := $(shell $(PKG_CONFIG) --libs lua5.4 2>/dev/null || echo -llua5.4)
BLAS_CFLAGS := $(shell $(PKG_CONFIG) --cflags openblas 2>/dev/null)
BLAS_LIBS   := $(shell $(PKG_CONFIG) --libs openblas 2>/dev/null || echo -lopenblas) -llapacke
H5_CFLAGS   := $(shell $(PKG_CONFIG) --cflags hdf5 2>/dev/null || echo -I/usr/include/hdf5/serial)
H5_LIBS     := $(shell $(PKG_CONFIG) --libs hdf5 2>/dev/null || echo -lhdf5_serial)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c99 -D_DEFAULT_SOURCE -fPIC $(WARN) $(CFLAGS) \
              $(LUA_CFLAGS) $(BLAS_CFLAGS) $(H5_CFLAGS) -Isrc
LIBS    := $(BLAS_LIBS) $(H5_LIBS) -lz -lm

CORE_SRC := src/core_ew.c src/core_red.c src/core_ml.c src/core_la.c \
            src/core_rng.c src/core_io.c src/core_h5.c src/core_opt.c
BIND_SRC := src/lmatrix.c src/lfuncs.c src/llinalg.c src/lrandom.c \
            src/lio.c src/loptim.c src/luaml.c
LUA_SRC  := lua/init.lua lua/optim.lua lua/data.lua lua/models.lua lua/plot.lua
HOST_SRC := src/host.c

CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
BIND_OBJ := $(BIND_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/luaml_lua.o
LIB_OBJ  := $(CORE_OBJ) $(BIND_OBJ)
HEADERS  := src/core.h src/core_io.h src/core_opt.h src/lbind.h src/luaml.h

.PHONY: all deps test test-c test-lua demo clean help install uninstall

all: $(BUILD)/luaml $(BUILD)/luaml.so $(BUILD)/libluaml.a $(BUILD)/libluaml.so

help:
	@echo "make          build $(BUILD)/luaml, luaml.so, libluaml.a, libluaml.so"
	@echo "make deps     install missing Debian packages (apt-get as root, else print the command)"
	@echo "make test     build and run every test suite"
	@echo "make demo     build, then train softmax regression on the bundled MNIST"
	@echo "make install  install under PREFIX (default /usr/local), honours DESTDIR"
	@echo "make sanitize the C tests, specs and examples built with ASan + UBSan"
	@echo "make valgrind the C tests and specs under valgrind's memcheck"
	@echo "make fuzz     run each libFuzzer harness of fuzz/ for FUZZ_SECONDS (default 10)"

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "deps: missing Debian packages; install them with:"; \
	  echo "  sudo apt-get install -y$$missing"; exit 1; \
	fi

$(BUILD)/obj/%.o: src/%.c $(HEADERS) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj $(BUILD)/tools $(BUILD)/tests:
	@mkdir -p $@

$(BUILD)/tools/embed: tools/embed.c | $(BUILD)/tools
	$(CC) -std=c99 -O1 $(WARN) $< -o $@

$(BUILD)/luaml_lua.c: $(BUILD)/tools/embed $(LUA_SRC)
	$(BUILD)/tools/embed $@ $(LUA_SRC)

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

$(BUILD)/luaml: $(BUILD)/obj/host.o $(BUILD)/libluaml.a
	$(CC) $(BUILD)/obj/host.o $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS) -Wl,-E

# ---- tests ----------------------------------------------------------
C_TESTS := $(patsubst spec/c/%.c,$(BUILD)/tests/%,$(wildcard spec/c/test_*.c))

$(BUILD)/tests/%: spec/c/%.c $(CORE_OBJ) $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(CORE_OBJ) -o $@ $(LIBS)

test: deps all $(C_TESTS)
	@sh tools/runtests.sh $(BUILD) $(C_TESTS)

demo: deps all
	$(BUILD)/luaml examples/10_mnist_softmax.lua

clean:
	rm -rf $(BUILD) build-sanitize build-fuzz

# test_faults drives the whole engine through Lua: it links the library
$(BUILD)/tests/test_faults: spec/c/test_faults.c spec/c/checkalloc.h $(BUILD)/libluaml.a $(HEADERS) | $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(BUILD)/libluaml.a -o $@ $(LUA_LIBS) $(LIBS)

# ---- sanitizers, valgrind -------------------------------------------
# make sanitize: everything rebuilt in build-sanitize/ with ASan + UBSan
# (-O1, any UB report is fatal), with leak detection.  The C tests, the
# specs and the examples all run instrumented: busted runs under the
# instrumented host build-sanitize/luaml (it runs Lua scripts as lua5.4
# does, with the module preloaded), so no libasan is preloaded anywhere
# (preloading it into the stock lua5.4 also reached the programs the specs
# start, and build/luaml deadlocked at exit in libp11-kit's finaliser).
DEB_PKGS  += valgrind clang libclang-rt-14-dev  # make valgrind, make fuzz
SAN_BUILD := build-sanitize
SAN_FLAGS := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
SAN_TESTS := $(patsubst spec/c/%.c,$(SAN_BUILD)/tests/%,$(wildcard spec/c/test_*.c))
SAN_ENV   := ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
             LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0
EXAMPLE_TIMEOUT ?= 900  # seconds per example under ASan

.PHONY: sanitize sanitize-build valgrind

sanitize-build:
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CFLAGS="-O1 -g $(SAN_FLAGS)" \
	  LIBS="$(LIBS) $(SAN_FLAGS)" all $(SAN_TESTS)

sanitize: deps sanitize-build
	@env $(SAN_ENV) BUSTED="$(SAN_BUILD)/luaml $$(command -v busted)" \
	  sh tools/runtests.sh $(SAN_BUILD) $(SAN_TESTS)
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

valgrind: deps all $(C_TESTS)
	@rm -rf $(VG_DIR); mkdir -p $(VG_DIR)
	@OPENBLAS_NUM_THREADS=1 TEST_WRAP="$(VALGRIND)" \
	  BUSTED_WRAP="$(VALGRIND)" \
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
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_MAXLEN  := csv:4096 npy:4096 idx:4096 h5:16384 lua:256

.PHONY: fuzz fuzz-build FORCE
FORCE:

ifneq ($(BUILD),$(FUZZ_BUILD))  # the sub-make builds it with the rule above
$(FUZZ_BUILD)/libluaml.a: FORCE
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
	  CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $@
endif

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) spec/c/checkalloc.h \
                  $(FUZZ_BUILD)/libluaml.a
	clang -std=gnu99 -O1 -g $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer \
	  $(LUA_CFLAGS) $(H5_CFLAGS) -Isrc $< $(FUZZ_BUILD)/libluaml.a -o $@ \
	  $(LUA_LIBS) $(LIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: fuzz-build
	@for n in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  dict=; [ -f fuzz/$$n.dict ] && dict=-dict=fuzz/$$n.dict; \
	  len=$$(echo $(FUZZ_MAXLEN) | tr ' ' '\n' | sed -n "s/^$$n://p"); \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  ./$(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	    -max_len=$$len -rss_limit_mb=2048 -timeout=20 \
	    -print_final_stats=1 $$dict -artifact_prefix=$(FUZZ_BUILD)/crash-$$n- \
	    $(FUZZ_BUILD)/corpus/$$n fuzz/corpus/$$n > $(FUZZ_BUILD)/fuzz-$$n.log 2>&1; \
	  rc=$$?; grep -E '^stat::number_of_executed_units|^stat::new_units_added' \
	    $(FUZZ_BUILD)/fuzz-$$n.log | sed 's/^/  /'; \
	  if [ $$rc -ne 0 ]; then echo "fuzz: $$n FOUND A CRASH (see $(FUZZ_BUILD)/fuzz-$$n.log)"; \
	    grep -m5 -E 'ERROR|SUMMARY|runtime error' $(FUZZ_BUILD)/fuzz-$$n.log; exit 1; fi; \
	done
