#!/usr/bin/env python3
"""Runs wbxml_bench and prints MB/s per document with the ratios against libwbxml.

    python3 bench/report.py [path/to/wbxml_bench] [--min-time SECONDS]

Ratios are throughputs measured in the same run: easemu / libwbxml. "tree" is the like-for-like
codec comparison (WBXML bytes <-> element tree on both sides; libwbxml's tree functions are
exported though its installed headers do not declare them); "conv" compares WBXML <-> XML text
conversions on both sides.
"""
import json
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    exe = args[0] if args else "./build/bench/wbxml_bench"
    min_time = "0.5"
    if "--min-time" in sys.argv:
        min_time = sys.argv[sys.argv.index("--min-time") + 1]
    out = subprocess.run([exe, "--benchmark_format=json", f"--benchmark_min_time={min_time}"],
                         check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        fn, doc = b["name"].split("/", 1)
        rates[(fn, doc)] = b["bytes_per_second"] / 1e6
    docs = sorted({d for _, d in rates})
    print(f"{'document':<24} {'operation':<7} {'easemu tree':>12} {'libwbxml tree':>14} {'tree x':>7}"
          f" {'easemu conv':>12} {'libwbxml conv':>14} {'conv x':>7}")
    for doc in docs:
        for op in ("decode", "encode"):
            tree = rates[(f"{op}_easemu_tree", doc)]
            base_tree = rates[(f"{op}_libwbxml_tree", doc)]
            conv = rates[(f"{op}_easemu_xml", doc)]
            base_conv = rates[(f"{op}_libwbxml_xml", doc)]
            print(f"{doc:<24} {op:<7} {tree:>7.1f} MB/s {base_tree:>9.1f} MB/s {tree / base_tree:>6.1f}x"
                  f" {conv:>7.1f} MB/s {base_conv:>9.1f} MB/s {conv / base_conv:>6.1f}x")


if __name__ == "__main__":
    main()
