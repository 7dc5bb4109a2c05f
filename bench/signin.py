"""Sign-in flood benchmark: how long /healthz takes while strangers hammer the staff sign-in.

    uv run python bench/signin.py [--clients 12] [--rate 4.3] [--duration 10]

Creates a fresh PostgreSQL database, migrates it, loads the demo clinic, starts gunicorn (the
app's real password hasher, not the tests' quick one) and measures /healthz from one client
asking every ``--probe-ms``, in phases of ``--duration`` seconds each:

1. alone;
2. during a flood of ``--clients`` clients, each posting a wrong password for a new random
   username ``--rate`` times a second, all from one address;
3. the same flood from a new address each time (``X-Forwarded-For``, the server trusting one
   proxy): the per-address limit no longer helps, only the cap on password checks at once;
4. unless ``--no-unguarded``: the many-address flood again on a server started with both guards
   off (limits raised out of reach): what the app did before them.

Reports /healthz p50 and p99 per phase, each as a ratio to phase 1 (of the same server), and
the flood's answers by status. A report, not a test: the exit code is 0 whenever a report was
produced, 3 if the server did not start. Bounded: every phase stops after ``--duration``
seconds, every request times out after 10 s.
"""

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import run

DB_NAME = "perinatal_bench_signin"
SIGN_IN = "/staff/sign-in/"
UNGUARDED = {"PERINATAL_RATE_SIGN_IN": "1000000/m", "PERINATAL_SIGN_IN_CONCURRENCY": "1000"}


def parse_args():
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=12, help="flooding clients")
    p.add_argument("--rate", type=float, default=4.3, help="sign-in tries a second, per client")
    p.add_argument("--duration", type=int, default=10, help="seconds per phase")
    p.add_argument("--probe-ms", type=int, default=50, help="pause between /healthz requests")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--worker-threads", type=int, default=4)
    p.add_argument("--unguarded", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument(
        "--pin", action=argparse.BooleanOptionalAction, default=bool(shutil.which("taskset"))
    )
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--output", type=Path, default=run.BENCH / "results" / f"signin-{stamp}.json")
    return p.parse_args()


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def probe(port: int, stop: threading.Event, pause: float) -> dict:
    """/healthz one request at a time until ``stop``; latency in ms of each 200."""
    latencies, failures = [], 0
    while not stop.is_set():
        started = time.perf_counter()
        try:
            ok = run.fetch(port, "/healthz")[0] == 200
        except OSError:
            ok = False
        if ok:
            latencies.append((time.perf_counter() - started) * 1000)
        else:
            failures += 1
        stop.wait(pause)
    return {
        "requests": len(latencies) + failures,
        "failures": failures,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
    }


def csrf(port: int) -> tuple[str, str]:
    """A CSRF cookie and the form's token, as a browser gets them from the sign-in page."""
    _, headers, body, _ = run.fetch(port, SIGN_IN)
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", "")).group(1)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    return cookie, token


def flood_client(port, stop, rate, many_addresses, answers: Counter, lock) -> None:
    cookie, token = csrf(port)
    interval = 1 / rate
    due = time.monotonic()
    while not stop.is_set():
        form = {
            "csrfmiddlewaretoken": token,
            "username": f"nobody-{secrets.token_hex(4)}",
            "password": secrets.token_urlsafe(12),
        }
        headers = {
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        if many_addresses:
            headers["X-Forwarded-For"] = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.9"
        try:
            status = run.fetch(port, SIGN_IN, "POST", urlencode(form).encode(), headers)[0]
        except OSError:
            status = "error"
        with lock:
            answers[status] += 1
        due += interval
        stop.wait(max(0.0, due - time.monotonic()))


def phase(args, port: int, flood: str | None) -> dict:
    """``--duration`` seconds of /healthz, alone or with ``flood`` ("one address" or "many")."""
    stop, lock, answers = threading.Event(), threading.Lock(), Counter()
    clients = []
    if flood:
        for _ in range(args.clients):
            t = threading.Thread(
                target=flood_client,
                args=(port, stop, args.rate, flood == "many addresses", answers, lock),
                daemon=True,
            )
            t.start()
            clients.append(t)
        time.sleep(1)  # let the flood build up before measuring
    timer = threading.Timer(args.duration, stop.set)
    timer.start()
    healthz = probe(port, stop, args.probe_ms / 1000)
    for t in clients:
        t.join(timeout=15)
    return {"flood": flood, "healthz": healthz, "sign_in_answers": dict(answers)}


def serve_and_measure(args, env: dict, port: int, log: Path, floods: list[str | None]) -> list:
    server = run.start_server(args, env, port, log)
    try:
        results = []
        for flood in floods:
            print(f"  /healthz {'alone' if flood is None else 'during a flood, ' + flood}...")
            results.append(phase(args, port, flood))
            time.sleep(2)  # the server answers what the flood left in flight
        return results
    finally:
        run.stop_server(server)


def with_ratios(results: list[dict]) -> list[dict]:
    alone = results[0]["healthz"]
    for r in results:
        for key in ("p50_ms", "p99_ms"):
            value, base = r["healthz"][key], alone[key]
            r["healthz"][key.replace("_ms", "_ratio")] = (
                round(value / base, 1) if value is not None and base else None
            )
    return results


def print_report(args, guarded: list[dict], unguarded: list[dict]) -> None:
    print(
        f"\n/healthz, one request every {args.probe_ms} ms; flood: {args.clients} clients x "
        f"{args.rate}/s wrong passwords for random usernames"
    )
    print(
        f"{'server':<11}{'phase':<28}{'p50 ms':>8}{'p99 ms':>8}{'p50 x':>7}{'p99 x':>7}"
        f"{'failed':>8}  sign-in answers"
    )
    for server, results in (("guarded", guarded), ("unguarded", unguarded)):
        for r in results:
            h = r["healthz"]
            name = "alone" if r["flood"] is None else f"flood, {r['flood']}"
            counts = sorted(r["sign_in_answers"].items(), key=str)
            answers = ", ".join(f"{status}: {n}" for status, n in counts)
            print(
                f"{server:<11}{name:<28}{h['p50_ms'] or '-':>8}{h['p99_ms'] or '-':>8}"
                f"{h['p50_ratio'] or '-':>7}{h['p99_ratio'] or '-':>7}"
                f"{h['failures']:>5}/{h['requests']:<3} {answers}"
            )


def main() -> int:
    args = parse_args()

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    if args.pin:  # the clients on CPU 0, gunicorn on CPU 1 (run.start_server)
        os.sched_setaffinity(0, {0})
    var_dir = Path(tempfile.mkdtemp(prefix="perinatal-bench-signin-"))
    # The many-address flood names its address in X-Forwarded-For, as a proxy would.
    env = run.server_env(f"{args.pg}/{DB_NAME}", var_dir, PERINATAL_TRUSTED_PROXIES="1")
    log = var_dir / "gunicorn.log"
    started = dt.datetime.now().astimezone()
    try:
        print(f"Creating database {DB_NAME}, migrating, loading the demo clinic...", flush=True)
        recreate_database(args.pg)
        run.manage(env, "migrate", "--no-input", "--verbosity", "0")
        run.manage(env, "demo")
        floods = [None, "one address", "many addresses"]
        print("Server with the sign-in guards as configured:", flush=True)
        guarded = with_ratios(serve_and_measure(args, env, run.free_port(), log, floods))
        unguarded = []
        if args.unguarded:
            print("Server with both guards off:", flush=True)
            env_off = env | UNGUARDED
            unguarded = serve_and_measure(
                args, env_off, run.free_port(), log, [None, "many addresses"]
            )
            unguarded = with_ratios(unguarded)
        print_report(args, guarded, unguarded)
        report = {
            "started": started.isoformat(timespec="seconds"),
            "settings": {k: v for k, v in vars(args).items() if k != "output"},
            "guarded": guarded,
            "unguarded": unguarded,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2, default=str))
        print(f"Wrote {args.output}")
        return 0
    except run.ServerFailed as exc:
        print(f"Server failed: {exc}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            recreate_database(args.pg, drop_only=True)
        except psycopg.Error as exc:
            print(f"Could not drop {DB_NAME}: {exc}", file=sys.stderr)
        shutil.rmtree(var_dir, ignore_errors=True)


def recreate_database(pg: str, drop_only: bool = False) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


if __name__ == "__main__":
    sys.exit(main())
