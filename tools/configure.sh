#!/bin/sh
# configure.sh CC PKG_CONFIG [READLINE] -- probe what the build can use and print it
# as make assignments (the Makefile keeps them in BUILD/config.mk, which it
# rewrites only when a probe's answer changes: objects depend on it, so a
# build made before a package was installed is rebuilt once it is there).
# Silent where a tool is missing: on a fresh machine this runs before
# `make deps` has installed the compiler, and the build after it probes
# again.
cc=${1:-cc}; pc=${2:-pkg-config}; readline=${3:-}

# pkgflags WHAT PACKAGE FALLBACK: pkg-config's answer, else FALLBACK
pkgflags() {
  "$pc" "--$1" "$2" 2>/dev/null || echo "$3"
}

# soname LIB LINK-FLAGS: the soname of LIB in the -L folders of LINK-FLAGS
# or the system's (empty when not found)
soname() {
  dirs=$(for f in $2; do case $f in -L*) echo "${f#-L}" ;; esac; done)
  for d in $dirs /usr/lib/x86_64-linux-gnu /usr/lib/aarch64-linux-gnu /usr/lib; do
    [ -e "$d/$1" ] || continue
    objdump -p "$d/$1" 2>/dev/null | awk '/SONAME/ {print $2; exit}'
  done | head -n 1
}

lua_libs=$(pkgflags libs lua5.4 -llua5.4)
blas_libs="$(pkgflags libs openblas -lopenblas) -llapacke"
h5_libs=$(pkgflags libs hdf5 -lhdf5_serial)

echo "LUA_CFLAGS := $(pkgflags cflags lua5.4 -I/usr/include/lua5.4)"
echo "LUA_LIBS := $lua_libs"
echo "BLAS_CFLAGS := $(pkgflags cflags openblas '')"
echo "H5_CFLAGS := $(pkgflags cflags hdf5 -I/usr/include/hdf5/serial)"
echo "H5_LIBS := $h5_libs"
echo "BLAS_SONAME := $(soname libopenblas.so "$blas_libs")"
echo "LAPACKE_SONAME := $(soname liblapacke.so "$blas_libs")"
echo "H5_SONAME := $(soname libhdf5.so "$h5_libs")"
echo "MPI_SONAME := $(soname libmpi.so '')"
# SLEEF's vector exp/log (without it: libm, ~3x slower elementwise kernels)
echo "SLEEF_LIBS := $("$pc" --exists sleef 2>/dev/null && "$pc" --libs sleef)"
# GCC's vectoriser cost model (clang, used by make fuzz, lacks the flag)
"$cc" -fvect-cost-model=dynamic -x c -c /dev/null -o /dev/null 2>/dev/null &&
  echo "VECT_COST := -fvect-cost-model=dynamic" || echo "VECT_COST :="
# GNU readline for the prompt (without it: fgets, no history or completion);
# READLINE=0 or 1 decides instead of the probe
if [ -n "$readline" ]; then echo "HAVE_READLINE := $readline"; exit 0; fi
printf '#include <stdio.h>\n#include <readline/readline.h>\n' |
  "$cc" -E - >/dev/null 2>&1 && echo "HAVE_READLINE := 1" || echo "HAVE_READLINE := 0"
