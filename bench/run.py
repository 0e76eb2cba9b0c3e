#!/usr/bin/env python3
"""Time dfsum against other describe() tools on generated CSV files.

    python3 bench/run.py DFSUM [--scale F] [--runs N] [--files numeric,mixed,wide]
                         [--tools dfsum,pandas] [--threads N] [--data-dir DIR]
                         [--python PY] [--out FILE] [--gen-only]

Builds bench/gen_data.c with `cc -O2`, writes the tables it needs into the
data directory (once; they are reused while their name matches), then runs
every available tool N times on each file, alternating the tools from run to
run, and prints a markdown table: median wall time, median CPU time
(user + sys), MB/s (file size / median wall time), peak RSS, and the ratios
of wall and CPU time to dfsum's.  Times and RSS come from os.wait4() on each
child.  If the tools disagree on a column's `count`, a warning says so.

A tool is an entry in TOOLS: how to tell whether it is available, the argv
that describes one file (it must print the describe() table as CSV, with a
`count` row), and nothing else.  Standard library only.
"""
import argparse
import csv
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_SOURCE = os.path.join(HERE, "gen_data.c")

# name -> (rows at --scale 1, approximate bytes a row, describe every column?)
FILES = {
    "numeric": (14_000_000, 70, False),
    "mixed": (3_000_000, 85, True),
    "wide": (100_000, 2_700, False),
}

PANDAS_SCRIPT = (
    "import sys, pandas as pd\n"
    "df = pd.read_csv(sys.argv[1])\n"
    "kw = {'include': 'all'} if sys.argv[2] == 'all' else {}\n"
    "sys.stdout.write(df.describe(**kw).to_csv())\n"
)


class Context:
    """What the command builders may use."""

    def __init__(self, args):
        self.dfsum = os.path.abspath(args.dfsum)
        self.threads = args.threads
        self.python = args.python


def dfsum_missing(ctx):
    if os.path.isfile(ctx.dfsum) and os.access(ctx.dfsum, os.X_OK):
        return None
    return "no executable at %s" % ctx.dfsum


def dfsum_command(ctx, path, include_all):
    argv = [ctx.dfsum, "--format", "csv"]
    if include_all:
        argv += ["--include", "all"]
    if ctx.threads:
        argv += ["--threads", str(ctx.threads)]
    return argv + [path]


def pandas_missing(ctx):
    p = subprocess.run([ctx.python, "-c", "import pandas"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return None if p.returncode == 0 else "%s cannot import pandas" % ctx.python


def pandas_command(ctx, path, include_all):
    return [ctx.python, "-c", PANDAS_SCRIPT, path, "all" if include_all else ""]


# name -> (why it is unavailable or None, argv builder).  dfsum comes first:
# the ratios are against it.
TOOLS = {
    "dfsum": (dfsum_missing, dfsum_command),
    "pandas": (pandas_missing, pandas_command),
}


def tool_versions(ctx, tools):
    out = []
    for name in tools:
        if name == "pandas":
            p = subprocess.run([ctx.python, "-c", "import pandas; print(pandas.__version__)"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            name += " " + p.stdout.strip()
        out.append(name)
    return out


# ---------------------------------------------------------------------------
def build_generator(data_dir):
    exe = os.path.join(data_dir, "gen_data")
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(GEN_SOURCE):
        return exe
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=c11", "-O2", "-ffp-contract=off", GEN_SOURCE, "-o", exe]
    print("building: %s" % " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    return exe


def ensure_file(gen, data_dir, kind, rows, seed):
    path = os.path.join(data_dir, "%s-%d-s%d.csv" % (kind, rows, seed))
    if os.path.exists(path):
        return path
    need = rows * FILES[kind][1] * 1.2
    free = shutil.disk_usage(data_dir).free
    if need > free:
        sys.exit("run.py: %s needs ~%.0f MB, only %.0f MB free in %s" % (path, need / 1e6, free / 1e6, data_dir))
    print("generating %s (%d rows)" % (path, rows), file=sys.stderr)
    tmp = path + ".part"
    subprocess.run([gen, kind, "--rows", str(rows), "--seed", str(seed), "-o", tmp], check=True)
    os.replace(tmp, path)
    return path


def warm_cache(path):
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


# ---------------------------------------------------------------------------
class Run:
    def __init__(self, wall, cpu, rss_kb, status, stdout, stderr):
        self.wall, self.cpu, self.rss_kb, self.status = wall, cpu, rss_kb, status
        self.stdout, self.stderr = stdout, stderr


def run_once(argv):
    """Runs argv; its wall time, its own CPU time and peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def counts_of(text):
    """{column: count} from a describe() CSV table, or None."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return None
    for r in rows[1:]:
        if r and r[0] == "count":
            try:
                return {c: float(v) for c, v in zip(rows[0][1:], r[1:])}
            except ValueError:
                return None
    return None


def count_warnings(file_label, results):
    """Warnings where a tool's counts differ from dfsum's."""
    ref = results.get("dfsum")
    if not ref or ref[0].status != 0:
        return []
    want = counts_of(ref[0].stdout)
    out = []
    for tool, runs in results.items():
        if tool == "dfsum" or runs[0].status != 0:
            continue
        got = counts_of(runs[0].stdout)
        if want is None or got is None:
            out.append("%s: cannot read the count row of %s" % (file_label, "dfsum" if want is None else tool))
        elif want != got:
            diff = sorted(set(want) ^ set(got)) or [c for c in want if want[c] != got[c]]
            out.append("%s: dfsum and %s disagree on count (columns %s)" % (file_label, tool, ", ".join(diff[:5])))
    return out


def bench_file(ctx, tools, path, include_all, runs):
    results = {t: [] for t in tools}
    for i in range(runs):
        order = tools[i % len(tools):] + tools[:i % len(tools)]
        for t in order:
            results[t].append(run_once(TOOLS[t][1](ctx, path, include_all)))
    return results


# ---------------------------------------------------------------------------
def summarize(runs):
    ok = [r for r in runs if r.status == 0]
    if len(ok) < len(runs):
        bad = next(r for r in runs if r.status != 0)
        first = (bad.stderr.strip().splitlines() or ["(no stderr)"])[0]
        return {"error": "exit %d: %s" % (bad.status, first[:80])}
    return {"wall": statistics.median(r.wall for r in ok), "cpu": statistics.median(r.cpu for r in ok),
            "rss_mb": max(r.rss_kb for r in ok) / 1024.0}


def ratio(x, ref):
    return "%.2fx" % (x / ref) if ref else "-"


def table_rows(label, size, stats):
    ref = stats.get("dfsum", {})
    rows = []
    for tool, s in stats.items():
        if "error" in s:
            rows.append("| %s | %s | failed: %s | | | | | |" % (label, tool, s["error"].replace("|", "/")))
            continue
        rows.append("| %s | %s | %.3f | %.3f | %.1f | %.0f | %s | %s |" % (
            label, tool, s["wall"], s["cpu"], size / 1e6 / s["wall"], s["rss_mb"],
            ratio(s["wall"], ref.get("wall")), ratio(s["cpu"], ref.get("cpu"))))
    return rows


def header_lines(args, tools, ctx):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), cpu)
    except OSError:
        pass
    lines = ["# dfsum benchmark", "",
             "`%s`" % " ".join(["python3", "bench/run.py"] + sys.argv[1:]), "",
             "- %s, %d cores, %s" % (cpu, os.cpu_count() or 0, platform.platform()),
             "- %d runs per tool and file, alternating; median wall and CPU time, peak RSS" % args.runs,
             "- tools: %s" % ", ".join(tool_versions(ctx, tools)), "",
             "| file | tool | wall s | CPU s | MB/s | peak RSS MB | wall vs dfsum | CPU vs dfsum |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return lines


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dfsum", help="the dfsum executable")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="fraction of the full row counts (1 = numeric ~1 GB, mixed ~0.26 GB, wide ~0.3 GB)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool and file (default 3)")
    ap.add_argument("--files", default=",".join(FILES), help="comma-separated subset of %s" % ",".join(FILES))
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of %s" % ",".join(TOOLS))
    ap.add_argument("--threads", type=int, default=0, help="dfsum --threads (default: its own default)")
    ap.add_argument("--seed", type=int, default=42, help="gen_data seed (default 42)")
    ap.add_argument("--data-dir", default=os.environ.get("DFSUM_BENCH_DIR",
                                                        os.path.join(tempfile.gettempdir(), "dfsum-bench")),
                    help="where the generated tables live (default $DFSUM_BENCH_DIR or /tmp/dfsum-bench)")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    help="interpreter for the pandas runs")
    ap.add_argument("--out", help="also write the markdown table to this file")
    ap.add_argument("--gen-only", action="store_true", help="only build gen_data and write the tables")
    a = ap.parse_args()
    for name in a.files.split(","):
        if name not in FILES:
            ap.error("unknown file %r" % name)
    for name in a.tools.split(","):
        if name not in TOOLS:
            ap.error("unknown tool %r" % name)
    if a.runs < 1 or a.scale <= 0:
        ap.error("--runs must be >= 1 and --scale > 0")
    return a


def main():
    args = parse_args()
    ctx = Context(args)
    os.makedirs(args.data_dir, exist_ok=True)
    gen = build_generator(args.data_dir)
    paths = {}
    for kind in args.files.split(","):
        rows = max(1, round(FILES[kind][0] * args.scale))
        paths[kind] = ensure_file(gen, args.data_dir, kind, rows, args.seed)
    if args.gen_only:
        return 0

    tools = []
    for name in args.tools.split(","):
        why = TOOLS[name][0](ctx)
        if why:
            print("skipping %s: %s" % (name, why), file=sys.stderr)
        else:
            tools.append(name)
    if not tools:
        sys.exit("run.py: no tool to run")

    lines = header_lines(args, tools, ctx)
    warnings = []
    for kind, path in paths.items():
        size = os.path.getsize(path)
        label = "%s (%.*f MB)" % (kind, 0 if size >= 10e6 else 1, size / 1e6)
        print("timing %s ..." % label, file=sys.stderr)
        warm_cache(path)
        results = bench_file(ctx, tools, path, FILES[kind][2], args.runs)
        lines += table_rows(label, size, {t: summarize(r) for t, r in results.items()})
        warnings += count_warnings(label, results)
    lines += [""] + ["WARNING: " + w for w in warnings]
    text = "\n".join(lines).rstrip("\n") + "\n"
    sys.stdout.write(text)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(text)
    for w in warnings:
        print("WARNING: " + w, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
