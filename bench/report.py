#!/usr/bin/python3
"""Write docs/benchmarks.md and docs/benchmarks.svg from the JSON that bench/run.sh collects.

Uses only the Python standard library. Throughput is bytes moved per second: one GradDrop pass
reads K gradients (plus the activations when batched) and writes one output, all float32.
"""

import argparse
import datetime
import glob
import json
import math
import os
import platform
import subprocess
import sys
from xml.sax.saxutils import escape
from collections import defaultdict

THROUGHPUT = "org.graddrop.bench.GradDropThroughput.apply"
BASELINE = "org.graddrop.bench.StreamingBaseline.copy"
OVERHEAD = "org.graddrop.bench.CallOverhead.apply"
RESIDENT = "org.graddrop.bench.OpenClResident.apply"
BATCH = 256
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="the folder bench/run.sh wrote")
    parser.add_argument("--profile", default="quick", help="quick or full, as stated on the page")
    parser.add_argument("--command", required=True, help="the command that produced the results")
    parser.add_argument("--markdown", required=True, help="the Markdown page to write")
    parser.add_argument("--svg", required=True, help="the SVG chart to write")
    return parser.parse_args()


# ---- Loading -------------------------------------------------------------------------------

def tensors_moved(tasks, layout):
    return tasks + (1 if layout == "batched" else 0) + 1


def traffic_bytes(tasks, elements, layout):
    return tensors_moved(tasks, layout) * elements * 4


def series_label(params):
    label = params["backend"]
    if params.get("tier", "best") != "best":
        label += " (" + params["tier"] + ")"
    if params.get("device", "default") != "default":
        label += " (" + params["device"] + ")"
    return label


def load_jmh(results):
    entries = []
    for path in sorted(glob.glob(os.path.join(results, "jmh-*.json"))):
        with open(path) as source:
            text = source.read().strip()
        if text:
            run = os.path.basename(path)[len("jmh-"):-len(".json")]
            entries.extend(dict(entry, run=run) for entry in json.loads(text))
    return entries


def collect(entries):
    """Returns throughput {(layout, K, elements): {label: (GB/s, error GB/s)}}, baseline, overhead, drift.

    The baseline of a shape is the fastest copy of every baseline run; drift is {run: {key: GB/s}}.
    """
    throughput = defaultdict(dict)
    baseline = {}
    drift = defaultdict(dict)
    overhead = {}
    for entry in entries:
        params = entry.get("params", {})
        metric = entry["primaryMetric"]
        if entry["benchmark"] == RESIDENT:
            params = dict(params, backend="opencl resident")
        if entry["benchmark"] in (THROUGHPUT, RESIDENT):
            key = (params["layout"], int(params["tasks"]), int(params["elements"]))
            traffic = traffic_bytes(key[1], key[2], key[0])
            throughput[key][series_label(params)] = (metric["score"] * traffic / 1e9,
                                                     finite(metric["scoreError"]) * traffic / 1e9)
        elif entry["benchmark"] == BASELINE:
            key = (params["layout"], int(params["tasks"]), int(params["elements"]))
            gbps = metric["score"] * traffic_bytes(key[1], key[2], key[0]) / 1e9
            # The faster of the one-thread and all-processor copies is the bandwidth to compare with.
            if key not in baseline or gbps > baseline[key][0]:
                baseline[key] = (gbps, params["threads"])
            drift[entry["run"]][key] = max(gbps, drift[entry["run"]].get(key, 0.0))
        elif entry["benchmark"] == OVERHEAD:
            overhead[series_label(params)] = (metric["score"], finite(metric["scoreError"]), metric["scoreUnit"])
    return throughput, baseline, overhead, drift


def finite(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else 0.0


def load_torch(results):
    path = os.path.join(results, "torch.json")
    if not os.path.exists(path):
        return {"available": False, "reason": "the PyTorch peer was not run (bench/run.sh --no-torch)"}
    with open(path) as source:
        return json.load(source)


# ---- Machine -------------------------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return "unknown"


def commit(results):
    """The commit that run.sh saved at the start of the run, else the current one."""
    try:
        with open(os.path.join(results, "commit.txt")) as source:
            saved = source.read().strip()
        if saved:
            return saved
    except OSError:
        pass
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!docs/benchmarks.md",
                                 ":!docs/benchmarks.svg"], capture_output=True, text=True, check=True).stdout
        return head + (" with uncommitted changes" if status.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


def load_average(results):
    """The load average that run.sh saved at the start, or the current one when results is None."""
    path = os.path.join(results, "loadavg-start.txt") if results else "/proc/loadavg"
    try:
        with open(path) as source:
            return ", ".join(source.read().split()[:3])
    except OSError:
        return "unknown"


def load_warning(results):
    """A warning when other processes kept the CPUs busy as the run began, else None."""
    try:
        with open(os.path.join(results, "loadavg-start.txt")) as source:
            load = float(source.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    cores = os.cpu_count() or 1
    if load < cores:
        return None
    return ("**Note:** the 1-minute load average was %.1f on %d cores when the run began, so other processes "
            "competed for the CPUs and memory bus. Treat these figures as rough, and rerun on an idle machine "
            "before quoting them." % (load, cores))


def backend_lines(results):
    """The name, status and detail of each backend, as run.sh saved them."""
    try:
        with open(os.path.join(results, "backends.tsv")) as source:
            return [line.rstrip("\n").split("\t", 2) for line in source if line.count("\t") == 2]
    except OSError:
        return [["unknown", "", "run.sh saved no backend list"]]


def jdk(entries):
    for entry in entries:
        if "jdkVersion" in entry:
            return "%s %s (%s)" % (entry.get("vmName", "JVM"), entry.get("vmVersion", ""), entry["jdkVersion"])
    return "unknown (no JMH results)"


def jmh_settings(entries):
    for entry in entries:
        if entry["benchmark"] == THROUGHPUT or entry["benchmark"] == BASELINE:
            return "%s warm-up iterations of %s, %s measured iterations of %s, %s fork" % (
                entry["warmupIterations"], entry["warmupTime"], entry["measurementIterations"],
                entry["measurementTime"], entry["forks"])
    return "unknown"


# ---- Formatting ----------------------------------------------------------------------------

def size_label(elements):
    for unit, scale in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if elements >= scale and elements % scale == 0:
            return "%d %s" % (elements // scale, unit)
    return str(elements)


def shape_label(layout, tasks, elements):
    if layout == "batched":
        batch = BATCH if elements % BATCH == 0 else 1
        return "%d×%d×%d" % (tasks, batch, elements // batch)
    return "%d×%d" % (tasks, elements)


def gbps(value):
    return "%.2f" % value if value < 10 else "%.1f" % value


def torch_rows(torch):
    """The fastest measured PyTorch row per shape, over the thread counts tried."""
    rows = {}
    for row in torch.get("results", []) if torch.get("available") else []:
        key = (row["layout"], row["tasks"], row["elements"])
        if key not in rows or row.get("gbps", 0) > rows[key].get("gbps", 0):
            rows[key] = row
    return rows


def backend_sort_key(label):
    order = {"java": 0, "native": 1, "opencl": 2}
    return order.get(label.split(" ")[0], 3), label


def series_order(throughput):
    return sorted({label for values in throughput.values() for label in values}, key=backend_sort_key)


def drift_lines(drift):
    """Returns a table of the streaming copy in each baseline run, which shows how far the machine drifted."""
    runs = sorted(drift, key=lambda run: (0 if run.endswith("before") else 1, run))
    if len(runs) < 2:
        return []

    names = [run.replace("baseline-", "") for run in runs]
    lines = ["### Streaming copy in each baseline run", "",
             "The copy ran before and after the backends. Each fraction above divides by the faster of the runs, "
             "so a drift in the machine's bandwidth during the run lowers the fractions rather than raising them.",
             "", "| layout | K | B·D | " + " | ".join(names) + " |", "|" + "---|" * (3 + len(runs))]
    for key in sorted(set().union(*(drift[run].keys() for run in runs))):
        cells = [key[0], str(key[1]), size_label(key[2])]
        cells += [gbps(drift[run][key]) if key in drift[run] else "–" for run in runs]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def baseline_timing(drift):
    """Returns the clause that states when the streaming copy ran, from the baseline runs loaded."""
    if len(drift) >= 2:
        return "measured before and after the backends (the faster of the runs counts)"
    if len(drift) == 1:
        return "measured in one run only (%s), so it does not show drift during the backends" % next(iter(drift))
    return "not measured in this run"


def markdown(args, entries, throughput, baseline, overhead, torch, commands, drift):
    series = series_order(throughput)
    torch_by_key = torch_rows(torch)
    lines = ["# Benchmarks", ""]
    lines += [
        "Throughput of one GradDrop call (LibMTL's rule: ε = 1e-7, leak 0, identity keep function, Philox noise) "
        "on every backend this machine ran, measured with JMH. "
        "Throughput counts the bytes one pass must move: the K gradients read, the activations read when batched, "
        "and the output written, all float32. "
        "The streaming baseline is a `MemorySegment.copy` that reads and writes the same number of bytes, "
        "on one thread or on every processor, whichever is faster at that size. "
        "It was " + baseline_timing(drift) + ". "
        "The fraction in brackets is a backend's throughput divided by it. "
        "Before measuring, each trial compared its backend's output with the Java reference bit for bit "
        "and would have failed on any difference.",
        "",
        "Batched shapes are K×B×D with B = 256 and activations; unbatched shapes are a K×D matrix without "
        "activations. The opencl figures include the transfers between host and device; the "
        "opencl resident figures, where present, keep every tensor on the device and time the kernels alone.",
        "",
        "## Machine and command",
        "",
        "| | |",
        "|---|---|",
        "| CPU | %s |" % cpu_model(),
        "| Cores | %d |" % (os.cpu_count() or 0),
        "| Memory | %s |" % memory_gib(),
        "| OS | %s %s |" % (platform.system(), platform.release()),
        "| JDK | %s |" % jdk(entries),
        "| Commit | %s |" % commit(args.results),
        "| Date | %s |" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "| Load average (1, 5, 15 min) | %s at the start, %s at the end |" % (load_average(args.results), load_average(None)),
        "| Profile | %s: %s |" % (args.profile, jmh_settings(entries)),
        "| Command | `%s` |" % args.command,
        "",
    ]
    warning = load_warning(args.results)
    if warning:
        lines += [warning, ""]
    lines += [
        "The JMH and PyTorch commands it ran:",
        "",
        "```",
    ]
    lines += commands
    lines += ["```", ""]

    lines += ["Backends on this machine (`org.graddrop.bench.AvailableBackends`):", "",
              "| backend | status | detail |", "|---|---|---|"]
    lines += ["| %s |" % " | ".join(fields) for fields in backend_lines(args.results)]
    lines += ["", "![Throughput against size, one line per backend](benchmarks.svg)", ""]

    lines += ["## Throughput", "", "GB/s (10⁹ bytes per second) of traffic ± JMH's 99.9% confidence interval, and in "
              "brackets the fraction of the streaming baseline at the same size.", ""]
    for layout, tasks in sorted({(key[0], key[1]) for key in set(throughput) | set(baseline)}):
        keys = sorted(key for key in set(throughput) | set(baseline) if key[0] == layout and key[1] == tasks)
        lines += ["### %s, K = %d" % (layout.capitalize(), tasks), ""]
        header = ["B·D", "shape", "streaming copy"] + series + (["PyTorch"] if torch_by_key else [])
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for key in keys:
            base = baseline.get(key)
            cells = [size_label(key[2]), shape_label(*key)]
            if base is None:
                cells.append("–")
            else:
                threads = "1 thread" if base[1] == "1" else "all threads"
                cells.append("%s (%s)" % (gbps(base[0]), threads))
            for label in series:
                value = throughput.get(key, {}).get(label)
                if value is None:
                    cells.append("–")
                elif base:
                    cells.append("%s ± %s (%.2f)" % (gbps(value[0]), gbps(value[1]), value[0] / base[0]))
                else:
                    cells.append("%s ± %s" % (gbps(value[0]), gbps(value[1])))
            if torch_by_key:
                row = torch_by_key.get(key)
                cells.append("–" if row is None or "gbps" not in row else gbps(row["gbps"]))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += drift_lines(drift)

    lines += ["## Against PyTorch", ""]
    if not torch.get("available"):
        lines += ["PyTorch was not measured: %s." % torch.get("reason", "unknown reason"), ""]
    else:
        lines += [
            "The same shapes through LibMTL's multi-pass GradDrop formula (`weighting/GradDrop.py`) written in "
            "PyTorch %s on CPU, timed in `bench/peer_torch.py` as the median of repeated calls, in the same run on "
            "the same machine. It ran with each of %s threads (`torch.get_num_threads()`), and the table keeps the "
            "faster per shape. "
            "Each ratio is the backend's throughput divided by PyTorch's, so above 1 is faster than PyTorch. "
            "PyTorch draws its noise with its own generator, so its output is not compared bit for bit." %
            (torch["torch"], " and ".join(str(count) for count in torch["threads"])),
            "",
        ]
        header = ["layout", "K", "B·D", "PyTorch GB/s", "threads"] + series
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for key in sorted(torch_by_key):
            row = torch_by_key[key]
            if "gbps" not in row:
                lines.append("| %s | %d | %s | skipped: %s | |" % (key[0], key[1], size_label(key[2]),
                                                                    row.get("skipped", "")) + " |" * len(series))
                continue
            cells = [key[0], str(key[1]), size_label(key[2]), gbps(row["gbps"]), str(row["threads"])]
            for label in series:
                value = throughput.get(key, {}).get(label)
                cells.append("–" if value is None else "%.2f×" % (value[0] / row["gbps"]))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")

    lines += ["## Per-call overhead", "",
              "Time per call for the digits shape (K = 3, B = 64, D = 64, with activations), "
              "where fixed costs dominate.", ""]
    if overhead:
        lines += ["| backend | time per call |", "|---|---|"]
        for label in sorted(overhead, key=backend_sort_key):
            score, error, unit = overhead[label]
            lines.append("| %s | %.2f ± %.2f %s |" % (label, score, error, unit.replace("us/op", "µs")))
        lines.append("")
    else:
        lines += ["Not measured in this run.", ""]

    lines += [
        "## Reproduce",
        "",
        "`bench/run.sh` builds the benchmark jar, runs the quick profile (K = 4, four sizes, about 12 minutes on 2 cores) "
        "or with `--full` every task count and size, and rewrites this page and the chart. "
        "`java -jar bench/target/graddrop-bench.jar -h` lists JMH's own options for single runs.",
        "",
    ]
    return "\n".join(lines)


# ---- Chart ---------------------------------------------------------------------------------

def chart(throughput, baseline, torch):
    """Two panels (batched, unbatched) of GB/s against B·D, both axes logarithmic."""
    keys = set(throughput) | set(baseline)
    if not keys:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="480" height="60">'
                '<text x="10" y="35" font-family="sans-serif" font-size="14">No results</text></svg>\n')
    tasks_present = sorted({key[1] for key in keys})
    tasks = 4 if 4 in tasks_present else tasks_present[0]
    torch_by_key = torch_rows(torch)

    series = {}
    for label in series_order(throughput):
        series[label] = {key: values[label][0] for key, values in throughput.items() if label in values}
    series["streaming copy"] = {key: value[0] for key, value in baseline.items()}
    if torch_by_key:
        series["PyTorch (LibMTL formula)"] = {key: row["gbps"] for key, row in torch_by_key.items() if "gbps" in row}

    values = [value for points in series.values() for key, value in points.items() if key[1] == tasks and value > 0]
    sizes = sorted({key[2] for key in keys})
    low = 10 ** math.floor(math.log10(min(values))) if values else 0.01
    high = 10 ** math.ceil(math.log10(max(values))) if values else 100
    if high <= low:
        high = low * 10

    panel_width, panel_height = 420, 300
    left, top, gap = 60, 64, 70
    legend_top = top + panel_height + 50
    width = left + 2 * panel_width + gap + 20
    height = legend_top + 20 * ((len(series) + 2) // 3) + 20
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
           % (width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="15">GradDrop throughput against size, K = %d (GB/s of traffic, log scales)</text>'
           % (left, tasks)]

    def x_of(elements, origin):
        if len(sizes) == 1:
            return origin + panel_width / 2
        span = math.log2(sizes[-1]) - math.log2(sizes[0])
        return origin + (math.log2(elements) - math.log2(sizes[0])) / span * panel_width

    def y_of(value):
        return top + panel_height - (math.log10(value) - math.log10(low)) / (math.log10(high) - math.log10(low)) * panel_height

    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(series)}
    dashes = {"streaming copy": ' stroke-dasharray="6 4"', "PyTorch (LibMTL formula)": ' stroke-dasharray="2 3"'}

    for panel, layout in enumerate(("batched", "unbatched")):
        origin = left + panel * (panel_width + gap)
        title = "batched (B = 256, with activations)" if layout == "batched" else "unbatched (K×D matrix)"
        out.append('<text x="%d" y="%d" font-size="13">%s</text>' % (origin, top - 10, title))
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>'
                   % (origin, top, panel_width, panel_height))
        decade = low
        while decade <= high * 1.0001:
            for factor in (1, 2, 5):
                value = decade * factor
                if value > high * 1.0001:
                    break
                y = y_of(value)
                out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (origin, y, origin + panel_width, y))
                out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (origin - 5, y + 4, value))
            decade *= 10
        for elements in sizes:
            x = x_of(elements, origin)
            out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/>' % (x, top, x, top + panel_height))
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x, top + panel_height + 16, size_label(elements)))
        out.append('<text x="%d" y="%d" text-anchor="middle">B·D (floats per task)</text>'
                   % (origin + panel_width / 2, top + panel_height + 34))
        for label, points in series.items():
            path = [(x_of(key[2], origin), y_of(value)) for key, value in sorted(points.items())
                    if key[0] == layout and key[1] == tasks and value > 0]
            if not path:
                continue
            coordinates = " ".join("%.1f,%.1f" % point for point in path)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>'
                       % (coordinates, colors[label], dashes.get(label, "")))
            for x, y in path:
                out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (x, y, colors[label]))

    for i, label in enumerate(series):
        x = left + (i % 3) * 280
        y = legend_top + (i // 3) * 20
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                   % (x, y - 4, x + 24, y - 4, colors[label], dashes.get(label, "")))
        out.append('<text x="%d" y="%d">%s</text>' % (x + 30, y, escape(label)))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    args = parse_args()
    entries = load_jmh(args.results)
    if not entries:
        print("report.py: no JMH results (jmh-*.json) in %s; the page will have no tables" % args.results,
              file=sys.stderr)
    throughput, baseline, overhead, drift = collect(entries)
    torch = load_torch(args.results)
    commands_path = os.path.join(args.results, "commands.txt")
    commands = open(commands_path).read().splitlines() if os.path.exists(commands_path) else []

    with open(args.markdown, "w") as page:
        page.write(markdown(args, entries, throughput, baseline, overhead, torch, commands, drift))
    with open(args.svg, "w") as image:
        image.write(chart(throughput, baseline, torch))


if __name__ == "__main__":
    main()
