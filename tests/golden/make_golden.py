#!/usr/bin/python3
"""Write the expected output of the golden cases from pandas itself.

    /usr/bin/python3 tests/golden/make_golden.py [--only NAME] [--check]

A developer tool, not run by the test suite: it needs pandas 1.5 (Debian 12's
python3-pandas).  For every case directory under cases/ whose `status` is 0
(or missing), it reads `args`, does what dfsum would do with them the pandas
way, and writes `expected.out`, `expected.err` and `status` 0:

    pd.read_csv(FILE[, sep=DELIM][, on_bad_lines=...][, header=None]
                [, skiprows=N][, na_values=[...]][, encoding=...]
                [, nrows=N])[COLUMNS]
                .describe(
        include=..., percentiles=...)

`expected.err` is empty, except under `--on-bad-lines warn`: pandas prints
"Skipping line N: expected W fields, saw M" for each bad line, which becomes
dfsum's "dfsum: FILE:N: expected W fields, saw M; line skipped".  pandas
does not count the line ends inside quoted fields, dfsum does (it names the
physical line): a case folder with a file `err_by_hand` keeps its
expected.err as written.

printed as `.to_csv()` for `--format csv`, or as the JSON document for
`--format json`.  Two things are NOT taken from pandas as they are:

  * mean and std are the exact values: mean is the exact mean of the float64
    values rounded once to float64; std is the square root of the exact
    variance (ddof=1) rounded once to float64.  pandas sums in floating point
    and carries rounding errors; dfsum does not.
  * top: when several values tie for the highest frequency, pandas' pick is
    arbitrary; dfsum picks the one that appears first in the file.

Cases with a non-zero `status` (error cases) and the --help and --version
cases are left alone: their expected files are written by hand.  --check
only reports the cases whose expected.out would change.
"""
import argparse
import contextlib
import io
import json
import math
import numbers
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")

# pandas hands std/var to bottleneck when installed; mean and std are replaced
# by exact values below anyway, but pin it so nothing else depends on it.
pd.set_option("compute.use_bottleneck", True)


class Options:
    """The dfsum command line, as far as the expected output depends on it."""

    def __init__(self):
        self.format = "table"
        self.include_all = False
        self.percentiles = None
        self.delimiter = None
        self.columns = None
        self.on_bad_lines = None
        self.no_header = False
        self.na_values = None
        self.encoding = None
        self.nrows = None
        self.include_kinds = None
        self.quotechar = None
        self.decimal = None
        self.thousands = None
        self.true_values = None
        self.false_values = None
        self.index_col = None
        self.exclude_kinds = None
        self.skip_rows = None
        self.files = []


def split_list(value):
    return value.split(",")


def index_list(value):
    return [int(c) if c.isdigit() else c for c in value.split(",")]


# option -> (attribute of Options, how its value is read)
VALUE_OPTIONS = {
    "--format": ("format", str),
    "--exclude": ("exclude_kinds", split_list),
    "--percentiles": ("percentiles", lambda v: [float(p) for p in v.split(",")]),
    "--delimiter": ("delimiter", str),
    "--columns": ("columns", split_list),
    "--on-bad-lines": ("on_bad_lines", str),
    "--encoding": ("encoding", str),
    "--na-values": ("na_values", split_list),
    "--index-col": ("index_col", index_list),
    "--quotechar": ("quotechar", str),
    "--decimal": ("decimal", str),
    "--thousands": ("thousands", str),
    "--true-values": ("true_values", split_list),
    "--false-values": ("false_values", split_list),
    "--nrows": ("nrows", int),
    "--skip-rows": ("skip_rows", int),
}


def parse_args(argv):
    o = Options()
    it = iter(argv)
    for a in it:
        if a == "-" or not a.startswith("--"):
            o.files.append(a)
            continue
        if a == "--no-header":
            o.no_header = True
            continue
        name, eq, value = a.partition("=")
        if not eq:
            value = next(it)
        if name == "--include" and value == "all":
            o.include_all = True
        elif name == "--include":
            o.include_kinds = split_list(value)
        elif name in VALUE_OPTIONS:
            attr, read = VALUE_OPTIONS[name]
            setattr(o, attr, read(value))
        elif name not in ("--threads", "--chunk-size"):
            raise ValueError("make_golden.py cannot model option %s" % name)
    return o


def exact_moments(values):
    """(mean, std) of float64 values, each rounded once from the exact value.

    Every float64 is an integer times a power of two, so with one common
    power 2**-k all sums are exact Python integers.  int() / int() division
    is correctly rounded (and raises OverflowError past the float range)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    if any(math.isinf(v) for v in values):
        pos, neg = math.inf in values, -math.inf in values
        return (math.nan if pos and neg else (math.inf if pos else -math.inf)), math.nan
    ratios = [v.as_integer_ratio() for v in values]
    den = max(d for _, d in ratios)
    ints = [m * (den // d) for m, d in ratios]
    s1 = sum(ints)
    mean = s1 / (n * den)
    if n == 1:
        return mean, math.nan
    # variance = (n*sum(x^2) - sum(x)^2) / (n * (n-1)), all over den^2
    num = n * sum(i * i for i in ints) - s1 * s1
    try:
        var = num / (n * (n - 1) * den * den)
    except OverflowError:
        var = math.inf
    return mean, math.sqrt(var)


def first_seen_top(series, freq):
    """The value with count `freq` that appears first in the column."""
    counts = series.value_counts(dropna=True)
    tied = set(counts[counts == freq].index)
    for v in series.dropna():
        if v in tied:
            return v
    raise AssertionError("no value with frequency %r" % freq)


def column(df, col):
    """df[col] as one Series: read_csv makes names unique, but --columns
    may list one twice (df[["a", "a"]]), and the copies are the same."""
    series = df[col]
    return series.iloc[:, 0] if isinstance(series, pd.DataFrame) else series


def fix_describe(df, desc):
    """Replace pandas' float mean/std by exact ones and tie-break `top`
    (a repeated column's copies all at once)."""
    for col in dict.fromkeys(desc.columns):
        series = column(df, col)
        if series.dtype.kind in "iuf":
            if "mean" in desc.index:
                mean, std = exact_moments([float(v) for v in series.dropna()])
                desc.loc["mean", col] = mean
                desc.loc["std", col] = std
        elif "top" in desc.index:
            top = desc.loc["top", col]
            top = top.iloc[0] if isinstance(top, pd.Series) else top
            if not pd.isna(top):
                freq = desc.loc["freq", col]
                freq = freq.iloc[0] if isinstance(freq, pd.Series) else freq
                desc.loc["top", col] = first_seen_top(series, freq)
    return desc


# Compressed input, known by its first bytes as dfsum knows it (pandas goes
# by the file name, and standard input has none). pandas 1.5 here lacks the
# zstandard and lz4 modules: those two are decompressed by their commands.
SIGNATURES = [(b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"),
              (b"PK\x03\x04", "zip"), (b"\x28\xb5\x2f\xfd", "zstd"),
              (b"\x04\x22\x4d\x18", "lz4")]


def compression_of(path):
    with open(path, "rb") as fh:
        head = fh.read(8)
    return next((name for sig, name in SIGNATURES if head.startswith(sig)), None)


def csv_source(path):
    """What pd.read_csv reads for path, and its compression argument."""
    kind = compression_of(path)
    if kind in ("zstd", "lz4"):
        data = subprocess.run([kind, "-dc", path], check=True, stdout=subprocess.PIPE).stdout
        return io.BytesIO(data), None
    return path, kind


SKIPPING = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)$")


# Options attribute -> read_csv keyword, passed when the option was given.
READ_CSV_ARGS = [("delimiter", "sep"), ("on_bad_lines", "on_bad_lines"),
                 ("na_values", "na_values"), ("encoding", "encoding"),
                 ("nrows", "nrows"), ("quotechar", "quotechar"),
                 ("decimal", "decimal"), ("thousands", "thousands"),
                 ("true_values", "true_values"), ("false_values", "false_values"),
                 ("index_col", "index_col"), ("skip_rows", "skiprows")]


def read_table(path, opts, name):
    """The table pandas reads, and dfsum's stderr lines for its bad lines."""
    kw = {key: getattr(opts, attr) for attr, key in READ_CSV_ARGS
          if getattr(opts, attr) is not None}
    if opts.no_header:
        kw["header"] = None
    source, kw["compression"] = csv_source(path)
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(printed):
        warnings.simplefilter("error")  # a DtypeWarning would mean chunk-dependent types
        df = pd.read_csv(source, **kw)
    if opts.columns is not None:  # header=None names the columns 0, 1, ...
        df = df[[int(c) for c in opts.columns] if opts.no_header else opts.columns]
    err = ""
    for line in printed.getvalue().splitlines():
        m = SKIPPING.match(line)
        if m:
            err += "dfsum: %s:%s: expected %s fields, saw %s; line skipped\n" % (
                name, m.group(1), m.group(2), m.group(3))
        elif line:
            raise ValueError("pandas printed %r" % line)
    return df, err


def describe(df, opts):
    kw = {}
    if opts.include_all:
        kw["include"] = "all"
    if opts.include_kinds is not None:
        kw["include"] = opts.include_kinds
    if opts.exclude_kinds is not None:
        kw["exclude"] = opts.exclude_kinds
    if opts.percentiles is not None:
        kw["percentiles"] = opts.percentiles
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf in quantiles
        return fix_describe(df, df.describe(**kw))


def json_value(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if pd.isna(v):
        return None
    if isinstance(v, numbers.Integral):
        return int(v)
    f = float(v)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return f


def json_document(name, df, desc):
    cols = []
    for j, col in enumerate(desc.columns):
        entry = {"name": str(col), "dtype": str(column(df, col).dtype)}
        for label in desc.index:
            v = json_value(desc.iloc[:, j][label])
            if label in ("count", "unique", "freq") and isinstance(v, float):
                v = int(v)
            entry[str(label)] = v
        cols.append(entry)
    return json.dumps({"file": name, "columns": cols}, indent=1, ensure_ascii=False) + "\n"


def expected_output(case_dir, argv):
    opts = parse_args(argv)
    if opts.format not in ("csv", "json"):
        raise ValueError("only --format csv and json are pinned (got %s)" % opts.format)
    if not opts.files:
        opts.files = ["-"]
    parts, errs = [], ""
    for name in opts.files:
        path = os.path.join(case_dir, "stdin" if name == "-" else name)
        df, err = read_table(path, opts, "<stdin>" if name == "-" else name)
        errs += err
        desc = describe(df, opts)
        if opts.format == "json":
            assert len(opts.files) == 1, "JSON cases take one file"
            return json_document(name, df, desc), errs
        text = desc.to_csv()
        if len(opts.files) > 1:  # like head(1), standard input included
            text = "==> %s <==\n%s" % ("standard input" if name == "-" else name, text)
        parts.append(text)
    return "\n".join(parts), errs


def read_args(case_dir):
    with open(os.path.join(case_dir, "args"), encoding="utf-8", newline="") as fh:
        text = fh.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def case_status(case_dir):
    path = os.path.join(case_dir, "status")
    if not os.path.exists(path):
        return 0
    with open(path) as fh:
        return int(fh.read().strip() or 0)


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", metavar="NAME", help="only this case")
    ap.add_argument("--check", action="store_true", help="report changes, write nothing")
    a = ap.parse_args()
    names = sorted(os.listdir(CASES))
    if a.only:
        names = [n for n in names if n == a.only]
    done = changed = 0
    for name in names:
        case_dir = os.path.join(CASES, name)
        if case_status(case_dir) != 0 or set(read_args(case_dir)) & {"--help", "--version"}:
            continue  # written by hand
        out, err = expected_output(case_dir, read_args(case_dir))
        exp_path = os.path.join(case_dir, "expected.out")
        err_path = os.path.join(case_dir, "expected.err")
        old = open(exp_path, encoding="utf-8", newline="").read() if os.path.exists(exp_path) else None
        old_err = open(err_path, encoding="utf-8", newline="").read() if os.path.exists(err_path) else None
        done += 1
        by_hand = os.path.exists(os.path.join(case_dir, "err_by_hand"))
        if old != out or (old_err != err and not by_hand):
            changed += 1
            print("%s %s" % ("differs:" if a.check else "wrote", name))
        if not a.check:
            write(exp_path, out)
            if not os.path.exists(os.path.join(case_dir, "err_by_hand")):
                write(err_path, err)
            write(os.path.join(case_dir, "status"), "0\n")
    print("make_golden: %d case(s) %s, %d changed (pandas %s)" % (
        done, "checked" if a.check else "written", changed, pd.__version__))
    return 1 if a.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
