#!/bin/sh
# check_h5.sh - the dfsum command on the HDF5 fixtures of make_fixtures.
#
#   check_h5.sh DFSUM FIXTURE_DIR            serial checks
#   check_h5.sh DFSUM FIXTURE_DIR MPIEXEC    the same tables under 1-3 ranks
#
# The invariant: a table stored as CSV and as HDF5 gives the same
# `--format csv` output, whatever the threads, slab size or ranks.
set -u
DFSUM=$1
FX=$2
MPIEXEC=${3:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# run NAME ARGS...: stdout to $OUT/NAME.out, stderr to $OUT/NAME.err
run() {
    name=$1
    shift
    "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
}

# same NAME_A NAME_B: both succeeded with identical output
same() {
    if [ "$(cat "$OUT/$1.rc")" != 0 ] || [ "$(cat "$OUT/$2.rc")" != 0 ]; then
        fail "$1 / $2 exited $(cat "$OUT/$1.rc") / $(cat "$OUT/$2.rc"):" \
            "$(cat "$OUT/$1.err" "$OUT/$2.err")"
    elif ! cmp -s "$OUT/$1.out" "$OUT/$2.out"; then
        fail "$1 and $2 differ"
        diff "$OUT/$1.out" "$OUT/$2.out" | head -5
    fi
}

# The tables with a CSV twin: OBJECT TWIN
TABLES="types.h5:/table:types.csv types_be.h5:/table:types.csv
group.h5:/g:group.csv compact.h5:/compact:compact.csv grid.h5:/grid:grid.csv
flags.h5:/flags:flags.csv"

serial_checks() {
    for t in $TABLES; do
        obj=${t%:*}
        twin=${t##*:}
        base=$(echo "$obj" | tr ':/.' '___')
        for inc in default all; do
            run "$base.csv.$inc" "$DFSUM" --format csv --include "$inc" \
                "$FX/$twin"
            run "$base.h5.$inc" "$DFSUM" --format csv --include "$inc" \
                "$FX/$obj"
            same "$base.csv.$inc" "$base.h5.$inc"
            for th in 1 2 4; do
                for cs in 64 1000 4M; do
                    n="$base.$inc.t$th.c$cs"
                    run "$n" "$DFSUM" --format csv --include "$inc" \
                        --threads $th --chunk-size $cs "$FX/$obj"
                    same "$base.h5.$inc" "$n"
                done
            done
        done
    done
}

# expect NAME 'text': a line of NAME's stdout is exactly text
expect() {
    grep -qxF "$2" "$OUT/$1.out" || fail "$1: no line '$2'"
}

value_checks() {
    run empty "$DFSUM" --format csv --include all "$FX/empty.h5:/empty"
    expect empty ",x,n,tag"
    expect empty "count,0.0,0.0,0"
    expect empty "unique,,,0"
    run flags "$DFSUM" --format csv "$FX/flags.h5:/flags"
    expect flags "count,300"
    expect flags "top,False"
    expect flags "freq,225"
    run compact "$DFSUM" --format csv "$FX/compact.h5:/compact"
    expect compact "count,50.0"
    run cols "$DFSUM" --format csv --columns label,u8 "$FX/types.h5:/table"
    expect cols ",u8"
    run list "$DFSUM" --list "$FX/group.h5"
    expect list "/g  3000 x 4  float64, int32, uint16, str"
    expect list "/g/rec  3000 x 13  int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, bool, S8, str"
    run list_bad "$DFSUM" --list "$FX/bad.h5"
    [ "$(cat "$OUT/list_bad.rc")" = 0 ] || fail "--list bad.h5 failed"
    [ -s "$OUT/list_bad.out" ] && fail "--list bad.h5 listed $(cat "$OUT/list_bad.out")"
}

# refuse NAME PATH REASON: exit 1, nothing on stdout, one stderr line that
# names the file and says REASON
refuse() {
    run "$1" "$DFSUM" --format csv "$2"
    file=$(basename "${2%%:*}")
    rc=$(cat "$OUT/$1.rc")
    lines=$(wc -l <"$OUT/$1.err")
    if [ "$rc" != 1 ] || [ "$lines" != 1 ] || [ -s "$OUT/$1.out" ] ||
        ! grep -qF "$file" "$OUT/$1.err" || ! grep -qF "$3" "$OUT/$1.err"; then
        fail "$1: rc $rc, stderr: $(cat "$OUT/$1.err")"
    fi
}

bad_checks() {
    refuse cube "$FX/bad.h5:/cube" "3-D dataset"
    refuse refs "$FX/bad.h5:/refs" "reference type"
    refuse opaque "$FX/bad.h5:/opaque" "opaque type"
    refuse nested "$FX/bad.h5:/nested" "nested compound"
    refuse arr "$FX/bad.h5:/arr" "array type"
    refuse filtered "$FX/bad.h5:/filtered" "not available"
    refuse missing "$FX/bad.h5:/nope" "no such object"
    refuse nofile "$FX/nofile.h5:/x" "no such file"
    refuse truncated "$FX/truncated.h5:/table" "truncated.h5"
    refuse root "$FX/bad.h5" "no object given"
    refuse notable "$FX/types.csv:/x" "not an HDF5 file"
}

mpi_checks() {
    for t in $TABLES; do
        obj=${t%:*}
        base=$(echo "$obj" | tr ':/.' '___')
        run "$base.ref" "$DFSUM" --format csv --include all "$FX/$obj"
        for n in 1 2 3; do
            for mode in independent collective; do
                run "$base.np$n.$mode" $MPIEXEC -n $n "$DFSUM" --format csv \
                    --include all --hdf5-transfer $mode --chunk-size 5000 \
                    "$FX/$obj"
                same "$base.ref" "$base.np$n.$mode"
            done
        done
    done
    run mpi_bad $MPIEXEC -n 2 "$DFSUM" --format csv "$FX/bad.h5:/cube"
    [ "$(cat "$OUT/mpi_bad.rc")" != 0 ] || fail "mpi: bad.h5:/cube succeeded"
}

if [ -n "$MPIEXEC" ]; then
    mpi_checks
else
    serial_checks
    value_checks
    bad_checks
fi
if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all HDF5 checks passed"
