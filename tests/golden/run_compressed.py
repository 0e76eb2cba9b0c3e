#!/usr/bin/env python3
"""A compressed input gives what the plain one gives.

    run_compressed.py DFSUM_BINARY GOLDEN_DIR [--seed N] [-v]

Every golden case whose arguments name one CSV file of its own folder runs
on that file, then on the same bytes as gzip, bzip2 and xz (written here
with Python's standard library), each time with a random --threads (1-4)
and --chunk-size (1 byte to 1 MiB): stdout, stderr and the exit status
must be the plain run's, the file's name aside.  A compressed file is
decompressed by a thread of its own while dfsum reads it, so this also
checks that the reads waiting for its bytes see every byte, in order, and
that errors (ragged rows, unterminated quotes, bad UTF-8) come out as from
the plain file.  The seed is printed; the last line is
`compressed: N passed, M failed`.  Python 3.8+, standard library.
"""
import argparse
import bz2
import gzip
import lzma
import os
import random
import shutil
import subprocess
import sys
import tempfile

FORMATS = (("gz", gzip.compress), ("bz2", bz2.compress), ("xz", lzma.compress))


def read_args(case_dir):
    with open(os.path.join(case_dir, "args"), encoding="utf-8") as fh:
        return [a for a in fh.read().split("\n") if a != ""]


def own_csv(case_dir, args):
    """The one CSV file of the case's folder its arguments name, or None."""
    names = [a for a in args if a.endswith(".csv") and os.sep not in a
             and os.path.isfile(os.path.join(case_dir, a))]
    return names[0] if len(names) == 1 and args.count(names[0]) == 1 else None


def run(binary, args, cwd):
    p = subprocess.run([binary] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)
    return p.stdout, p.stderr, p.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("golden_dir")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 30)
    print("compressed: seed %d (replay with --seed %d)" % (seed, seed))
    rng = random.Random(seed)
    binary = os.path.abspath(a.binary)
    cases_dir = os.path.join(a.golden_dir, "cases")
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="dfsum-compressed-") as tmp:
        for name in sorted(os.listdir(cases_dir)):
            case_dir = os.path.join(cases_dir, name)
            if not os.path.isfile(os.path.join(case_dir, "args")):
                continue
            args = read_args(case_dir)
            csv = own_csv(case_dir, args)
            if csv is None:
                continue
            work = os.path.join(tmp, name)
            os.mkdir(work)
            shutil.copy(os.path.join(case_dir, csv), os.path.join(work, csv))
            with open(os.path.join(work, csv), "rb") as fh:
                data = fh.read()
            for ext, pack in FORMATS:
                packed = csv + "." + ext
                with open(os.path.join(work, packed), "wb") as fh:
                    fh.write(pack(data))
                extra = ["--threads", str(rng.randint(1, 4)), "--chunk-size",
                         str(max(1, int(2 ** rng.uniform(0, 20))))]
                want = run(binary, extra + args, work)
                got = run(binary, extra + [packed if x == csv else x for x in args], work)
                as_plain = tuple(x.replace(packed.encode(), csv.encode())
                                 if isinstance(x, bytes) else x for x in got)
                label = "%s %s %s" % (name, ext, " ".join(extra))
                if as_plain != want:
                    failed += 1
                    print("FAIL %s\n  plain: %r\n  %s: %r" % (label, want, ext, got))
                else:
                    passed += 1
                    if a.verbose:
                        print("ok   %s" % label)
    print("compressed: %d passed, %d failed (seed %d)" % (passed, failed, seed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
