"""The loader's own fuzzer: deterministic mutations of the real records in catalog/, each read as `validate` reads it.

A mutation changes a record's text the way a careless or hostile contributor would (a value replaced by a YAML
1.1 surprise or a tag, a token inserted, a line deleted, repeated, re-indented or cut, a character flipped) and
the mutated file goes through the source, schema and model stages (`read_record` then `record_from_dict`). The
bar (docs/security.md): no exception (a crash), no run over 2 s (a hang), and every outcome is either a record or
located errors with a fix. The same seed gives the same mutations everywhere, so a failure is reproducible from its
number; `python tests/fuzz_loader.py --mutations 100000 --seed 7` searches further.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalog"
KIND_OF_FOLDER = {"papers": "paper", "datasets": "dataset", "benchmarks": "benchmark", "resources": "resource"}
SLOW_RUN_SECONDS = 2.0
HARD_LIMIT_SECONDS = 20  # a run still going then is stopped and counted as hung

# Values a contributor might write, chosen for YAML's corners: tags, YAML 1.1 numbers and booleans, dates real and
# not, huge numbers, escapes for control characters, flow and block indicators, anchors, quotes left open.
VALUES = [
    "2023-02-30", "2023-13-01", "2023-01-01T25:00:00Z", "2020-01-01 10:00:00 +99:00", "2022-02-31", "'2022-02-31'",
    "2019-02-29", "1999-12-31t23:59:59.999999999-05:00", "!!int abc", "!!float abc", "!!bool maybe",
    "!!timestamp abc", "!!seq abc", "!!map abc", "!!omap [a: 1]", "!!set {a}", "!!pairs [a: 1]", "!!binary aGk=",
    "!!binary !!", "!!str 5", "!!int 5", "!!null x", "!!python/object:os.system x", "!!python/name:os.system",
    "!foo bar", "!<tag:yaml.org,2002:int> x", "! 5", "33:43", "-1:30", "1:30.5", "0b_", "-0x_", "0x7E7", "0777",
    "0b1010", "1_000", "._", "+.inf", "-.INF", ".NaN", "1e400", "2023.0", "-0", "+12", "9" * 5000, "9" * 16,
    "-" + "1" * 30, "yes", "No", "on", "OFF", "~", "null", "NULL", "=", "<<", '"\\0"', '"\\e[31m"', '"\\x9b"',
    '"\\N"', '"\\L"', '"\\P"', '"\\uFFFE"', '"\\uD800"', '"\\U0010FFFF"', '"\\U00110000"', '"\\x"', '"\\q"', '"a\\\n b"',
    "'\u0661\u0669\u0660\u0665.\u0660\u0660\u0660\u0660\u0661'", "'10.1234/caf\u00e9'", '"alpha\\n"', "&a x", "*a",
    "[", "]", "{", "}", "[a, {b: c}]", "{a: [b, c]}", "|", ">", "|-\n  x", "'open", '"open', "- x", ": x", "? x",
    "#", "@x", "`x", "%x", "'\u202ex'", "''", '""', " ", "x: y: z", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x",
    "javascript:alert(1)", "'https://example.org/\"><svg onload=alert(1)>'", "\\", "\t", "\u00a0", "\u2028",
]
TOKENS = ["\n", "  ", "- ", ": ", "? ", "[", "]", "{", "}", ",", "&a ", "*a", "!!str ", "!!int ", "!!float ",
          "!!seq ", "!!map ", "!!timestamp ", "!!binary ", "!!omap ", "!!python/tuple ", "!x ", "|", ">", "'", '"',
          "#", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\t", "\ufeff", "\x00", "\x1b", "\x85",
          "\u2028", "\u202e", "\\", "\\e", "\\0", "<<: ", "~", "=", ":", "0x", "0b", "_", ".", "2023-02-30",
          "9" * 400]


def real_records(catalog: Path = CATALOG) -> list[tuple[str, str, str]]:
    """(path in the catalog, kind its folder implies, text) of every record file, in a fixed order."""
    out = []
    for folder, kind in KIND_OF_FOLDER.items():
        for path in sorted((catalog / folder).glob("*.yaml")):
            out.append((f"{folder}/{path.name}", kind, path.read_text(encoding="utf-8")))
    return out


def mutate(text: str, rng: random.Random) -> str:
    """One to three random edits of a record's text."""
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        op = rng.randrange(10)
        if op <= 2:  # replace a value (after the first ': ' or '- ') by a hostile one
            line = lines[i]
            cut = line.find(": ") + 2 if ": " in line else line.find("- ") + 2 if "- " in line else len(line)
            lines[i] = line[:cut] + rng.choice(VALUES)
        elif op == 3:  # put a tag in front of a value
            line = lines[i]
            cut = line.find(": ") + 2 if ": " in line else 0
            lines[i] = line[:cut] + rng.choice(["!!int ", "!!float ", "!!bool ", "!!seq ", "!!omap ", "!!set ",
                                                "!!timestamp ", "!!binary ", "!!str ", "!!null ", "!x "]) + line[cut:]
        elif op == 4:  # insert a token anywhere
            pos = rng.randrange(len(text) + 1)
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
            continue
        elif op == 5:  # delete, repeat or swap lines
            j = rng.randrange(len(lines))
            choice = rng.randrange(3)
            if choice == 0 and len(lines) > 1:
                del lines[i]
            elif choice == 1:
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
        elif op == 6:  # re-indent a line
            lines[i] = " " * rng.choice([0, 1, 2, 3, 4, 6, 8, 40]) + lines[i].lstrip(" ")
        elif op == 7:  # a random character, printable or not
            pos = rng.randrange(len(text) + 1)
            ch = chr(rng.choice([rng.randrange(0x20), rng.randrange(0x7F, 0xA0), rng.randrange(0x20, 0x7F),
                                 rng.randrange(0xA0, 0x3000), 0xFFFE, 0xFEFF, rng.randrange(0x1F600, 0x1F650)]))
            text = text[:pos] + ch + text[pos + 1 if rng.random() < 0.5 else pos:]
            continue
        elif op == 8:  # cut the file short
            text = text[: rng.randrange(len(text) + 1)]
            continue
        else:  # move a value into a flow mapping or list
            line = lines[i]
            if ": " in line:
                key, value = line.split(": ", 1)
                lines[i] = f"{key}: " + rng.choice([f"[{value}]", f"{{x: {value}}}", f"[{value}, {value}]"])
        text = "\n".join(lines)
    return text


@dataclass
class Outcome:
    tried: int = 0
    records: int = 0  # read as a valid record
    diagnosed: int = 0  # refused with located errors
    crashed: list[tuple[int, str, str]] = field(default_factory=list)  # (number, text, traceback)
    hung: list[tuple[int, str, float]] = field(default_factory=list)  # (number, text, seconds)
    invalid_outcomes: list[tuple[int, str, str]] = field(default_factory=list)  # (number, text, what is wrong)
    slowest: float = 0.0

    def merge(self, other: Outcome) -> None:
        self.tried += other.tried
        self.records += other.records
        self.diagnosed += other.diagnosed
        self.crashed += other.crashed
        self.hung += other.hung
        self.invalid_outcomes += other.invalid_outcomes
        self.slowest = max(self.slowest, other.slowest)

    def summary(self) -> str:
        return (f"{self.tried:,} mutations tried: {self.records:,} read as records, {self.diagnosed:,} diagnosed, "
                f"{len(self.crashed)} crashed, {len(self.hung)} hung (slowest {self.slowest:.3f} s), "
                f"{len(self.invalid_outcomes)} without a located reason")


class _Hang(Exception):
    pass


def _on_alarm(signum, frame):  # noqa: ARG001
    raise _Hang


def check_outcome(rel: str, text: str, data, diags) -> str | None:
    """What is wrong with the result of reading one file, or None."""
    from aligncat.model import record_from_dict

    lines = text.count("\n") + text.count("\r") + 1
    for d in diags:
        if not (d.message and d.code and d.path == rel):
            return f"diagnostic without message, code or path: {d}"
        if not d.hint and d.code != "tab":
            return f"diagnostic without a fix: {d.to_text()}"
        if d.code != "unreadable" and (d.line is None or d.col is None or not 1 <= d.line <= lines or d.col < 1):
            return f"diagnostic without a place in the file: {d.to_text()}"
    if data is None:
        if not any(d.is_error for d in diags):
            return "refused without an error"
        return None
    if any(d.is_error for d in diags):
        return "read as a record despite errors"
    record = record_from_dict(data, rel)  # schema-valid data always makes a record
    if record.id != data["id"] or type(record.year) is not int:
        return f"record {record.id!r} with year {record.year!r}"
    return None


def mutated(n: int, seed: int, records: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    """Mutation number n of a seed: (path in the catalog, kind, text); the same everywhere."""
    rng = random.Random(f"{seed}:{n}")
    rel, kind, original = records[rng.randrange(len(records))]
    return rel, kind, mutate(original, rng)


def run(mutations: int, seed: int, records: list[tuple[str, str, str]] | None = None, start: int = 0) -> Outcome:
    """Read mutations start .. start + mutations - 1 of a seed and count what happened."""
    from aligncat.load import read_record

    records = records if records is not None else real_records()
    outcome = Outcome()
    use_alarm = hasattr(signal, "setitimer") and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    previous = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
    with tempfile.TemporaryDirectory(prefix="aligncat-fuzz-") as tmp:
        folders = {}
        for folder in KIND_OF_FOLDER:
            folders[folder] = Path(tmp) / folder
            folders[folder].mkdir()
        # Warm up first: the first refusal of each kind imports jsonschema and builds its validator (a few tenths
        # of a second), which is no input's doing.
        for folder, kind in KIND_OF_FOLDER.items():
            warm = folders[folder] / "warm-up.yaml"
            warm.write_text(f"id: Warm Up\nkind: {kind}\n", encoding="utf-8")
            read_record(warm, f"{folder}/warm-up.yaml", kind)
            warm.unlink()
        try:
            for n in range(start, start + mutations):
                rel, kind, text = mutated(n, seed, records)
                path = folders[rel.split("/")[0]] / rel.split("/")[1]
                path.write_bytes(text.encode("utf-8", "surrogatepass"))
                outcome.tried += 1
                # CPU seconds of this thread, not wall time: on a loaded CI machine (2 cores, parallel workers,
                # browser tests) wall time measures the neighbours; the alarm below is the wall-clock backstop.
                start = time.thread_time()
                try:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, HARD_LIMIT_SECONDS)
                    data, diags = read_record(path, rel, kind)
                    problem = check_outcome(rel, text, data, diags)
                except _Hang:
                    outcome.hung.append((n, text, time.thread_time() - start))
                    continue
                except Exception:  # noqa: BLE001 - a crash is what we count
                    outcome.crashed.append((n, text, traceback.format_exc()))
                    continue
                finally:
                    if use_alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                elapsed = time.thread_time() - start
                outcome.slowest = max(outcome.slowest, elapsed)
                if elapsed > SLOW_RUN_SECONDS:
                    outcome.hung.append((n, text, elapsed))
                if problem:
                    outcome.invalid_outcomes.append((n, text, problem))
                elif data is None:
                    outcome.diagnosed += 1
                else:
                    outcome.records += 1
        finally:
            if use_alarm:
                signal.signal(signal.SIGALRM, previous)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--show", type=int, default=3, help="how many crashes, hangs and bad outcomes to print")
    args = parser.parse_args(argv)
    outcome = run(args.mutations, args.seed)
    print(outcome.summary())
    for label, items in (("crash", outcome.crashed), ("hang", outcome.hung), ("bad outcome", outcome.invalid_outcomes)):
        for n, text, detail in items[: args.show]:
            print(f"--- {label} at mutation {n} (seed {args.seed}) ---\n{text!r}\n{detail}")
    return 1 if outcome.crashed or outcome.hung or outcome.invalid_outcomes else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
