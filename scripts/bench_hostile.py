"""Benchmark: time and peak memory of `aligncat validate` on hostile files (prints figures; not a test).

Each case is one hostile record file added to a copy of the toy catalog; `aligncat validate --no-cache` runs in a
fresh process so peak memory (max RSS) is that run's alone. The in-process figure is `read_record` on the file,
without interpreter start-up, which is what a catalog of many files pays per hostile file.

    .venv/bin/python scripts/bench_hostile.py            # every case, 3 runs each
    .venv/bin/python scripts/bench_hostile.py --runs 1 --case alias-bomb
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "mini_catalog"
AUTHORS = "authors: [{literal: X}]\n"
HEAD = "id: hostile\nkind: paper\ntitle: T\nyear: 2020\n" + AUTHORS


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES = {
    "10MB-file": lambda: HEAD + "summary: '" + "x" * 10_000_000 + "'\n",
    "nested-10000-flow": lambda: HEAD + "notes: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "nested-10000-block": lambda: HEAD + "notes:\n  " + "- " * 10_000 + "x\n",
    "alias-bomb": billion_laughs,
    "1MB-of-small-values": lambda: HEAD + "tags: [" + "a," * 490_000 + "a]\n",
    "5000-bad-values": lambda: HEAD + "tags: [" + ",".join(f"Bad{i}" for i in range(5_000)) + "]\n",
}


def run_cli(catalog: Path) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit code and the first diagnostic line of one validate run."""
    exe = Path(sys.executable).with_name("aligncat")
    cmd = [
        str(exe) if exe.exists() else sys.executable,
        *([] if exe.exists() else ["-m", "aligncat.cli"]),
        "validate",
        "--no-cache",
        str(catalog),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read() if proc.stdout else ""
    proc.stdout and proc.stdout.close()
    first = next(
        (ln for ln in out.splitlines() if "papers/hostile.yaml" in ln), "(no diagnostic for the file)"
    )
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), first


def run_in_process(path: Path) -> tuple[float, float]:
    from aligncat.load import read_record

    start = time.perf_counter()
    read_record(path, "papers/hostile.yaml", "paper")
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second run for memory: tracemalloc slows the run it watches
    read_record(path, "papers/hostile.yaml", "paper")
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--case", choices=sorted(CASES), action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "baseline"
        shutil.copytree(MINI, base)
        wall, rss, code, _ = run_cli(base)
        print(f"{'baseline (toy catalog)':24} validate {wall:6.2f} s  max RSS {rss:6.0f} MB  exit {code}")
        print(
            f"{'case':24} {'file size':>11}  {'validate (best)':>15}  {'max RSS':>8}  {'read_record':>11}  "
            f"{'py peak':>8}  exit  first diagnostic"
        )
        for name in args.case or CASES:
            cat = Path(tmp) / name
            shutil.copytree(MINI, cat)
            target = cat / "papers" / "hostile.yaml"
            target.write_text(CASES[name](), encoding="utf-8")
            runs = [run_cli(cat) for _ in range(args.runs)]
            wall = min(r[0] for r in runs)
            rss = max(r[1] for r in runs)
            code, first = runs[0][2], runs[0][3]
            seconds, peak = run_in_process(target)
            print(
                f"{name:24} {target.stat().st_size:>11,}  {wall:13.2f} s  {rss:5.0f} MB  {seconds:9.3f} s  "
                f"{peak:5.1f} MB  {code:>4}  {first.strip()[:110]}"
            )


if __name__ == "__main__":
    main()
