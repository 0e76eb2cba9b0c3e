#!/usr/bin/env python3
"""Time dfsum against other describe() tools on generated CSV files.

    python3 bench/run.py DFSUM [--scale F] [--runs N]
                         [--files numeric,mixed-default,mixed,wide,mixed-gz]
                         [--tools dfsum,pandas,polars,polars-exact,duckdb]
                         [--threads N] [--threads-list 1,2] [--cold] [--read-only]
                         [--data-dir DIR] [--python PY] [--node NODE]
                         [--install-peers] [--out FILE] [--gen-only]

Builds bench/gen_data.c with `cc -O2`, writes the tables it needs into the
data directory (once; they are reused while their name matches), then runs
every available tool N times on each file, rotating the order of the tools
from run to run, and prints a markdown table: median wall time, median CPU
time (user + sys), MB/s (file size / median wall time), peak RSS, and the
ratios of wall and CPU time to dfsum's.  Times and RSS are those of the
tool's process alone, measured by bench/rusage_run.c (wait4()).

The peers (Polars and DuckDB, through Node.js) live in bench/peers and are
used when bench/peers/setup.sh has installed them.  `--cold` drops the file
from the page cache before every timed run; `--read-only` adds a tool that
only reads the file, the I/O floor to compare with.  `--threads-list`
times dfsum at several thread counts and prints the speed-up.

After the runs, every statistic a tool printed is compared with dfsum's (a
sanity check that they read the same table, with a relative tolerance); a
disagreement is printed as a WARNING.  For the all-numeric tables, dfsum's
peak RSS is set against its memory bound: 8 bytes per numeric value kept
plus 64 MiB.

A tool is an entry in TOOLS: how to tell whether it is available and the
argv that describes one file (it prints the describe() table as CSV).
Standard library only.
"""
import argparse
import csv
import gzip
import io
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS_DIR = os.path.join(HERE, "peers")
PEERS_SETUP = os.path.join(PEERS_DIR, "setup.sh")
MIB = 1024 * 1024

# name -> (rows at --scale 1, approximate bytes a row, describe every column?,
#          the generated table). "mixed" is timed both ways, as describe()
# and describe(include='all') differ most there.
FILES = {
    "numeric": (14_000_000, 70, False, "numeric"),
    "mixed-default": (3_000_000, 85, False, "mixed"),
    "mixed": (3_000_000, 85, True, "mixed"),
    "wide": (100_000, 2_700, False, "wide"),
    "mixed-gz": (3_000_000, 85, False, "mixed"),
}
# These are timed on a gzip of their table (level 6, as gzip's default),
# which every tool decompresses itself.
GZIPPED = {"mixed-gz"}

PANDAS_SCRIPT = (
    "import sys, pandas as pd\n"
    "df = pd.read_csv(sys.argv[1])\n"
    "kw = {'include': 'all'} if sys.argv[2] == 'all' else {}\n"
    "sys.stdout.write(df.describe(**kw).to_csv())\n"
)

# The memory bound of dfsum on an all-numeric table: 8 bytes for every
# numeric value it keeps (for the exact quantiles) plus a fixed allowance.
BOUND_BYTES_PER_VALUE = 8
BOUND_FIXED = 64 * MIB


class Context:
    """What the command builders may use."""

    def __init__(self, args):
        self.dfsum = os.path.abspath(args.dfsum)
        self.threads = args.threads
        self.python = args.python
        self.node = args.node
        self.peers_checked = {}
        self.rusage_run = None  # bench/rusage_run.c, built by main()


# ---------------------------------------------------------------------------
# Tools.  A tool's `missing` says why it cannot run (or None); `command`
# gives the argv describing one file.  `describes` is False for a tool
# whose output is not a describe() table (its stdout is discarded); `warm`
# is True for one that runs from a warm page cache even with --cold.
class Tool:
    def __init__(self, missing, command, describes=True, warm=False):
        self.missing, self.command, self.describes, self.warm = missing, command, describes, warm


def dfsum_missing(ctx):
    if os.path.isfile(ctx.dfsum) and os.access(ctx.dfsum, os.X_OK):
        return None
    return "no executable at %s" % ctx.dfsum


def dfsum_argv(ctx, path, include_all, threads, fmt="csv"):
    argv = [ctx.dfsum, "--format", fmt]
    if include_all:
        argv += ["--include", "all"]
    if threads:
        argv += ["--threads", str(threads)]
    return argv + [path]


def dfsum_command(ctx, path, include_all):
    return dfsum_argv(ctx, path, include_all, ctx.threads)


def dfsum_threads_tool(threads):
    """dfsum-tN: dfsum with --threads N."""
    return Tool(dfsum_missing, lambda ctx, path, include_all: dfsum_argv(ctx, path, include_all, threads))


def pandas_missing(ctx):
    p = subprocess.run([ctx.python, "-c", "import pandas"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return None if p.returncode == 0 else "%s cannot import pandas" % ctx.python


def pandas_command(ctx, path, include_all):
    return [ctx.python, "-c", PANDAS_SCRIPT, path, "all" if include_all else ""]


# The peers run as node scripts in bench/peers; each is available when node
# loads its package from bench/peers/node_modules.
PEER_PACKAGES = {"polars": "nodejs-polars", "duckdb": "@duckdb/node-api"}
PEER_SCRIPTS = {"polars": "polars_describe.js", "polars-exact": "polars_exact.js",
                "duckdb": "duckdb_describe.js"}


def install_hint():
    return "install the peers with `sh %s` (or run.py --install-peers)" % os.path.relpath(PEERS_SETUP)


def peer_missing(package):
    def missing(ctx):
        if package in ctx.peers_checked:
            return ctx.peers_checked[package]
        why = None
        if not shutil.which(ctx.node):
            why = "no node executable %r; %s" % (ctx.node, install_hint())
        elif not os.path.isdir(os.path.join(PEERS_DIR, "node_modules", package)):
            why = "%s is not installed; %s" % (package, install_hint())
        else:
            p = subprocess.run([ctx.node, "-e", "require(%s)" % json.dumps(package)], cwd=PEERS_DIR,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if p.returncode != 0:
                last = (p.stderr.strip().splitlines() or ["?"])[-1]
                why = "node cannot load %s (%s); %s" % (package, last[:80], install_hint())
        ctx.peers_checked[package] = why
        return why
    return missing


def peer_tool(name, package):
    script = os.path.join(PEERS_DIR, PEER_SCRIPTS[name])
    return Tool(peer_missing(package),
                lambda ctx, path, include_all: [ctx.node, script, path, "all" if include_all else ""])


def read_only_command(ctx, path, include_all):
    return ["dd", "if=" + path, "of=/dev/null", "bs=4M", "status=none"]


# name -> Tool.  dfsum comes first: the ratios are against it.  read-only
# runs only when asked for (--read-only, or named in --tools); dfsum-tN
# tools come from --threads-list.
TOOLS = {
    "dfsum": Tool(dfsum_missing, dfsum_command),
    "pandas": Tool(pandas_missing, pandas_command),
    "polars": peer_tool("polars", PEER_PACKAGES["polars"]),
    "polars-exact": peer_tool("polars-exact", PEER_PACKAGES["polars"]),
    "duckdb": peer_tool("duckdb", PEER_PACKAGES["duckdb"]),
    "read-only": Tool(lambda ctx: None if shutil.which("dd") else "no dd", read_only_command, describes=False),
}
DEFAULT_TOOLS = ["dfsum", "pandas", "polars", "polars-exact", "duckdb"]


def peer_version(package):
    try:
        with open(os.path.join(PEERS_DIR, "node_modules", package, "package.json")) as fh:
            return json.load(fh)["version"]
    except (OSError, ValueError, KeyError):
        return "?"


def tool_versions(ctx, tools):
    out = []
    for name in tools:
        if name == "pandas":
            p = subprocess.run([ctx.python, "-c", "import pandas; print(pandas.__version__)"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            name += " " + p.stdout.strip()
        elif name.startswith("polars"):
            name += " (nodejs-polars %s)" % peer_version(PEER_PACKAGES["polars"])
        elif name == "duckdb":
            name += " (@duckdb/node-api %s)" % peer_version(PEER_PACKAGES["duckdb"])
        out.append(name)
    if any(t in PEER_SCRIPTS for t in tools):
        p = subprocess.run([ctx.node, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        out.append("node " + p.stdout.strip().lstrip("v"))
    return out


# ---------------------------------------------------------------------------
def build_helper(data_dir, source):
    """Compiles bench/NAME.c into the data directory (once)."""
    src = os.path.join(HERE, source)
    exe = os.path.join(data_dir, os.path.splitext(source)[0])
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    cc = os.environ.get("CC", "cc")
    cmd = [cc, "-std=c11", "-D_GNU_SOURCE", "-O2", "-ffp-contract=off", src, "-o", exe]
    print("building: %s" % " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)
    return exe


def ensure_file(gen, data_dir, name, rows, seed):
    kind = FILES[name][3]
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


def ensure_gzip(path):
    """path.gz, written once (level 6) next to path."""
    packed = path + ".gz"
    if os.path.exists(packed) and os.path.getmtime(packed) >= os.path.getmtime(path):
        return packed
    print("compressing %s" % path, file=sys.stderr)
    tmp = packed + ".part"
    with open(path, "rb") as src, gzip.open(tmp, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst, 1 << 22)
    os.replace(tmp, packed)
    return packed


def warm_cache(path):
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def drop_cache(path):
    """Evicts path from the page cache.  Only clean pages can be dropped,
    hence the sync first; pages another process has mapped stay."""
    os.sync()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------
class Run:
    def __init__(self, wall, cpu, rss_kb, status, stdout, stderr):
        self.wall, self.cpu, self.rss_kb, self.status = wall, cpu, rss_kb, status
        self.stdout, self.stderr = stdout, stderr


def run_once(ctx, argv, keep_stdout=True):
    """Runs argv under rusage_run: its wall time, CPU time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as report:
        status = subprocess.run([ctx.rusage_run, report.name] + argv, stdin=subprocess.DEVNULL,
                                stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err).returncode
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        fields = report.read().split()
        if len(fields) != 5:
            return Run(0.0, 0.0, 0, status or 1, stdout, stderr or "rusage_run wrote no report")
        code, wall, user, sys_, rss_kb = int(fields[0]), float(fields[1]), float(fields[2]), \
            float(fields[3]), int(fields[4])
        return Run(wall, user + sys_, rss_kb, code, stdout, stderr)


def bench_file(ctx, tools, path, include_all, runs, cold):
    results = {t: [] for t in tools}
    for i in range(runs):
        order = tools[i % len(tools):] + tools[:i % len(tools)]
        for t in order:
            tool = TOOLS[t]
            if cold and tool.warm:
                warm_cache(path)
            elif cold:
                drop_cache(path)
            results[t].append(run_once(ctx, tool.command(ctx, path, include_all), tool.describes))
    return results


# ---------------------------------------------------------------------------
# Sanity check: each tool's statistics against dfsum's.
ALIASES = {"median": "50%"}  # Polars' describe() names the median so
REL_TOLERANCE = 1e-9         # sums in another order differ in the last bits


def parse_describe(text):
    """{statistic: {column: cell}} from a describe() CSV table, or None."""
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return None
    header = rows[0][1:]
    table = {}
    for r in rows[1:]:
        if r:
            table[ALIASES.get(r[0], r[0])] = dict(zip(header, r[1:]))
    return table


def as_number(cell):
    try:
        return float(cell)
    except ValueError:
        return None


def cells_agree(a, b):
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        return a == b
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y or abs(x - y) <= REL_TOLERANCE * max(abs(x), abs(y))


def table_differences(want, got):
    """(cells compared, ["stat[column]: dfsum A, tool B", ...])."""
    compared, diffs = 0, []
    for stat, cells in got.items():
        for col, cell in cells.items():
            ref = want.get(stat, {}).get(col, "")
            if ref == "" or cell == "":
                continue  # a statistic one of them does not give
            # A different top with the same freq is a tie broken otherwise.
            if stat == "top" and want.get("freq", {}).get(col) == got.get("freq", {}).get(col):
                continue
            compared += 1
            if not cells_agree(ref, cell):
                diffs.append("%s[%s]: dfsum %s, got %s" % (stat, col, ref[:20], cell[:20]))
    return compared, diffs


def check_results(file_label, results, ref_name):
    """(notes, warnings): how each tool's describe() table compares with
    the reference dfsum's."""
    ref = results.get(ref_name)
    if not ref or ref[0].status != 0:
        return [], []
    want = parse_describe(ref[0].stdout)
    if want is None:
        return [], ["%s: cannot read the output of %s" % (file_label, ref_name)]
    agree, warnings = [], []
    for tool, runs in results.items():
        if tool == ref_name or not TOOLS[tool].describes or runs[0].status != 0:
            continue
        got = parse_describe(runs[0].stdout)
        if got is None:
            warnings.append("%s: cannot read the output of %s" % (file_label, tool))
            continue
        cols_want = set(next(iter(want.values())))
        cols_got = set(next(iter(got.values())))
        if cols_want != cols_got:
            warnings.append("%s: %s and %s describe different columns (%s)"
                            % (file_label, ref_name, tool, ", ".join(sorted(cols_want ^ cols_got)[:5])))
        compared, diffs = table_differences(want, got)
        if compared == 0:
            warnings.append("%s: nothing of %s's output to compare with %s's" % (file_label, tool, ref_name))
        elif diffs:
            warnings.append("%s: %s and %s disagree on %d of %d values: %s"
                            % (file_label, ref_name, tool, len(diffs), compared, "; ".join(diffs[:3])))
        else:
            agree.append("%s %d" % (tool, compared))
    notes = ["- %s: values equal to %s's: %s" % (file_label, ref_name, ", ".join(agree))] if agree else []
    return notes, warnings


# ---------------------------------------------------------------------------
def summarize(runs):
    ok = [r for r in runs if r.status == 0]
    if len(ok) < len(runs):
        bad = next(r for r in runs if r.status != 0)
        first = (bad.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return {"error": "exit %d: %s" % (bad.status, first[:80])}
    return {"wall": statistics.median(r.wall for r in ok), "cpu": statistics.median(r.cpu for r in ok),
            "rss_mb": max(r.rss_kb for r in ok) / 1024.0}


def ratio(x, ref):
    return "%.2fx" % (x / ref) if ref else "-"


def table_rows(label, size, stats, ref_name):
    ref = stats.get(ref_name, {})
    rows = []
    for tool, s in stats.items():
        if "error" in s:
            rows.append("| %s | %s | failed: %s | | | | | |" % (label, tool, s["error"].replace("|", "/")))
            continue
        rows.append("| %s | %s | %.3f | %.3f | %.1f | %.0f | %s | %s |" % (
            label, tool, s["wall"], s["cpu"], size / 1e6 / s["wall"], s["rss_mb"],
            ratio(s["wall"], ref.get("wall")), ratio(s["cpu"], ref.get("cpu"))))
    return rows


def scaling_rows(label, stats, threads_list):
    """Thread scaling of dfsum: speed-up against the first thread count."""
    base_n = threads_list[0]
    base = stats.get("dfsum-t%d" % base_n, {})
    rows = []
    for n in threads_list:
        s = stats.get("dfsum-t%d" % n, {})
        if "wall" not in s:
            rows.append("| %s | %d | failed | | | |" % (label, n))
            continue
        speedup = base["wall"] / s["wall"] if "wall" in base else float("nan")
        rows.append("| %s | %d | %.3f | %.3f | %.2fx | %.0f%% |" % (
            label, n, s["wall"], s["cpu"], speedup, 100.0 * speedup * base_n / n))
    return rows


def numeric_values(ctx, path):
    """Non-missing numeric cells of path, from dfsum's own count row."""
    p = subprocess.run(dfsum_argv(ctx, path, False, ctx.threads, "json"), stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, text=True)
    if p.returncode != 0:
        return None
    try:
        doc = json.loads(p.stdout)
        return int(sum(c["count"] for c in doc["columns"] if "mean" in c))
    except (ValueError, KeyError, TypeError):
        return None


def memory_lines(ctx, label, path, stats):
    """dfsum's peak RSS against 8 B x numeric values kept + 64 MiB."""
    values = numeric_values(ctx, path)
    if values is None:
        return ["- %s: cannot get the count row from `dfsum --format json`" % label]
    bound = (BOUND_BYTES_PER_VALUE * values + BOUND_FIXED) / MIB
    out = []
    for tool, s in stats.items():
        if tool.startswith("dfsum") and not tool.endswith("-warm") and "rss_mb" in s:
            verdict = "within" if s["rss_mb"] <= bound else "OVER"
            out.append("- %s, %s: peak RSS %.0f MiB, bound %.0f MiB (8 B x %d values + 64 MiB): %s (%.0f%%)"
                       % (label, tool, s["rss_mb"], bound, values, verdict, 100.0 * s["rss_mb"] / bound))
    return out


def overlap_lines(label, stats, ref_name):
    """The bare read against the describe.  With --cold, also how much of
    the read the describe hides: with full overlap its cold wall time is
    max(read, warm wall), with none read + warm wall."""
    r, d = stats.get("read-only", {}), stats.get(ref_name, {})
    if "wall" not in r or "wall" not in d:
        return []
    out = ["- %s: read-only %.3f s, %s %.3f s (%.2fx the bare read)"
           % (label, r["wall"], ref_name, d["wall"], d["wall"] / r["wall"])]
    w = stats.get(ref_name + "-warm", {})
    if "wall" in w:
        out.append("  - %s from a warm cache %.3f s: full overlap would give %.3f s, none %.3f s; "
                   "the cold run spent %.3f s more than the warm one"
                   % (ref_name, w["wall"], max(r["wall"], w["wall"]), r["wall"] + w["wall"],
                      d["wall"] - w["wall"]))
    return out


def header_lines(args, tools, ctx, ref_name, skipped):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((l.split(":", 1)[1].strip() for l in fh if l.startswith("model name")), cpu)
    except OSError:
        pass
    cache = ("cold: the file dropped from the page cache before every run (sync, then "
             "posix_fadvise DONTNEED)" if args.cold else "warm: the file read once before timing")
    lines = ["# dfsum benchmark", "",
             "`%s`" % " ".join(["python3", "bench/run.py"] + sys.argv[1:]), "",
             "- %s, %d cores, %s" % (cpu, os.cpu_count() or 0, platform.platform()),
             "- %d runs per tool and file, alternating; median wall and CPU time, peak RSS" % args.runs,
             "- page cache: %s" % cache,
             "- tools: %s" % ", ".join(tool_versions(ctx, tools))]
    if ref_name and ref_name != "dfsum":
        lines.append("- ratios are against %s" % ref_name)
    lines += ["- skipped %s: %s" % (name, why) for name, why in skipped]
    lines += ["", "| file | tool | wall s | CPU s | MB/s | peak RSS MiB | wall vs dfsum | CPU vs dfsum |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    return lines


# ---------------------------------------------------------------------------
def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dfsum", help="the dfsum executable")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="fraction of the full row counts (1 = numeric ~1 GB, mixed ~0.26 GB, wide ~0.3 GB)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool and file (default 3)")
    ap.add_argument("--files", default=",".join(FILES), help="comma-separated subset of %s" % ",".join(FILES))
    ap.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                    help="comma-separated subset of %s (default: all but read-only)" % ",".join(TOOLS))
    ap.add_argument("--threads", type=int, default=0, help="dfsum --threads (default: its own default)")
    ap.add_argument("--threads-list", default="",
                    help="e.g. 1,2: time dfsum at each thread count (tools dfsum-t1, dfsum-t2, which "
                         "replace dfsum; the last is the reference) and print the speed-up")
    ap.add_argument("--cold", action="store_true",
                    help="drop the file from the page cache before every timed run")
    ap.add_argument("--read-only", action="store_true",
                    help="add the read-only tool: dd the file to /dev/null in 4 MiB blocks")
    ap.add_argument("--seed", type=int, default=42, help="gen_data seed (default 42)")
    ap.add_argument("--data-dir", default=os.environ.get("DFSUM_BENCH_DIR",
                                                        os.path.join(tempfile.gettempdir(), "dfsum-bench")),
                    help="where the generated tables live (default $DFSUM_BENCH_DIR or /tmp/dfsum-bench)")
    ap.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable,
                    help="interpreter for the pandas runs")
    ap.add_argument("--node", default="node", help="node executable for the peers (default: node)")
    ap.add_argument("--install-peers", action="store_true",
                    help="first run bench/peers/setup.sh (npm install of Polars and DuckDB)")
    ap.add_argument("--out", help="also write the markdown table to this file")
    ap.add_argument("--gen-only", action="store_true", help="only build gen_data and write the tables")
    a = ap.parse_args()
    for name in a.files.split(","):
        if name not in FILES:
            ap.error("unknown file %r" % name)
    for name in a.tools.split(","):
        if name not in TOOLS:
            ap.error("unknown tool %r" % name)
    try:
        a.threads_list = [int(n) for n in a.threads_list.split(",") if n.strip()]
    except ValueError:
        ap.error("--threads-list takes comma-separated thread counts")
    if any(n < 1 for n in a.threads_list) or len(set(a.threads_list)) != len(a.threads_list):
        ap.error("--threads-list takes distinct thread counts >= 1")
    if a.runs < 1 or a.scale <= 0:
        ap.error("--runs must be >= 1 and --scale > 0")
    return a


def chosen_tools(args):
    """Tool names in run order, with dfsum-tN in place of dfsum."""
    names = args.tools.split(",")
    if args.read_only and "read-only" not in names:
        names.append("read-only")
    if args.threads_list:
        variants = ["dfsum-t%d" % n for n in args.threads_list]
        for n, v in zip(args.threads_list, variants):
            TOOLS[v] = dfsum_threads_tool(n)
        at = names.index("dfsum") if "dfsum" in names else 0
        names = names[:at] + variants + [t for t in names[at:] if t != "dfsum"]
    return names


def reference_tool(tools):
    if "dfsum" in tools:
        return "dfsum"
    variants = [t for t in tools if t.startswith("dfsum-t")]
    return variants[-1] if variants else None


def main():
    args = parse_args()
    ctx = Context(args)
    if args.install_peers:
        subprocess.run(["sh", PEERS_SETUP], check=True)
    os.makedirs(args.data_dir, exist_ok=True)
    gen = build_helper(args.data_dir, "gen_data.c")
    paths = {}
    for kind in args.files.split(","):
        if kind not in FILES:
            sys.exit("run.py: unknown file %r (known: %s)" % (kind, ",".join(FILES)))
        rows = max(1, round(FILES[kind][0] * args.scale))
        paths[kind] = ensure_file(gen, args.data_dir, kind, rows, args.seed)
        if kind in GZIPPED:
            paths[kind] = ensure_gzip(paths[kind])
    if args.gen_only:
        return 0

    ctx.rusage_run = build_helper(args.data_dir, "rusage_run.c")
    tools, skipped = [], []
    for name in chosen_tools(args):
        why = TOOLS[name].missing(ctx)
        if why:
            print("skipping %s: %s" % (name, why), file=sys.stderr)
            skipped.append((name, why))
        else:
            tools.append(name)
    if not tools:
        sys.exit("run.py: no tool to run")
    ref_name = reference_tool(tools)
    if args.cold and ref_name and "read-only" in tools:
        # The reference once more from a warm cache: what its cold time
        # would be were reading free, for the overlap figures.
        twin = ref_name + "-warm"
        TOOLS[twin] = Tool(TOOLS[ref_name].missing, TOOLS[ref_name].command, warm=True)
        tools.insert(tools.index(ref_name) + 1, twin)

    lines = header_lines(args, tools, ctx, ref_name, skipped)
    scaling, memory, overlap, checks, warnings = [], [], [], [], []
    for kind, path in paths.items():
        size = os.path.getsize(path)
        label = "%s (%.*f MB)" % (kind, 0 if size >= 10e6 else 1, size / 1e6)
        print("timing %s ..." % label, file=sys.stderr)
        if not args.cold:
            warm_cache(path)
        results = bench_file(ctx, tools, path, FILES[kind][2], args.runs, args.cold)
        stats = {t: summarize(r) for t, r in results.items()}
        lines += table_rows(label, size, stats, ref_name)
        if args.threads_list:
            scaling += scaling_rows(label, stats, args.threads_list)
        if ref_name and not FILES[kind][2] and FILES[kind][3] != "mixed":
            memory += memory_lines(ctx, label, path, stats)
        overlap += overlap_lines(label, stats, ref_name)
        if ref_name:
            notes, bad = check_results(label, results, ref_name)
            checks += notes
            warnings += bad
    if scaling:
        lines += ["", "Thread scaling of dfsum (speed-up: wall time at %d thread%s / wall time):"
                  % (args.threads_list[0], "" if args.threads_list[0] == 1 else "s"), "",
                  "| file | threads | wall s | CPU s | speed-up | efficiency |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"] + scaling
    if memory:
        lines += ["", "Memory bound (all-numeric tables):", ""] + memory
    if overlap:
        lines += ["", "Reading vs describing%s:" % (" (cold cache)" if args.cold else ""), ""] + overlap
    if checks:
        lines += ["", "Sanity check (every statistic both print, relative tolerance %g):" % REL_TOLERANCE,
                  ""] + checks
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
