"""Read py-spy's collapsed stacks (bench/ingest.py --profile) and say what costs what.

    .venv/bin/python -m bench.profile_summary bench/out/profile-postgresql-8.txt [--top 40] [--match app/]

Inclusive share: the fraction of busy samples in which a function is on the stack (counted once
per stack). Self share: the fraction in which it is the innermost frame.
"""
import argparse
import re
from collections import Counter

FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:()]+)(?::\d+)?\)$")


def load(path: str):
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        if stack and count.isdigit():
            frames = [f for f in stack.split(";") if not f.startswith("process ")]
            yield frames, int(count)


def label(frame: str) -> str:
    match = FRAME.match(frame)
    return f"{match['func']} ({match['file']})" if match else frame


def summarise(path: str, top: int, match: str) -> None:
    inclusive, own, total = Counter(), Counter(), 0
    for frames, count in load(path):
        total += count
        names = [label(f) for f in frames]
        for name in set(names):
            inclusive[name] += count
        if names:
            own[names[-1]] += count
    print(f"{total} busy samples")
    print(f"\ninclusive (functions whose file contains {match!r}):")
    for name, count in [(n, c) for n, c in inclusive.most_common() if match in n][:top]:
        print(f"  {count / total:6.1%}  {name}")
    print("\nself (innermost frame), any file:")
    for name, count in own.most_common(top):
        print(f"  {count / total:6.1%}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="app/")
    args = parser.parse_args()
    summarise(args.path, args.top, args.match)


if __name__ == "__main__":
    main()
