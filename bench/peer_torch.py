#!/usr/bin/python3
"""Time LibMTL's multi-pass GradDrop formula in PyTorch on the shapes of the JMH benchmarks.

The steps follow LibMTL's weighting/GradDrop.py (LibMTL on GitHub, median-research-group/LibMTL):
the activation signs are repeated over tasks, the sign-weighted gradients are summed over the
batch, P = 0.5 * (1 + sum / (abs-sum + 1e-7)), U is drawn uniform, the masks are repeated over the
batch, each gradient is multiplied by (leak + (1 - leak) * M) and the tasks are summed. Every step
is a separate tensor pass, as in LibMTL. Unbatched shapes ([K, D] without activations, which LibMTL
does not accept) apply the same steps to the matrix itself.

Writes one JSON object. When PyTorch is not installed it writes {"available": false, ...} and exits 0,
so that the results page still renders without it.
"""

import argparse
import json
import os
import statistics
import sys
import time

LEAK = 0.0
EPSILON = 1e-7
BATCH = 256


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default="2,4,8", help="comma-separated task counts K")
    parser.add_argument("--elements", default="4096,65536,1048576,16777216",
                        help="comma-separated sizes B*D in floats per task")
    parser.add_argument("--layouts", default="batched,unbatched", help="batched, unbatched or both")
    parser.add_argument("--seconds", type=float, default=1.0, help="measured time per shape, in seconds")
    parser.add_argument("--threads", default="1,%d" % (os.cpu_count() or 1),
                        help="comma-separated PyTorch intra-op thread counts, each measured "
                             "(default: 1 and every processor; the page takes the faster)")
    parser.add_argument("--out", required=True, help="the JSON file to write")
    return parser.parse_args()


def available_memory_bytes():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def graddrop_batched(torch, gradients, activations):
    """LibMTL's steps on gradients [K, B, D] and activations [B, D]; returns the combined [B, D]."""
    tasks, batch = gradients.shape[0], gradients.shape[1]
    repeated_activations = activations.unsqueeze(0).repeat_interleave(tasks, dim=0)
    signed = (gradients * repeated_activations.sign()).sum(1)
    purity = 0.5 * (1 + signed.sum(0) / (signed.abs().sum(0) + EPSILON))
    uniform = torch.rand_like(purity)
    keep_positive = purity.gt(uniform).unsqueeze(0).repeat_interleave(tasks, dim=0) * signed.gt(0)
    keep_negative = purity.lt(uniform).unsqueeze(0).repeat_interleave(tasks, dim=0) * signed.lt(0)
    mask = (keep_positive + keep_negative).unsqueeze(1).repeat_interleave(batch, dim=1)
    return (gradients * (LEAK + (1 - LEAK) * mask)).sum(0)


def graddrop_matrix(torch, gradients):
    """The same steps on a [K, D] matrix, without activations or a batch to sum over."""
    tasks = gradients.shape[0]
    purity = 0.5 * (1 + gradients.sum(0) / (gradients.abs().sum(0) + EPSILON))
    uniform = torch.rand_like(purity)
    keep_positive = purity.gt(uniform).unsqueeze(0).repeat_interleave(tasks, dim=0) * gradients.gt(0)
    keep_negative = purity.lt(uniform).unsqueeze(0).repeat_interleave(tasks, dim=0) * gradients.lt(0)
    mask = keep_positive + keep_negative
    return (gradients * (LEAK + (1 - LEAK) * mask)).sum(0)


def time_calls(call, seconds):
    """Median wall time of one call, after two warm-up calls; at least three timed calls."""
    call()
    call()
    times = []
    deadline = time.perf_counter() + seconds
    while len(times) < 3 or time.perf_counter() < deadline:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(times)


def measure(torch, tasks, elements, layout, seconds):
    batched = layout == "batched"
    batch = BATCH if batched and elements % BATCH == 0 else 1
    features = elements // batch
    tensors_moved = tasks + (1 if batched else 0) + 1
    traffic = tensors_moved * elements * 4
    row = {"tasks": tasks, "elements": elements, "layout": layout, "batch": batch, "features": features,
           "traffic_bytes": traffic}

    # The formula keeps about five [K, B, D] float tensors alive at its peak.
    peak = 6 * tasks * elements * 4
    free = available_memory_bytes()
    if free is not None and peak > free // 2:
        row["skipped"] = "needs about %d MiB, more than half of the %d MiB available" % (peak >> 20, free >> 20)
        return row

    generator = torch.Generator().manual_seed(7)
    if batched:
        gradients = torch.rand((tasks, batch, features), generator=generator) * 2 - 1
        activations = torch.rand((batch, features), generator=generator) * 2 - 1

        def call():
            return graddrop_batched(torch, gradients, activations)
    else:
        gradients = torch.rand((tasks, features), generator=generator) * 2 - 1

        def call():
            return graddrop_matrix(torch, gradients)

    with torch.no_grad():
        seconds_per_call, calls = time_calls(call, seconds)
    row.update({"seconds_per_call": seconds_per_call, "calls": calls, "gbps": traffic / seconds_per_call / 1e9})
    return row


def main():
    args = parse_args()
    try:
        import torch
    except ImportError as error:
        result = {"available": False,
                  "reason": "PyTorch is not installed for %s (%s); on Debian: apt-get install python3-torch"
                            % (sys.executable, error)}
        with open(args.out, "w") as out:
            json.dump(result, out, indent=1)
        print(result["reason"], file=sys.stderr)
        return 0

    rows = []
    thread_counts = sorted({int(value) for value in args.threads.split(",")})
    for threads in thread_counts:
        # OpenMP barriers spin, so on a busy machine one thread can beat several; both are measured.
        torch.set_num_threads(threads)
        for layout in args.layouts.split(","):
            if layout not in ("batched", "unbatched"):
                raise SystemExit("invalid layout %r: expected batched or unbatched" % layout)
            for tasks in (int(value) for value in args.tasks.split(",")):
                for elements in (int(value) for value in args.elements.split(",")):
                    row = measure(torch, tasks, elements, layout, args.seconds)
                    row["threads"] = torch.get_num_threads()
                    rows.append(row)
                    print("torch %d thread(s) %s K=%d B*D=%d: %s" % (
                        row["threads"], layout, tasks, elements,
                        row.get("skipped") or "%.3f GB/s" % row["gbps"]), file=sys.stderr)

    result = {"available": True, "torch": torch.__version__, "python": sys.version.split()[0],
              "threads": thread_counts, "seconds": args.seconds, "leak": LEAK, "epsilon": EPSILON,
              "results": rows}
    with open(args.out, "w") as out:
        json.dump(result, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
