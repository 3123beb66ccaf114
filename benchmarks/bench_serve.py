"""Latency of the `serve` API under concurrent requests.

Starts the server of `python -m keras_gans serve EXPORT` in this process on a
free port of 127.0.0.1, sends `--requests` requests for
`/api/sample?n=100&seed=i` from `--threads` threads, and prints the error
count and the latency percentiles (whole request: connect, generate, encode
the PNG, read it).

    python benchmarks/bench_serve.py saved_models/dcgan/generator [--requests 200] [--threads 8]
"""

import argparse
import concurrent.futures
import http.client
import os
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from machine import describe_machine  # benchmarks/machine.py

from keras_gans import serve


def timed_request(address: tuple[str, int], path: str) -> tuple[int, float]:
    began = time.perf_counter()
    connection = http.client.HTTPConnection(*address, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - began
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", help="folder written by train (RUN/generator)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--n", type=int, default=100, help="samples per grid")
    args = parser.parse_args()
    print(describe_machine(), flush=True)

    server = serve.make_server(serve.GeneratorService(args.export), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = server.server_address[:2]
    try:
        timed_request(address, f"/api/sample?n={args.n}&seed=0")  # warm-up: traces the signature
        paths = [f"/api/sample?n={args.n}&seed={i}" for i in range(args.requests)]
        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
            results = list(pool.map(lambda path: timed_request(address, path), paths))
        wall = time.perf_counter() - began
    finally:
        server.shutdown()
        server.server_close()

    errors = sum(status != 200 for status, _ in results)
    latencies = np.array([seconds for _, seconds in results]) * 1000
    p50, p95, p99 = np.percentile(latencies, [50, 95, 99])
    print(
        f"{args.requests} requests of /api/sample?n={args.n} from {args.threads} threads: {errors} errors, "
        f"{wall:.1f} s in all ({args.requests / wall:.1f} requests/s); "
        f"latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms"
    )


if __name__ == "__main__":
    main()
