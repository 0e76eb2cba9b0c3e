#!/usr/bin/env python3
"""dfsum under mpiexec gives, byte for byte, what one process gives.

    run_mpi.py DFSUM_BINARY GOLDEN_DIR [--seed N] [--only NAME] [--full]
               [--mpiexec PATH] [-v]

1. Every golden case (GOLDEN_DIR/cases/*) runs once as a plain process (the
   reference), then under `mpiexec -n 1/2/3/4`, each run with a random
   --threads (1 or 2) and a random --chunk-size (--full: both thread counts
   for every process count): stdout, stderr and the exit status of every
   process must be the reference's.  Cases reading standard input must,
   with more than one process, fail alike with the one-line message.
2. A few cases again with 8 processes (oversubscribed on a small machine).
3. Generated inputs: a few MB with quoted fields holding newlines, commas
   and quotes (process edges fall inside them), and bad files whose fault
   lies in the part of a later process (ragged row, unterminated quote,
   invalid UTF-8): same message, exit status 1 on every process, no hang;
   and with --on-bad-lines warn, those and a file of long rows all over:
   the same table and the same warnings, in file order; --na-values
   over a file of sentinels: what the file with them blanked gives; a
   European export (--decimal , --thousands . --true-values ja ...); and
   a gzip of a few MB, whole and cut short.
Every run has a TMPDIR of its own, which must be empty after it (the
processes of a machine share one decompressed copy of compressed input).

The seed is printed; pass it back with --seed to replay a failure.  The
last line is `mpi: N passed, M failed`.  Python 3.8+, standard library.
"""
import argparse
import gzip
import os
import random
import shutil
import subprocess
import sys
import tempfile

TIMEOUT = 60.0
NPROCS = (1, 2, 3, 4)
THREADS = (1, 2)
OVERSUBSCRIBED = 8
OVERSUBSCRIBED_CASES = ("ds_airports_all", "ds_seattle_weather_all",
                        "quoted_newlines", "err_ragged_row", "stdin_dash")
STDIN_MESSAGE = (b"dfsum: <stdin>: standard input cannot be read by several "
                 b"processes; give a file\n")


def read_bytes(path, default=b""):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return default


def read_args(case_dir):
    lines = read_bytes(os.path.join(case_dir, "args")).decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def run(cmd, cwd, stdin_path=None):
    """(stdout, stderr, status); status None on a timeout (a hang)."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        p = subprocess.run(cmd, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        return p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        return b"", b"timeout after %gs" % TIMEOUT, None
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()


# Each process writes its own exit status to DIR/<rank>, so that a test
# sees every process's, not only the one mpiexec passes on.
STATUS_WRAPPER = '"$0" "$@"; s=$?; echo $s > "$DFSUM_STATUS_DIR/$PMI_RANK"; exit $s'


def mpi_run(mpiexec, binary, nprocs, args, cwd, stdin_path, status_dir):
    """(stdout, stderr, status, per-rank statuses, files left in TMPDIR)."""
    for name in os.listdir(status_dir):
        os.unlink(os.path.join(status_dir, name))
    os.environ["DFSUM_STATUS_DIR"] = status_dir
    # Idle OpenMP threads must not spin: the processes share a few cores.
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    # An empty TMPDIR of the run's own: the decompressed copy of a
    # compressed input, shared by the processes, must be gone after it.
    spool = os.path.join(status_dir, "..", "spool")
    os.makedirs(spool, exist_ok=True)
    for name in os.listdir(spool):
        os.unlink(os.path.join(spool, name))
    os.environ["TMPDIR"] = spool
    cmd = [mpiexec, "-n", str(nprocs), "sh", "-c", STATUS_WRAPPER, binary] + args
    out, err, status = run(cmd, cwd, stdin_path)
    ranks = []
    for r in range(nprocs):
        text = read_bytes(os.path.join(status_dir, str(r)), b"").strip()
        ranks.append(int(text) if text else None)
    return out, err, status, ranks, sorted(os.listdir(spool))


def chunk_size(rng):
    """Log-uniform from 1 byte to 1 MiB, so that tiny chunks come up too."""
    return max(1, int(2 ** rng.uniform(0, 20)))


class Suite:
    def __init__(self, mpiexec, binary, rng, status_dir, verbose):
        self.mpiexec = mpiexec
        self.binary = binary
        self.rng = rng
        self.status_dir = status_dir
        self.verbose = verbose
        self.passed = self.failed = 0

    def check(self, label, got, want):
        """got/want: (stdout, stderr, status, per-rank statuses or None)."""
        why = []
        if got[2] is None:
            why.append("hang: " + got[1].decode("utf-8", "replace"))
        else:
            for i, what in enumerate(("stdout", "stderr", "status")):
                if got[i] != want[i]:
                    why.append("%s: expected %r, got %r" % (what, want[i][-300:] if isinstance(want[i], bytes) else want[i],
                                                            got[i][-300:] if isinstance(got[i], bytes) else got[i]))
            if got[3] is not None and any(s != want[2] for s in got[3]):
                why.append("per-process exit statuses %r, expected all %r" % (got[3], want[2]))
            if len(got) > 4 and got[4]:
                why.append("files left in TMPDIR: %r" % got[4])
        if why:
            self.failed += 1
            print("FAIL %s\n  %s" % (label, "\n  ".join(why)))
        else:
            self.passed += 1
            if self.verbose:
                print("ok   %s" % label)
        sys.stdout.flush()

    def compare(self, label, cwd, args, want, nprocs, threads, stdin_path=None):
        chunk = chunk_size(self.rng)
        extra = ["--threads", str(threads), "--chunk-size", str(chunk)]
        got = mpi_run(self.mpiexec, self.binary, nprocs, extra + args, cwd, stdin_path,
                      self.status_dir)
        self.check("%s -n %d --threads %d --chunk-size %d" % (label, nprocs, threads, chunk),
                   got, want)


def golden_case(suite, case_dir, name, nprocs_list, full):
    args = read_args(case_dir)
    stdin_path = os.path.join(case_dir, "stdin")
    stdin_path = stdin_path if os.path.exists(stdin_path) else None
    ref = run([suite.binary] + args, case_dir, stdin_path)
    for nprocs in nprocs_list:
        for threads in THREADS if full else (suite.rng.choice(THREADS),):
            want = ref + (None,)
            if stdin_path and "-" in args and nprocs > 1:
                want = (b"", STDIN_MESSAGE, 1, None)
            suite.compare(name, case_dir, args, want, nprocs, threads, stdin_path)


# ---- generated inputs ------------------------------------------------------

def quoted_text(rng):
    """A field with the bytes that make splitting hard."""
    parts = ["line\nbreak", "comma, inside", 'say ""hi""', "crlf\r\nend",
             "plain", "ünïcödé", "", "x" * rng.randint(0, 300)]
    return '"%s"' % rng.choice(parts)


def big_quoted_csv(path, rng, target_bytes):
    """Numbers, bools, text with quoted newlines; a column that is numeric
    up to the last rows and text there (pass 2), and one with many
    distinct values (the text shuffle)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write('id,x,flag,note,late_text,word\n')
        size, i = 0, 0
        while size < target_bytes:
            late = "text" if size > target_bytes * 0.95 and i % 7 == 0 else str(i % 1000)
            row = "%d,%s,%s,%s,%s,w%d\n" % (
                i, rng.choice(["%.6g" % rng.gauss(0, 1e3), "", "nan", str(rng.randint(-9, 9))]),
                rng.choice(["True", "False", ""]), quoted_text(rng), late,
                rng.randint(0, 5000))
            fh.write(row)
            size += len(row.encode("utf-8"))
            i += 1


def write(path, data):
    with open(path, "wb") as fh:
        fh.write(data)


def bad_inputs(tmp):
    """(name, file, bytes) whose fault is near the end: in a later part."""
    body = b"".join(b'%d,"q\n%d",%d\n' % (i, i, i * 3) for i in range(3000))
    head = b"a,b,c\n"
    return [
        ("late_ragged_row", "ragged.csv", head + body + b"1,2,3,4\n" + body[:600]),
        ("late_unterminated_quote", "open.csv", head + body + b'5,"never closed,6\n7,8,9\n'),
        ("late_bad_utf8", "utf8.csv", head + body + b"9,\xff\xfe,1\n" + body[:600]),
        ("early_and_late_faults", "two.csv",
         head + b"0,0,0\n1,2,3,4\n" + body + b"1,2,3,4\n"),
    ]


def scattered_bad_lines(suite, tmp):
    """Long rows all over a file of quoted line ends: every process
    leaves out its own, and the warnings come in file order, each naming
    its physical line."""
    path = os.path.join(tmp, "scattered.csv")
    lines, want = 2, []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("a,b,c\n")
        for i in range(40000):
            text = quoted_text(suite.rng)
            fields = 4 if i % 97 == 13 else 3
            fh.write("%d,%s%s\n" % (i, text, ",%d" % i * (fields - 2)))
            if fields > 3:
                want.append("dfsum: scattered.csv:%d: expected 3 fields, saw 4; "
                            "line skipped\n" % lines)
            lines += 1 + text.count("\n") - text.count("\r\n") + text.count("\r")
    want = "".join(want).encode()
    for mode in ("warn", "skip"):
        args = ["--format", "csv", "--include", "all", "--on-bad-lines", mode,
                "scattered.csv"]
        ref = run([suite.binary] + args, tmp)
        if ref[2] != 0 or ref[1] != (want if mode == "warn" else b""):
            print("FAIL scattered.csv %s: the reference's warnings are not the "
                  "file's bad lines: %r" % (mode, ref[1][:300]))
            suite.failed += 1
            continue
        for nprocs in (2, 3, 4):
            suite.compare("scattered.csv " + mode, tmp, args, ref + (None,), nprocs,
                          suite.rng.choice(THREADS))


def na_sentinels(suite, tmp):
    """Sentinel values all over a float column (-999 in several spellings,
    inf): with --na-values, every process count gives what the same file
    with those fields empty gives alone."""
    rng = suite.rng
    spellings = ["-999", "-999.0", "-9.99e2", "inf", "Infinity"]
    with_path, without_path = (os.path.join(tmp, n) for n in ("na.csv", "na_blank.csv"))
    with open(with_path, "w") as a, open(without_path, "w") as b:
        a.write("x,y,t\n")
        b.write("x,y,t\n")
        for i in range(60000):
            sentinel = rng.random() < 0.2
            x = rng.choice(spellings) if sentinel else "%.3f" % rng.uniform(-1e3, 1e3)
            t = rng.choice(["a", "b", "missing"])
            a.write("%s,%d,%s\n" % (x, i % 777, t))
            b.write("%s,%d,%s\n" % ("" if sentinel else x, i % 777,
                                     "" if t == "missing" else t))
    args = ["--format", "csv", "--include", "all", "--na-values", "-999,inf,missing"]
    ref = run([suite.binary] + args + ["na_blank.csv"], tmp)
    if ref[2] != 0:
        print("FAIL na.csv: reference run failed: %r" % ref[1])
        suite.failed += 1
        return
    for nprocs in (1, 2, 3, 4):
        suite.compare("na.csv --na-values", tmp, args + ["na.csv"], ref + (None,),
                      nprocs, rng.choice(THREADS))


def european_forms(suite, tmp):
    """A ';' table with ',' decimals, '.' digit groups (two in a row now and
    then), ja/nein bools, and a column whose grouped integers meet one
    decimal near the end, so that it is object: every process count gives
    what one process gives, and that column shows its numbers as written."""
    rng = suite.rng
    path = os.path.join(tmp, "eu.csv")
    with open(path, "w") as fh:
        fh.write("betrag;stueck;spaet;flag\n")
        n = 60000
        for i in range(n):
            whole, frac = rng.randint(0, 999999), rng.randint(0, 99)
            grouped = "{:,}".format(whole)
            doubled = grouped.replace(",", rng.choice([".", ".", ".", ".."]))
            late = "2,5" if i == n - 5 else "1" + rng.choice([".", ".", ".", ".."]) + "234"
            flag = rng.choice(["ja", "nein", "", "ja"])
            fh.write("%s,%02d;%s;%s;%s\n" % (grouped.replace(",", "."), frac, doubled,
                                               late, flag))
    args = ["--format", "csv", "--include", "all", "--delimiter", ";", "--decimal", ",",
            "--thousands", ".", "--true-values", "ja", "--false-values", "nein", "eu.csv"]
    ref = run([suite.binary] + args, tmp)
    if ref[2] != 0 or b"\ntop,,,1.234,True\n" not in ref[0]:
        print("FAIL eu.csv: reference run: %r" % (ref[:2],))
        suite.failed += 1
        return
    for nprocs in (1, 2, 3, 4):
        suite.compare("eu.csv --decimal --thousands", tmp, args, ref + (None,), nprocs,
                      rng.choice(THREADS))


def generated_cases(suite, tmp):
    big = os.path.join(tmp, "big.csv")
    big_quoted_csv(big, suite.rng, 3 << 20)
    for fmt in (["--format", "csv", "--include", "all"], ["--format", "csv"],
                ["--format", "csv", "--include", "all", "--nrows", "20000"]):
        args = fmt + ["big.csv"]
        ref = run([suite.binary] + args, tmp)
        if ref[2] != 0:
            print("FAIL big.csv: reference run failed: %r" % ref[1])
            suite.failed += 1
            continue
        for nprocs in (2, 3, 4):
            suite.compare("big.csv " + " ".join(fmt), tmp, args, ref + (None,), nprocs,
                          suite.rng.choice(THREADS))
    for name, fname, data in bad_inputs(tmp):
        write(os.path.join(tmp, fname), data)
        args = ["--format", "csv", "--include", "all", fname]
        ref = run([suite.binary] + args, tmp)
        if ref[2] != 1 or ref[0] != b"":
            print("FAIL %s: reference run did not fail: %r" % (name, ref))
            suite.failed += 1
            continue
        for nprocs in (2, 3, 4):
            suite.compare(name, tmp, args, ref + (None,), nprocs, suite.rng.choice(THREADS))
        # the same files with their long rows left out (the others still fail)
        args = ["--on-bad-lines", "warn"] + args
        ref = run([suite.binary] + args, tmp)
        for nprocs in (2, 3, 4):
            suite.compare(name + " warn", tmp, args, ref + (None,), nprocs,
                          suite.rng.choice(THREADS))
    compressed(suite, tmp, big)
    scattered_bad_lines(suite, tmp)
    na_sentinels(suite, tmp)
    european_forms(suite, tmp)


def compressed(suite, tmp, big):
    """big.csv as gzip, whole and cut short: the processes of a machine
    share one decompression (one temporary file, gone at the end) and
    describe what the plain file gives, or fail as one process does."""
    with open(big, "rb") as fh:
        packed = gzip.compress(fh.read(), compresslevel=1)
    write(os.path.join(tmp, "big.csv.gz"), packed)
    write(os.path.join(tmp, "cut.csv.gz"), packed[: len(packed) * 2 // 3])
    args = ["--format", "csv", "--include", "all"]
    ref = run([suite.binary] + args + ["big.csv"], tmp)
    cut = run([suite.binary] + args + ["cut.csv.gz"], tmp)
    if ref[2] != 0 or cut[2] != 1:
        print("FAIL compressed: reference runs: %r %r" % (ref[1], cut[1]))
        suite.failed += 1
        return
    for nprocs in (1, 2, 3, 4):
        threads = suite.rng.choice(THREADS)
        suite.compare("big.csv.gz", tmp, args + ["big.csv.gz"], ref + (None,),
                      nprocs, threads)
        suite.compare("cut.csv.gz", tmp, args + ["cut.csv.gz"], cut + (None,),
                      nprocs, threads)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("golden_dir")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--only", help="golden cases whose name contains this")
    ap.add_argument("--mpiexec", default="mpiexec")
    ap.add_argument("--full", action="store_true",
                    help="every thread count for every process count")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if shutil.which(a.mpiexec) is None:
        print("%s not found" % a.mpiexec)
        return 1
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 30)
    print("mpi: seed %d (replay with --seed %d)" % (seed, seed))
    binary = os.path.abspath(a.binary)
    cases_dir = os.path.join(a.golden_dir, "cases")
    names = sorted(n for n in os.listdir(cases_dir)
                   if os.path.isfile(os.path.join(cases_dir, n, "args")))
    if a.only:
        names = [n for n in names if a.only in n]
    with tempfile.TemporaryDirectory(prefix="dfsum-mpi-") as tmp:
        status_dir = os.path.join(tmp, "status")
        os.mkdir(status_dir)
        suite = Suite(a.mpiexec, binary, random.Random(seed), status_dir, a.verbose)
        for name in names:
            golden_case(suite, os.path.join(cases_dir, name), name, NPROCS, a.full)
        for name in OVERSUBSCRIBED_CASES:
            if name in names:
                golden_case(suite, os.path.join(cases_dir, name), name,
                            (OVERSUBSCRIBED,), False)
        if not a.only:
            data_dir = os.path.join(tmp, "data")
            os.mkdir(data_dir)
            generated_cases(suite, data_dir)
    print("mpi: %d passed, %d failed (seed %d)" % (suite.passed, suite.failed, seed))
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
