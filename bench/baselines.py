"""Reference workloads that bench/run.py times as subprocesses (stdlib only).

    python bench/baselines.py allcores DIR                 tomllib-parse every entry on all cores
    python bench/baselines.py naive DIR --type T --country C   re-parse all, filter, print ids

`allcores` is the yardstick for the cold index; `naive` is what `ledger list` would cost
without an index (one process, every file read and parsed, filtered in Python).
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from multiprocessing import Pool


def entry_files(root: str) -> list[str]:
    """Return every *.toml path under root/entries (any depth)."""
    out: list[str] = []
    stack = [os.path.join(root, "entries")]
    while stack:
        with os.scandir(stack.pop()) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.name.endswith(".toml"):
                    out.append(e.path)
    return out


def parse_chunk(paths: list[str]) -> int:
    """Read and parse each file; return how many were parsed."""
    for p in paths:
        with open(p, "rb") as f:
            tomllib.loads(f.read().decode("utf-8"))
    return len(paths)


def allcores(root: str) -> int:
    """Parse every entry with tomllib over a Pool of os.cpu_count() workers."""
    files = entry_files(root)
    workers = os.cpu_count() or 1
    size = max(1, len(files) // (workers * 8))  # several chunks per worker to balance load
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with Pool(workers) as pool:
        return sum(pool.imap_unordered(parse_chunk, chunks))


def naive(root: str, kind: str, country: str) -> list[str]:
    """Return ids of active entries of that type and country, in chronological order."""
    hits = []
    for p in entry_files(root):
        with open(p, "rb") as f:
            d = tomllib.loads(f.read().decode("utf-8"))
        if (
            d.get("type") == kind
            and d["location"]["country"].upper() == country.upper()
            and d.get("status", "active") != "withdrawn"
        ):
            ident = os.path.basename(p)[:-5]
            t = d.get("time")
            hits.append((d["date"], t is not None, t.isoformat() if t else "", ident))
    return [h[3] for h in sorted(hits)]


def main() -> int:
    """Command line for the two baselines."""
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("allcores")
    a.add_argument("dir")
    n = sub.add_parser("naive")
    n.add_argument("dir")
    n.add_argument("--type", required=True)
    n.add_argument("--country", required=True)
    args = p.parse_args()
    if args.cmd == "allcores":
        print(allcores(args.dir))
    else:
        sys.stdout.write("".join(i + "\n" for i in naive(args.dir, args.type, args.country)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
