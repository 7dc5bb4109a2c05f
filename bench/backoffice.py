"""Back-office benchmark: staff home, work queue and chart on a clinic-sized database.

    uv run python bench/backoffice.py [--patients 10000] [--results 100000] [--duration 15]

Creates a fresh PostgreSQL database, migrates it, loads the demo clinic, seeds it with
``bench/backoffice_fixture.py`` (patients, questionnaire results, appointments, call-backs,
merge suggestions, and a clinician signed in with both factors), starts gunicorn, and drives each
page with wrk using that clinician's session. Reports requests/second, p50/p99 and the ratio to
the bare view measured in the same run, and the database queries each page runs for a patient
with one result and for the one with the most (they must be equal). Missed targets do not change
the exit code; a missing wrk (2) or a dead server (3) do.
"""

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import run

DB_NAME = "perinatal_bench_office"
MAX_P99_MS = 200.0


def parse_args():
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--patients", type=int, default=10_000)
    p.add_argument("--results", type=int, default=100_000)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--worker-threads", type=int, default=4)
    p.add_argument(
        "--pin", action=argparse.BooleanOptionalAction, default=bool(shutil.which("taskset"))
    )
    p.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    p.add_argument("--output", type=Path, default=run.BENCH / "results" / f"office-{stamp}.json")
    return p.parse_args()


def recreate_database(pg: str, drop_only: bool = False) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def fixture(env: dict, *args: str) -> dict:
    argv = [sys.executable, "-m", "bench.backoffice_fixture", *args]
    done = subprocess.run(argv, cwd=run.ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"bench.backoffice_fixture {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(args, port: int, cookie: str, pages: dict[str, str]) -> list[dict]:
    headers = {"Cookie": cookie}
    results = []
    script = run.BENCH / "with_cookie.lua"
    for name, path in [
        ("bare view", "/bench/bare"),
        *pages.items(),
        ("bare view (again)", "/bench/bare"),
    ]:
        status = run.fetch(port, path, headers=headers)[0]
        print(f"  {name}: GET {path} -> {status}", flush=True)
        if args.warmup:
            run.run_wrk(args, port, path, script, args.warmup, [cookie])
            time.sleep(1)
        stats, out = run.run_wrk(args, port, path, script, args.duration, [cookie])
        results.append(
            {"name": name, "path": path, "probe_status": status, **stats, "wrk_output": out}
        )
    base = (results[0]["rps"] + results[-1]["rps"]) / 2 or None
    for r in results:
        r["ratio"] = round(r["rps"] / base, 3) if base else None
    return results


def verdicts(endpoints: list[dict], queries: dict) -> list[dict]:
    checks = []

    def check(ok, text):
        checks.append({"pass": bool(ok), "text": text})

    for e in endpoints:
        errors = e["non_2xx_3xx"] + e["socket_errors"] + (e["probe_status"] != 200)
        check(
            errors == 0 and e["wrk_ok"],
            f"{e['name']}: no errors (probe {e['probe_status']}, "
            f"non-2xx {e['non_2xx_3xx']}, socket {e['socket_errors']})",
        )
        if not e["path"].startswith("/bench/"):
            p99 = e["p99_ms"]
            check(
                e["requests"] > 0 and p99 is not None and p99 < MAX_P99_MS,
                f"{e['name']}: p99 < {MAX_P99_MS:.0f} ms (got {'none' if p99 is None else p99})",
            )
    charts = [v["queries"] for k, v in queries.items() if k.startswith("chart")]
    check(
        len(set(charts)) == 1,
        f"chart: the same number of queries for one result and for the most ({charts})",
    )
    for name, q in queries.items():
        check(q["status"] == 200, f"{name}: {q['queries']} queries, status {q['status']}")
    return checks


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    var_dir = Path(tempfile.mkdtemp(prefix="perinatal-bench-office-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.pg}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PERINATAL_PRODUCTION": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PERINATAL_VAR_DIR": str(var_dir),
        "PERINATAL_LOG_LEVEL": "WARNING",
    }
    server, port, log = None, run.free_port(), var_dir / "gunicorn.log"
    started = dt.datetime.now().astimezone()
    try:
        print(f"Creating database {DB_NAME}, migrating, loading the demo clinic...", flush=True)
        recreate_database(args.pg)
        run.manage(env, "migrate", "--no-input", "--verbosity", "0")
        run.manage(env, "demo")
        print(f"Seeding {args.patients} patients and {args.results} results...", flush=True)
        t0 = time.monotonic()
        seeded = fixture(
            env, "seed", "--patients", str(args.patients), "--results", str(args.results)
        )
        print(
            f"  seeded in {time.monotonic() - t0:.0f} s: {seeded['appointments']} appointments; "
            f"chart patient {seeded['typical_patient']} has {seeded['typical_results']} results, "
            f"patient {seeded['heavy_patient']} has {seeded['heavy_results']}",
            flush=True,
        )
        with psycopg.connect(f"{args.pg}/{DB_NAME}", autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        queries = fixture(env, "queries")
        pages = {
            "staff home": "/staff/",
            "work queue": "/staff/queue/",
            "chart (typical)": f"/staff/patients/{seeded['typical_patient']}/",
            "chart (most results)": f"/staff/patients/{seeded['heavy_patient']}/",
        }
        try:
            server = run.start_server(args, env, port, log)
        except run.ServerFailed as exc:
            print(f"Server failed to start: {exc}\n{log.read_text(errors='replace')[-3000:]}")
            return 3
        print(f"Load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s", flush=True)
        endpoints = measure(args, port, seeded["session_cookie"], pages)
        checks = verdicts(endpoints, queries)
        print(f"\n{'endpoint':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
        for e in endpoints:
            p50 = "-" if e["p50_ms"] is None else f"{e['p50_ms']:.1f}"
            p99 = "-" if e["p99_ms"] is None else f"{e['p99_ms']:.1f}"
            print(f"{e['name']:<24}{e['rps']:>10.1f}{p50:>9}{p99:>9}{e['ratio']:>9.1%}")
        print("\nqueries per page:")
        for name, q in queries.items():
            print(f"  {name:<28}{q['queries']:>4}  {q['path']}")
        print()
        for c in checks:
            print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['text']}")
        report = {
            "started": started.isoformat(timespec="seconds"),
            "seeded": {k: v for k, v in seeded.items() if k != "session_cookie"},
            "endpoints": endpoints,
            "queries": queries,
            "checks": checks,
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2))
        print(f"Wrote {args.output}")
        return 0
    except OSError as exc:
        print(f"Server failed: {exc}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        run.stop_server(server)
        try:
            recreate_database(args.pg, drop_only=True)
        except psycopg.Error as exc:
            print(f"Could not drop {DB_NAME}: {exc}", file=sys.stderr)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
