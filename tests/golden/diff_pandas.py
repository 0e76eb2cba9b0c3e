#!/usr/bin/python3
"""Differential run against pandas: random small tables, dfsum's output
against pandas' own, byte for byte.

    /usr/bin/python3 tests/golden/diff_pandas.py BUILD/dfsum [--seed N] [--count N]
                                                 [--known] [--keep DIR]

A developer tool like make_golden.py (it needs pandas 1.5, Debian 12's
python3-pandas; ctest runs it as golden.pandas_diff when pandas is there and
skips it otherwise). Each table has 1 to 6 columns and 1 to 40 rows drawn
from number forms (integers of every size, decimals, exponents, inf, odd
spellings), missing-value strings, bools and quoted text, under a header
with empty, repeated and quoted names, with blank lines, short rows, CRLF
line ends, a BOM or no final line end now and then, separated by commas,
semicolons or tabs; a third of the tables have rows that are too long,
read with --on-bad-lines skip or warn (the warnings on stderr compared
too, unless a quoted field holds a line end before them); some are read
with --no-header, --skip-rows, --na-values (sentinels or the table's
own fields), --nrows, --quotechar ' (the table's quotes swapped),
--decimal , (beside ';' or tab, mostly with '.' and ',' swapped),
--thousands (',' or ' ', or '.' beside --decimal ,), --true-values or
--false-values, or
--encoding latin-1 or cp1252 (the UTF-8 bytes read as single-byte text,
BOM included); each is described twice, by default and with
--include all, now and then with a percentile list of its own, and now and
then a third time with --include or --exclude kinds. The expected output is
make_golden.py's (pandas, with the exact mean and std and the first-seen top
tie), read with float_precision="round_trip": pandas' default parser is not
correctly rounded, dfsum is (README: "Where the answers differ from pandas").
The other differences listed there (integers outside int64 mixed with
decimals; --skip-rows over rows holding a quote) are left out of the
tables unless --known is given; so is "0.0"
beside "-0" (a float column holding -0.0 and 0.0 has no one pandas
answer). Prints each mismatch with a diff; the last line is
`diff_pandas: N tables, M mismatches (seed S)`; exits 1 on a mismatch.
"""
import argparse
import difflib
import importlib.util
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

WEIRD = [".5", "5.", "-.5", "+3", "1E5", "1e-3", " 7", " 8 ", "inf", "-inf",
         "Infinity", "-Infinity", "INF", "nan", "NaN", "1_000", "0x10", "1,5",
         "--1", "1e", "e5", "+-1", "00012", "0.0", "1e308", "1e-320",
         "9223372036854775807", "-0", "-00", "-9223372036854775808"]
KNOWN = ["9223372036854775808", "18446744073709551615",
         "18446744073709551616", "99999999999999999999", "-9223372036854775809"]
NA = ["", "NA", "N/A", "null", "NULL", "nan", "#N/A", "-NaN", "<NA>", "n/a",
      "None", "na", "1.#IND", "-1.#QNAN"]
TEXT = ["a", "b", "abc", "Zürich", "x y", '"q,c"', '"line\nbreak"',
        '"say ""hi"""', " a", "a ", "1a", "T", "F", "yes"]


def token_kinds(known):
    weird = WEIRD + (KNOWN if known else [])
    return {
        "int": lambda r: str(r.randint(-10 ** r.randint(1, 18), 10 ** r.randint(1, 18))),
        "smallint": lambda r: str(r.randint(-5, 5)),
        "float": lambda r: repr(r.uniform(-1e6, 1e6)),
        "dec": lambda r: "%.*f" % (r.randint(0, 6), r.uniform(-1000, 1000)),
        "exp": lambda r: "%.4e" % r.uniform(-1e10, 1e10),
        "grouped": lambda r: "{:,.{}f}".format(r.uniform(-1e7, 1e7), r.choice([0, 0, 2]))
                             .replace(",", r.choice([",", ",", ",", ",,"]), 1),
        "weird": lambda r: r.choice(weird),
        "na": lambda r: r.choice(NA),
        "bool": lambda r: r.choice(["True", "False", "true", "FALSE", "TRUE", "false"]),
        "text": lambda r: r.choice(TEXT),
    }


def zero_sign(token):
    """-1 or 1 for a token that reads as a zero, else 0."""
    try:
        x = float(token)
    except ValueError:
        return 0
    return 0 if x != 0 else (-1 if token.strip().startswith("-") else 1)


def one_zero_sign(column):
    """A column with both -0.0 and 0.0 has no one pandas answer (see the
    README): its negative zeros become 1."""
    signs = {zero_sign(t) for t in column}
    if {-1, 1} <= signs:
        return ["1" if zero_sign(t) < 0 else t for t in column]
    return column


def header(r, ncols, sep):
    """Column names, some empty ("Unnamed: i"), repeated ("a.1"), quoted or
    with a leading space."""
    names = ["c%d" % j for j in range(ncols)]
    for j in range(ncols):
        x = r.random()
        if x < 0.1:
            names[j] = ""
        elif x < 0.2 and j > 0:
            names[j] = names[r.randrange(j)] or "c0"
        elif x < 0.3:
            names[j] = '"%s"' % names[j]
        elif x < 0.35:
            names[j] = " " + names[j]
    return sep.join(names)


def random_table(r, kinds, sep, long_rows=False):
    names = [k for k in kinds if k != "na"]
    ncols, nrows = r.randint(1, 6), r.randint(1, 40)
    kinds_of = [r.sample(names, r.randint(1, 3)) if r.random() < 0.5 else [r.choice(names)]
                for _ in range(ncols)]
    cols = [one_zero_sign([kinds["na"](r) if r.random() < 0.1 else kinds[r.choice(k)](r)
                           for _ in range(nrows)]) for k in kinds_of]
    lines = [header(r, ncols, sep)]
    for i in range(nrows):
        row = sep.join(col[i] for col in cols)
        if r.random() < 0.05:
            lines.append("")  # a blank line: skipped
        if r.random() < 0.05 and sep in row and '"' not in row:
            row = row.rsplit(sep, 1)[0]  # a short row: padded
        elif long_rows and r.random() < 0.1:  # a bad line (an index if first)
            row += sep + sep.join(kinds[r.choice(names)](r) for _ in range(r.randint(1, 2)))
        lines.append(row)
    eol = r.choice(["\n", "\n", "\r\n"])
    text = eol.join(lines) + (eol if r.random() < 0.8 else "")
    return ("\ufeff" if r.random() < 0.1 else "") + text


SENTINELS = ["-999", "missing", "5", "1e3", " 7", "2.5", "inf", "1_0", "x y",
             "True", "-1.5e2", "abc", "nan", "a "]


def na_values(r, text):
    """1 to 3 strings for --na-values: sentinels, or fields of the table.
    Zeros are left out: pandas' match of -0.0 against a zero na value
    depends on its hash table's layout."""
    fields = [f for line in text.splitlines() for f in line.split(",")]
    picks = [r.choice(SENTINELS) if r.random() < 0.5 or not fields else r.choice(fields)
             for _ in range(r.randint(1, 3))]
    def is_zero(s):
        try:
            return float(s) == 0
        except ValueError:
            return False
    return [p for p in picks if '"' not in p and "," not in p and not is_zero(p)] or ["-999"]


def load_make_golden():
    spec = importlib.util.spec_from_file_location(
        "make_golden", os.path.join(HERE, "make_golden.py"))
    mg = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mg)
    read_csv = mg.pd.read_csv

    def round_trip(*args, **kw):
        kw.setdefault("float_precision", "round_trip")
        return read_csv(*args, **kw)
    mg.pd.read_csv = round_trip
    return mg


def compare(mg, binary, case_dir, args, check_err):
    """None when dfsum prints what pandas computes, else a report. stderr
    is compared when check_err (pandas' lines of bad lines do not count
    line ends inside quotes, dfsum's do)."""
    try:
        want, want_err = mg.expected_output(case_dir, args)
    except IndexError:  # pandas itself breaks (index_col beside a long row)
        return None
    except Exception as e:  # pandas refuses the table
        want = None
        why = "%s: %s" % (type(e).__name__, e)
    p = subprocess.run([binary] + args, cwd=case_dir, capture_output=True)
    got = p.stdout.decode("utf-8", "replace")
    got_err = p.stderr.decode("utf-8", "replace")
    if want is None:
        return None if p.returncode != 0 else "pandas fails (%s), dfsum succeeds" % why
    if p.returncode == 0 and got == want and (not check_err or got_err == want_err):
        return None
    if p.returncode == 0 and got == want:
        return "stderr differs:\n%s" % "\n".join("    " + line for line in difflib.unified_diff(
            want_err.splitlines(), got_err.splitlines(), "pandas", "dfsum", lineterm=""))
    diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "pandas", "dfsum",
                                lineterm="")
    return "exit %d %s\n%s" % (p.returncode, p.stderr.decode("utf-8", "replace").strip(),
                               "\n".join("    " + line for line in list(diff)[:14]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--known", action="store_true",
                    help="also draw the tokens of the known differences")
    ap.add_argument("--keep", help="write every table under this directory")
    a = ap.parse_args()
    try:
        mg = load_make_golden()
    except ImportError as e:
        print("diff_pandas: skipped, pandas is not installed (%s)" % e)
        return 77
    binary = os.path.abspath(a.binary)
    seed = a.seed if a.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    kinds = token_kinds(a.known)
    mismatches = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = a.keep or tmp
        for i in range(a.count):
            case_dir = os.path.join(root, "t%04d" % i)
            os.makedirs(case_dir, exist_ok=True)
            bad_lines = rng.choice([None, None, None, None, "skip", "warn"])
            with open(os.path.join(case_dir, "t.csv"), "w", encoding="utf-8",
                      newline="") as fh:
                sep = rng.choice([",", ",", ",", ";", "\t"])
                text = random_table(rng, kinds, sep, bad_lines is not None)
                quote = rng.random() < 0.1  # ' for quote: the quotes swapped
                if quote:
                    text = text.translate(str.maketrans("\"'", "'\""))
                decimal = sep != "," and rng.random() < 0.25
                if decimal and rng.random() < 0.7:  # numbers written with ','
                    text = text.translate(str.maketrans(".,", ",."))
                thousands = None
                if sep != "," and rng.random() < 0.25:
                    thousands = "." if decimal else rng.choice([",", ",", " "])
                fh.write(text)
            opts = ["--format", "csv"] + ([] if sep == "," else ["--delimiter", sep])
            if bad_lines:
                opts += ["--on-bad-lines", bad_lines]
            if quote:
                opts += ["--quotechar", "'"]
            if decimal:
                opts += ["--decimal", ","]
            if thousands:
                opts += ["--thousands", thousands]
            if rng.random() < 0.15:  # words of the table (or not) as bools
                words = [rng.choice(TEXT + NA + ["True", "false", "1", "0", "yes", "no"])
                         for _ in range(rng.randint(1, 3))]
                words = [w for w in words if "," not in w and "\n" not in w] or ["yes"]
                opts += [rng.choice(["--true-values=", "--false-values="]) + ",".join(words)]
            if rng.random() < 0.1:
                opts += ["--index-col", "0"]
            if rng.random() < 0.25:
                opts += ["--na-values=" + ",".join(na_values(rng, text))]
            if rng.random() < 0.1:  # UTF-8 bytes read as single-byte text
                opts += ["--encoding", rng.choice(["latin-1", "cp1252"])]
            if rng.random() < 0.15:
                opts += ["--no-header"]
            skip = rng.randint(1, 3)
            head = "\n".join(text.split("\n")[: skip + 2])
            if rng.random() < 0.15 and (a.known or not set("\"'") & set(head)):
                # pandas skips lines, splitting a quoted line end that is
                # not at a line's start (README: a known difference)
                opts += ["--skip-rows", str(skip)]
            if rng.random() < 0.15:
                opts += ["--nrows", str(rng.randint(0, 30))]
            if rng.random() < 0.3:
                pct = sorted({round(rng.random(), rng.randint(1, 3)) for _ in range(3)})
                opts += ["--percentiles", ",".join("%g" % p for p in pct)]
            runs = [opts + ["t.csv"], opts + ["--include", "all", "t.csv"]]
            if rng.random() < 0.3:  # describe(include=[...]) or exclude=[...]
                picked = rng.sample(["number", "object", "bool"], rng.randint(1, 2))
                runs.append(opts + [rng.choice(["--include", "--exclude"]),
                                    ",".join(picked), "t.csv"])
            for args in runs:
                report = compare(mg, binary, case_dir, args,
                                 "line\nbreak" not in text)
                if report:
                    mismatches += 1
                    print("MISMATCH table %d %r: %s" % (i, args[2:], report))
                    sys.stdout.flush()
    print("diff_pandas: %d tables, %d mismatches (seed %d)" % (a.count, mismatches, seed))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
