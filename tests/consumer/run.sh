#!/bin/sh
# Installs a build tree into a temporary prefix and builds small programs
# against the installed files only - with pkg-config (shared and --static),
# with a CMake project using find_package(dfsum), in C and C++, and an MPI
# program run under mpiexec -n 3 - then checks what they print (pandas
# 1.5.3's describe().to_csv() of the same data).
# Usage: tests/consumer/run.sh BUILD_DIR
# CONSUMER_FLAGS: extra compile and link flags (-fsanitize=... when the
# library was built with sanitizers).
set -eu
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dfsum-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log"
pc=$(dirname "$(find "$prefix" -name dfsum.pc | head -n 1)")
libdir=$(dirname "$pc")
export PKG_CONFIG_PATH="$pc"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# Only the installed header may be seen: nothing points into the tree.
test -f "$prefix/include/dfsum.h"
test -f "$prefix/share/man/man1/dfsum.1"

# pandas: pd.DataFrame({"x": [1.5, 2.25, nan, -3.0, 4.0, 7.125]})
cat >"$tmp/frame.expected" <<'END'
,x
count,5.0
mean,2.375
std,3.7038830975072634
min,-3.0
25%,1.5
50%,2.25
75%,4.0
max,7.125
END
# pandas: pd.read_csv("a,b\n1,x\n3,y\n5,x\n"), then pd.DataFrame({"w":
# ["b", "a", None, "a"]})
printf 'a,b\n1,x\n3,y\n5,x\n' >"$tmp/t.csv"
cat >"$tmp/cxx.expected" <<'END'
,a
count,3.0
mean,3.0
std,2.0
min,1.0
25%,2.0
50%,3.0
75%,4.0
max,5.0
,w
count,3
unique,2
top,a
freq,2
END
# pandas: pd.DataFrame({"v": np.arange(30)})
cat >"$tmp/mpi.expected" <<'END'
,v
count,30.0
mean,14.5
std,8.803408430829505
min,0.0
25%,7.25
50%,14.5
75%,21.75
max,29.0
END

# check NAME EXPECTED COMMAND...: runs the command, compares its output
check() {
    name=$1 expected=$2
    shift 2
    if ! "$@" >"$tmp/$name.out"; then
        echo "FAIL: $name exited with an error" >&2
        exit 1
    fi
    if ! cmp -s "$tmp/$name.out" "$expected"; then
        echo "FAIL: $name" >&2
        diff "$expected" "$tmp/$name.out" >&2 || true
        exit 1
    fi
    echo "ok: $name"
}

flags=${CONSUMER_FLAGS:-}
cc="${CC:-cc} $flags"
cxx="${CXX:-c++} $flags"
# shellcheck disable=SC2046 # pkg-config output is meant to split
$cc -std=c11 -Wall -Werror "$here/consumer.c" -o "$tmp/pc_shared" \
    $(pkg-config --cflags --libs dfsum)
check pkg-config.shared "$tmp/frame.expected" "$tmp/pc_shared"

# The static archive sits beside the shared library: name it.
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Werror "$here/consumer.c" -o "$tmp/pc_static" \
    $(pkg-config --cflags dfsum) "$libdir/libdfsum.a" \
    $(pkg-config --static --libs dfsum | sed 's/-ldfsum//')
if ldd "$tmp/pc_static" | grep -q libdfsum; then
    echo "FAIL: pkg-config.static links the shared library" >&2
    exit 1
fi
check pkg-config.static "$tmp/frame.expected" "$tmp/pc_static"

# shellcheck disable=SC2046
$cxx -std=c++17 -Wall -Werror "$here/consumer.cpp" -o "$tmp/pc_cxx" \
    $(pkg-config --cflags --libs dfsum)
check pkg-config.cxx "$tmp/cxx.expected" "$tmp/pc_cxx" "$tmp/t.csv"

cmake -S "$here/cmake_project" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCONSUMER_SOURCES="$here" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >"$tmp/cmake.log"
cmake --build "$tmp/cmake" >>"$tmp/cmake.log"
check cmake.c "$tmp/frame.expected" "$tmp/cmake/consumer_c"
check cmake.cxx "$tmp/cxx.expected" "$tmp/cmake/consumer_cxx" "$tmp/t.csv"
check cmake.static "$tmp/frame.expected" "$tmp/cmake/consumer_static"

# shellcheck disable=SC2046
mpicc $flags -std=c11 -Wall -Werror "$here/consumer_mpi.c" -o "$tmp/mpi" \
    $(pkg-config --cflags --libs dfsum)
check mpi.n3 "$tmp/mpi.expected" mpiexec -n 3 "$tmp/mpi"
