"""Peer of scenario 7: the same CSV parsed and profiled by numpy (and pandas where installed).

Usage: numpy_profile.py <csv file> <runs> <bins>
Prints one JSON object: per library, the parse and profile times (ms) of each run, and the rows read.
The profile computes what the service's `stats` pipeline reports: mean, std (ddof=1), min, max,
the 7 quantiles (linear), a histogram of `bins` bins, Tukey outlier counts, Pearson correlation.
"""
import json
import sys
import time

import numpy as np


def profile(table, bins):
    result = {}
    for index in range(table.shape[1]):
        column = table[:, index]
        present = column[~np.isnan(column)]
        q = np.quantile(present, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
        reach = 1.5 * (q[4] - q[2])
        outside = np.count_nonzero((present < q[2] - reach) | (present > q[4] + reach))
        counts, edges = np.histogram(present, bins=bins)
        result[index] = (
            present.mean(), present.std(ddof=1), present.min(), present.max(), q, counts, edges, outside,
        )
    if table.shape[1] > 1:
        result["correlation"] = np.corrcoef(table, rowvar=False)
    return result


def timed(parse, path, runs, bins):
    parse_ms, profile_ms, rows = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        table = parse(path)
        parsed = time.perf_counter()
        profile(table, bins)
        done = time.perf_counter()
        parse_ms.append((parsed - started) * 1000)
        profile_ms.append((done - parsed) * 1000)
        rows = int(table.shape[0])
    return {"parseMs": parse_ms, "profileMs": profile_ms, "rows": rows}


def main():
    path, runs, bins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    out = {"python": sys.version.split()[0], "numpyVersion": np.__version__}
    out["numpy"] = timed(
        lambda p: np.loadtxt(p, delimiter=",", skiprows=1, ndmin=2), path, runs, bins
    )
    try:
        import pandas as pd

        out["pandasVersion"] = pd.__version__
        out["pandas"] = timed(
            lambda p: pd.read_csv(p).to_numpy(dtype=np.float64), path, runs, bins
        )
    except ImportError:
        out["pandasVersion"] = None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
