#!/usr/bin/env python3
"""Run the golden CLI cases against a dfsum binary.

    run_golden.py DFSUM_BINARY GOLDEN_DIR [--only NAME] [--update] [-v]

GOLDEN_DIR holds cases/<case>/ (or the case directories themselves).  A case
directory has
    args          one argv element per line (after the program name)
    stdin         optional: fed to standard input (else /dev/null)
    expected.out  the exact standard output
    expected.err  the exact standard error
    status        the exit status (a decimal number)
plus its input files.  The binary runs with the case directory as its working
directory, so file names in messages are relative and stable.

stdout, stderr and the status must match byte for byte, except in cases whose
args ask for `--format json`: there stdout is compared as JSON values (same
keys in the same order, same strings, numbers equal as float64, null where
null), since the JSON whitespace is the formatter's own choice.

One line per failing case with a short diff, then exactly
    golden: N passed, M failed
Exit status 0 only when every case passes.  --update rewrites the expected
files of the selected cases from the binary's output (review the diff!).
--only NAME runs the case NAME, or else every case whose name contains NAME.
Python 3.8+, standard library only.
"""
import argparse
import difflib
import json
import os
import subprocess
import sys

TIMEOUT = 60.0
DIFF_LINES = 12


def read_bytes(path, default=b""):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return default


def read_args(case_dir):
    text = read_bytes(os.path.join(case_dir, "args")).decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def is_json_case(args):
    for i, a in enumerate(args):
        if a == "--format=json" or (a == "--format" and args[i + 1:i + 2] == ["json"]):
            return True
    return False


def run_case(binary, case_dir, args, env):
    """(stdout, stderr, status) or (None, reason, None) when it did not run."""
    stdin_path = os.path.join(case_dir, "stdin")
    stdin = open(stdin_path, "rb") if os.path.exists(stdin_path) else subprocess.DEVNULL
    try:
        p = subprocess.run([binary] + args, cwd=case_dir, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return None, "timeout after %gs" % TIMEOUT, None
    except OSError as e:
        return None, "cannot run: %s" % e, None
    finally:
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    return p.stdout, p.stderr, p.returncode


def short_diff(expected, got, what):
    exp = expected.decode("utf-8", "replace").splitlines(keepends=True)
    act = got.decode("utf-8", "replace").splitlines(keepends=True)
    lines = list(difflib.unified_diff(exp, act, "expected." + what, "got", n=1))
    if not lines:  # differ only in bytes lost by decoding, or in a final newline
        return "    %s: expected %r, got %r" % (what, expected[-60:], got[-60:])
    shown = ["    " + repr(l.rstrip("\n"))[1:-1] for l in lines[:DIFF_LINES]]
    if len(lines) > DIFF_LINES:
        shown.append("    ... (%d more diff lines)" % (len(lines) - DIFF_LINES))
    return "\n".join(shown)


def json_shape(v):
    """A comparable form: key order kept, numbers as floats, types tagged."""
    if isinstance(v, list):  # object_pairs_hook turns objects into lists of pairs
        if v and all(isinstance(p, tuple) for p in v):
            return ("object", [(k, json_shape(x)) for k, x in v])
        return ("array", [json_shape(x) for x in v])
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return (type(v).__name__, v)
    return ("number", float(v))


def parse_json(data):
    return json_shape(json.loads(data.decode("utf-8"), object_pairs_hook=lambda pairs: list(pairs)))


def json_differs(expected, got):
    """None when the two JSON documents are equal as values, else why."""
    try:
        exp = parse_json(expected)
    except ValueError as e:
        return "expected.out is not JSON: %s" % e
    try:
        act = parse_json(got)
    except ValueError as e:
        return "stdout is not JSON: %s" % e
    if exp == act:
        return None
    return first_json_difference(exp, act, "$")


def first_json_difference(exp, act, where):
    if exp[0] != act[0]:
        return "%s: expected %s %r, got %s %r" % (where, exp[0], exp[1], act[0], act[1])
    if exp[0] == "object":
        ek, ak = [k for k, _ in exp[1]], [k for k, _ in act[1]]
        if ek != ak:
            return "%s: expected keys %s, got %s" % (where, ek, ak)
        for (k, e), (_, a) in zip(exp[1], act[1]):
            if e != a:
                return first_json_difference(e, a, "%s.%s" % (where, k))
    if exp[0] == "array":
        if len(exp[1]) != len(act[1]):
            return "%s: expected %d elements, got %d" % (where, len(exp[1]), len(act[1]))
        for i, (e, a) in enumerate(zip(exp[1], act[1])):
            if e != a:
                name = dict(e[1]).get("name") if e[0] == "object" else None
                label = "%s[%d]" % (where, i) + ("(%s)" % name[1] if name else "")
                return first_json_difference(e, a, label)
    return "%s: expected %r, got %r" % (where, exp[1], act[1])


def check_case(binary, case_dir, env):
    """(list of failure texts, actual outputs or None)."""
    args = read_args(case_dir)
    out, err, status = run_case(binary, case_dir, args, env)
    if status is None:
        return [err], None
    fails = []
    exp_status = int(read_bytes(os.path.join(case_dir, "status"), b"0").strip() or b"0")
    if status != exp_status:
        how = "killed by signal %d" % -status if status < 0 else "exit status %d" % status
        fails.append("%s, expected %d" % (how, exp_status))
    exp_out = read_bytes(os.path.join(case_dir, "expected.out"))
    if is_json_case(args) and exp_out:
        why = json_differs(exp_out, out)
        if why:
            fails.append("stdout (JSON) differs: " + why)
    elif out != exp_out:
        fails.append("stdout differs:\n" + short_diff(exp_out, out, "out"))
    exp_err = read_bytes(os.path.join(case_dir, "expected.err"))
    if err != exp_err:
        fails.append("stderr differs:\n" + short_diff(exp_err, err, "err"))
    return fails, (out, err, status)


def update_case(case_dir, actual):
    out, err, status = actual
    for name, data in (("expected.out", out), ("expected.err", err), ("status", b"%d\n" % status)):
        with open(os.path.join(case_dir, name), "wb") as fh:
            fh.write(data)


def select_cases(cases_dir, only):
    names = sorted(n for n in os.listdir(cases_dir)
                   if os.path.isfile(os.path.join(cases_dir, n, "args")))
    if only:
        names = [only] if only in names else [n for n in names if only in n]
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", help="the dfsum executable")
    ap.add_argument("golden_dir", help="tests/golden (holding cases/) or a folder of cases")
    ap.add_argument("--only", metavar="NAME", help="run only this case (or the cases containing NAME)")
    ap.add_argument("--update", action="store_true", help="rewrite expected files from the binary's output")
    ap.add_argument("-v", "--verbose", action="store_true", help="also list passing cases")
    a = ap.parse_args()

    cases_dir = os.path.join(a.golden_dir, "cases")
    if not os.path.isdir(cases_dir):
        cases_dir = a.golden_dir
    names = select_cases(cases_dir, a.only)
    binary = os.path.abspath(a.binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("no executable at %s" % binary)
        print("golden: 0 passed, %d failed" % len(names))
        return 1
    if not names:
        print("no golden cases in %s%s" % (cases_dir, " matching %r" % a.only if a.only else ""))
        print("golden: 0 passed, 0 failed")
        return 1

    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    passed = failed = 0
    for name in names:
        case_dir = os.path.join(cases_dir, name)
        fails, actual = check_case(binary, case_dir, env)
        if a.update and fails and actual is not None:
            update_case(case_dir, actual)
            print("updated %s" % name)
        if fails:
            failed += 1
            print("FAIL %s: %s" % (name, "\n  ".join(fails)))
        else:
            passed += 1
            if a.verbose:
                print("ok   %s" % name)
    sys.stdout.flush()
    print("golden: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
