#!/usr/bin/env python3
"""Compare commands' speed on a noisy machine: interleaved runs, medians (not part of `swift test`).

    python3 scripts/ab-timing.py RUNS 'label=command …' ['label=command …' …]

    # two builds of komply on the benchmark corpus (scripts/lint-benchmark.py --keep DIR makes one)
    python3 scripts/ab-timing.py 21 \\
        "before=/tmp/komply-before lint /tmp/bench/manifests --format json -o /dev/null" \\
        "after=.build/release/komply lint /tmp/bench/manifests --format json -o /dev/null"

Runs each command RUNS times, one after another in turn (so a slow minute of the host slows every
command alike), with standard output and error discarded, and prints per command: median wall time,
median CPU time (user + system, from the child's own wait4 rusage), the lowest wall and CPU times,
the mean of the lowest quarter of CPU times, the median count of minor page faults and the median
peak RSS. Page-fault counts do not vary with the host's load: a change in them is a change in
memory touched. Prefix a command with `env NAME=value` to set its environment.
"""
import os
import shlex
import statistics
import sys
import time


def main() -> None:
    if len(sys.argv) < 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    commands = []
    for argument in sys.argv[2:]:
        label, separator, command = argument.partition("=")
        if not separator or not command:
            sys.exit(f"ab-timing: expected label=command, got {argument!r}")
        commands.append((label, shlex.split(command)))
    results = {label: {"wall": [], "cpu": [], "faults": [], "rss": []} for label, _ in commands}
    for _ in range(runs):
        for label, argv in commands:
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                os.dup2(null, 2)
                try:
                    os.execvp(argv[0], argv)
                finally:
                    os._exit(127)
            _, status, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) == 127:
                sys.exit(f"ab-timing: could not run {shlex.join(argv)}")
            figures = results[label]
            figures["wall"].append(wall)
            figures["cpu"].append(usage.ru_utime + usage.ru_stime)
            figures["faults"].append(usage.ru_minflt)
            figures["rss"].append(usage.ru_maxrss)
    for label, figures in results.items():
        cpu = sorted(figures["cpu"])
        quarter = cpu[: max(1, len(cpu) // 4)]
        print(
            f"{label:20s} wall {statistics.median(figures['wall']) * 1000:7.1f} ms  "
            f"cpu {statistics.median(cpu) * 1000:7.1f} ms  "
            f"(min wall {min(figures['wall']) * 1000:.1f}, min cpu {cpu[0] * 1000:.1f}, "
            f"low-quarter cpu {sum(quarter) / len(quarter) * 1000:.1f})  "
            f"faults {statistics.median(figures['faults']):.0f}  rss {statistics.median(figures['rss']) / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
