#!/usr/bin/env python3
"""Runs wbxml_bench and prints MB/s per document with the ratios against libwbxml.

    python3 bench/report.py [path/to/wbxml_bench] [--min-time SECONDS]

Ratios are throughputs measured in the same run: easemu / libwbxml. "conversion" is the
like-for-like comparison (WBXML <-> XML text on both sides); "codec" is our bytes <-> tree path
(what the server runs per request) against libwbxml's conversion, its only public API.
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
    print(f"{'document':<24} {'operation':<7} {'easemu codec':>13} {'easemu conv':>12} {'libwbxml':>9}"
          f" {'codec x':>8} {'conv x':>7}")
    for doc in docs:
        for op in ("decode", "encode"):
            codec = rates[(f"{op}_easemu_tree", doc)]
            conv = rates[(f"{op}_easemu_xml", doc)]
            base = rates[(f"{op}_libwbxml_xml", doc)]
            print(f"{doc:<24} {op:<7} {codec:>10.1f} MB/s {conv:>7.1f} MB/s {base:>6.1f} MB/s"
                  f" {codec / base:>7.1f}x {conv / base:>6.1f}x")


if __name__ == "__main__":
    main()
