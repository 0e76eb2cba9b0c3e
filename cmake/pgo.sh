#!/bin/sh
# cmake/pgo.sh - a profile-guided Release build of dfsum (GCC).
#
#   cmake/pgo.sh [DIR]        (default DIR: build-pgo; from anywhere)
#
# Builds dfsum with counters, runs it over training tables, then builds
# it again from those counts: GCC then knows which way the branches of the
# hot loops go (number shapes, field lengths, delimiters) and lays the code
# out and inlines for that. The answers are those of any other build
# (tests/run.sh checks this build against the golden cases); only the
# speed changes (bench/README.md).
#
# The training tables come from bench/gen_data.c with a seed of their own,
# not the benchmarks' (42), at a few percent of their size, plus the CSV
# files of datasets/: numbers of every shape, quoted text, a wide table.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build-pgo}
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

if ! ${CC:-cc} --version 2>/dev/null | grep -qi 'gcc\|free software'; then
    echo "cmake/pgo.sh: needs GCC as cc (its -fprofile-use); set CC=gcc" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
profile="$dir/profile"
train="$dir/train"
rm -rf "$profile" "$train"
mkdir -p "$profile" "$train"

# The counters go to $profile under names made from each object's path,
# so the second build must compile in the same directory as the first.
configure() {
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_C_FLAGS="$1" -DCMAKE_CXX_FLAGS="$1" \
        -DCMAKE_EXE_LINKER_FLAGS="$2" -DCMAKE_SHARED_LINKER_FLAGS="$2" \
        >/dev/null
}

echo "== pgo: build with counters ($dir)"
configure "-fprofile-generate -fprofile-dir=$profile -fprofile-update=atomic" \
    "-fprofile-generate"
cmake --build "$dir" -j "$JOBS" --target dfsum_cli >/dev/null

echo "== pgo: train"
${CC:-cc} -O2 -ffp-contract=off -o "$train/gen_data" "$root/bench/gen_data.c"
"$train/gen_data" numeric --rows 400000 --seed 7 -o "$train/numeric.csv"
"$train/gen_data" mixed --rows 300000 --seed 7 -o "$train/mixed.csv"
"$train/gen_data" wide --rows 8000 --seed 7 -o "$train/wide.csv"
for f in "$train"/*.csv "$root"/datasets/*.csv; do
    for include in default all; do
        "$dir/dfsum" --threads 2 --include "$include" "$f" >/dev/null
    done
done
rm -f "$train"/*.csv

echo "== pgo: build from the counts"
configure "-fprofile-use -fprofile-dir=$profile -fprofile-partial-training -Wno-missing-profile" ""
cmake --build "$dir" -j "$JOBS" --clean-first --target dfsum_cli dfsum \
    dfsum_static >/dev/null
echo "== pgo: $dir/dfsum"
