"""Re-poll benchmark: wall time of `tradeline run` over a feed that has not changed.

    .venv/bin/python bench/repoll.py              # 5 runs per case, medians
    .venv/bin/python bench/repoll.py --reps 9 --flow-cold

The samples (feed.xml and its seven articles) are served on 127.0.0.1; a first `tradeline run`
stores them, then each measured run is a fresh `tradeline -q run --no-timeline` process that
finds the feed unchanged (304) and nothing new:
  fast, cold  the default: the command's first poll finds nothing new and ends without Prefect
              or a flow run (flows/quick_poll.py); no Prefect server answers on `[prefect] port`
  fast, warm  the same with a `prefect server start` (as `tradeline serve` starts it) answering
              there: the fast path never asks it
  flow, warm  `--always-flow`: the ingest flow runs, reporting to that server (reused)
  flow, cold  `--always-flow` with no server: a temporary one per run (only with --flow-cold)
Prefect keeps its database in a PREFECT_HOME of the bench's own. The breakdown times, apart,
importing what the flow path imports and one ingest flow call in a process that already
imported everything (warm server). Not a test: nothing asserts on the numbers (target: a warm
re-poll ≤ 3 s).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_WARM_S = 3.0
SERVER_START_TIMEOUT_S = 180.0


class QuietHandler(SimpleHTTPRequestHandler):
    """Files with Last-Modified; If-Modified-Since gets 304 (an unchanged feed)."""

    def log_message(self, *args: object) -> None:
        return None


def serve_samples(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(workdir: Path, feed_url: str, prefect_port: int) -> Path:
    config = workdir / "tradeline.toml"
    config.write_text(
        f"""[warehouse]
path = "bench.duckdb"

[fetch]
allow_private_hosts = true   # the feed is on 127.0.0.1
per_host_delay_s = 0
retries = 0

[report]
enabled = false

[prefect]
port = {prefect_port}

[[feeds]]
name = "bench"
url = "{feed_url}"
""",
        encoding="utf-8",
    )
    return config


def bench_env(workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TRADELINE_") and k != "PREFECT_API_URL"
    }
    env["PREFECT_HOME"] = str(workdir / "prefect-home")
    return env


def timed_run(workdir: Path, env: dict[str, str], *extra: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `tradeline run`; the CPU time is the process's and
    its children's (a temporary server's too, the reused one's not): on a busy machine the
    wall time grows with the load, the CPU time hardly."""
    command = [sys.executable, "-m", "tradeline.flows.cli", "-q", "run", "--no-timeline", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"tradeline run failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    from tradeline.flows.prefect_server import running_server
    from tradeline.flows.serve import server_command

    process = subprocess.Popen(
        server_command(port),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"prefect server exited with status {process.returncode}")
        if running_server(port):
            return process
        time.sleep(0.5)
    stop_server(process)
    raise SystemExit(f"prefect server did not answer on port {port}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)
        process.wait()


def median_wall(label: str, reps: int, workdir: Path, env: dict[str, str], *extra: str) -> float:
    runs = [timed_run(workdir, env, *extra) for _ in range(reps)]
    walls = [wall for wall, _ in runs]
    shown = ", ".join(f"{t:.2f}" for t in walls)
    cpu = statistics.median(c for _, c in runs)
    print(
        f"  {label}: median {statistics.median(walls):.2f} s wall ({shown}), {cpu:.2f} s CPU",
        flush=True,
    )
    return statistics.median(walls)


def import_seconds(workdir: Path, env: dict[str, str], reps: int) -> float:
    code = "import tradeline.flows.cli, tradeline.flows.ingest"
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=workdir, env=env, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


FLOW_CALLS = """
import json, statistics, sys, time
from tradeline.flows.prefect_env import apply_prefect_defaults
apply_prefect_defaults()
from tradeline.config import load_settings
from tradeline.flows.ingest import ingest
from tradeline.flows.prefect_server import prefect_api
settings = load_settings("tradeline.toml")
times = []
with prefect_api(settings.prefect.port):
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        ingest(settings, "bench.duckdb")
        times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def flow_seconds(workdir: Path, env: dict[str, str], reps: int) -> list[float]:
    import json

    done = subprocess.run(
        [sys.executable, "-c", FLOW_CALLS, str(reps)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="runs per case (median)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--flow-cold",
        action="store_true",
        help="also time --always-flow with a temporary server per run (about 20 s each)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tradeline-repoll-"))
    site, base = serve_samples(REPO / "samples")
    port = free_port()
    config = write_config(workdir, f"{base}/feed.xml", port)
    env = bench_env(workdir)
    print(f"feed {base}/feed.xml, warehouse {workdir / 'bench.duckdb'}, {config.name}")
    server = None
    try:
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        first, _ = timed_run(workdir, env)
        print(f"first ingest (7 articles, temporary server): {first:.2f} s")
        print("re-poll of the unchanged feed, `tradeline -q run --no-timeline`:")
        fast_cold = median_wall("fast path, cold (no Prefect server)", args.reps, workdir, env)
        flow_cold = None
        if args.flow_cold:
            flow_cold = median_wall(
                "flow, cold (--always-flow, temporary server)",
                args.reps,
                workdir,
                env,
                "--always-flow",
            )
        server = start_server(port, env)
        fast_warm = median_wall(
            f"fast path, warm (server on 127.0.0.1:{port}, unused)", args.reps, workdir, env
        )
        flow_warm = median_wall(
            f"flow, warm (--always-flow, server on 127.0.0.1:{port} reused)",
            args.reps,
            workdir,
            env,
            "--always-flow",
        )
        imports = import_seconds(workdir, env, args.reps)
        flows = flow_seconds(workdir, env, args.reps)
        print("breakdown of the flow path (warm):")
        print(f"  importing tradeline's CLI and the ingest flow: {imports:.2f} s (median)")
        print(
            f"  one ingest flow call, imports done: first {flows[0]:.2f} s, then median "
            f"{statistics.median(flows[1:] or flows):.2f} s"
        )
        verdict = "meets" if fast_warm <= TARGET_WARM_S else "misses"
        print(
            f"warm re-poll {fast_warm:.2f} s {verdict} the ≤ {TARGET_WARM_S:g} s target; "
            f"cold {fast_cold:.2f} s; with the flow: warm {flow_warm:.2f} s"
            + (f", cold {flow_cold:.2f} s" if flow_cold is not None else "")
        )
        print(f"load average {os.getloadavg()[0]:.1f} (wall times grow with it)")
    finally:
        if server is not None:
            stop_server(server)
        site.shutdown()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
