"""Back-office benchmark: staff home, work queue and chart on a clinic-sized database.

    uv run python bench/backoffice.py [--patients 10000] [--results 100000] [--duration 15]

Creates a fresh PostgreSQL database, migrates it, loads the demo clinic, seeds it with
``bench/backoffice_fixture.py`` (patients, questionnaire results, appointments, call-backs,
merge suggestions, and a clinician signed in with both factors), starts gunicorn, and drives each
page with wrk using that clinician's session, twice:

- flat out (``--connections``, no pause): requests/second and the ratio to the bare view
  measured in the same run, which is what a change to a page's cost moves;
- under a busy clinic's load (``--staff`` people, each opening a page every ``--think-ms`` on
  average), through nginx in front of gunicorn as in production (``bench/proxy.py``): the
  latency staff see, where the p99 target applies.

Also reports the database queries each page runs for a patient with one result and for the one
with the most (they must be equal). Missed targets do not change the exit code; a missing wrk or
nginx (2) or a dead server (3) do.
"""

import argparse
import datetime as dt
import json
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
from bench import proxy, run

DB_NAME = "perinatal_bench_office"
MAX_P99_MS = 200.0


def parse_args():
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--patients", type=int, default=10_000)
    p.add_argument("--results", type=int, default=100_000)
    p.add_argument("--connections", type=int, default=16, help="flat out: requests in flight")
    p.add_argument("--duration", type=int, default=15, help="flat out: seconds per endpoint")
    p.add_argument("--staff", type=int, default=40, help="clinic load: people at once")
    p.add_argument("--think-ms", type=int, default=2000, help="clinic load: mean pause, per person")
    p.add_argument(
        "--load-duration", type=int, default=30, help="clinic load: seconds per endpoint"
    )
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


BASELINES = {"bare view": "/bench/bare", "staff bare view": "/bench/staff-bare"}


def flat_out(args, port: int, cookie: str, pages: dict[str, str], server_pid: int) -> list[dict]:
    """Each endpoint with ``--connections`` requests always in flight; the bare view first and
    last, so that a machine busy with something else shows as a drift between the two."""
    targets = [*BASELINES.items(), *pages.items(), ("bare view (again)", "/bench/bare")]
    results = _drive(args, port, cookie, targets, args.duration, 0, server_pid)
    base = (results[0]["rps"] + results[-1]["rps"]) / 2 or None
    for r in results:
        r["ratio"] = round(r["rps"] / base, 3) if base else None
    return results


def clinic_load(args, port: int, cookie: str, pages: dict[str, str], server_pid: int) -> list[dict]:
    """Each endpoint opened by ``--staff`` people at once, each pausing about ``--think-ms``
    between pages: what a busy clinic puts on the back office, several times over."""
    load = argparse.Namespace(**{**vars(args), "connections": args.staff})
    targets = [("staff bare view", BASELINES["staff bare view"]), *pages.items()]
    return _drive(load, port, cookie, targets, args.load_duration, args.think_ms, server_pid)


def _drive(args, port, cookie, targets, seconds: int, think_ms: int, server_pid: int) -> list[dict]:
    """Each target in turn. Besides wrk's figures, the app's CPU time per request (gunicorn's
    processes, read from /proc before and after) and how busy that kept its core: what a page
    costs, apart from the machine's speed of the moment and from queueing."""
    headers = {"Cookie": cookie}
    script = run.BENCH / "with_cookie.lua"
    results = []
    for name, path in targets:
        status = run.fetch(port, path, headers=headers)[0]
        print(f"  {name}: GET {path} -> {status}", flush=True)
        if args.warmup:
            run.run_wrk(args, port, path, script, args.warmup, [cookie, str(think_ms)])
            time.sleep(1)
        before = run.cpu_seconds(server_pid)
        stats, out = run.run_wrk(args, port, path, script, seconds, [cookie, str(think_ms)])
        after = run.cpu_seconds(server_pid)
        used = None if before is None or after is None else after - before
        results.append(
            {
                "name": name,
                "path": path,
                "probe_status": status,
                **stats,
                "cpu_ms_per_request": (
                    round(used * 1000 / stats["requests"], 1)
                    if used is not None and stats["requests"]
                    else None
                ),
                "core_busy": None if used is None else round(used / seconds, 3),
                "wrk_output": out,
            }
        )
    return results


def verdicts(flat: list[dict], loaded: list[dict], queries: dict, args) -> list[dict]:
    checks = []

    def check(ok, text):
        checks.append({"pass": bool(ok), "text": text})

    for phase, endpoints in (("flat out", flat), ("clinic load", loaded)):
        for e in endpoints:
            errors = e["non_2xx_3xx"] + e["socket_errors"] + (e["probe_status"] != 200)
            check(
                errors == 0 and e["wrk_ok"],
                f"{phase}, {e['name']}: no errors (probe {e['probe_status']}, "
                f"non-2xx {e['non_2xx_3xx']}, socket {e['socket_errors']})",
            )
    first, last = flat[0]["rps"], flat[-1]["rps"]
    check(
        first and abs(last - first) / first <= 0.15,
        f"flat out: the bare view held within 15 % ({first:.0f} then {last:.0f} req/s)",
    )
    for e in loaded:
        if e["path"].startswith("/bench/"):
            continue
        p99 = e["p99_ms"]
        check(
            e["requests"] > 0 and p99 is not None and p99 < MAX_P99_MS,
            f"clinic load ({args.staff} staff, {args.think_ms} ms apart), {e['name']}: "
            f"p99 < {MAX_P99_MS:.0f} ms (got {'none' if p99 is None else p99})",
        )
    charts = [v["queries"] for k, v in queries.items() if k.startswith("chart")]
    check(
        len(set(charts)) == 1,
        f"chart: the same number of queries for one result and for the most ({charts})",
    )
    for name, q in queries.items():
        check(q["status"] == 200, f"{name}: {q['queries']} queries, status {q['status']}")
    return checks


def table(endpoints: list[dict], ratios: bool) -> None:
    print(
        f"{'endpoint':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}"
        f"{'cpu ms/req':>12}{'app core':>10}"
    )
    for e in endpoints:
        p50 = "-" if e["p50_ms"] is None else f"{e['p50_ms']:.1f}"
        p99 = "-" if e["p99_ms"] is None else f"{e['p99_ms']:.1f}"
        ratio = f"{e['ratio']:>9.1%}" if ratios and e.get("ratio") is not None else f"{'':>9}"
        cpu = "-" if e.get("cpu_ms_per_request") is None else f"{e['cpu_ms_per_request']:.1f}"
        busy = "-" if e.get("core_busy") is None else f"{e['core_busy']:.0%}"
        print(f"{e['name']:<24}{e['rps']:>10.1f}{p50:>9}{p99:>9}{ratio}{cpu:>12}{busy:>10}")


def main() -> int:
    args = parse_args()
    if not proxy.available():
        print("nginx is not installed (apt-get install -y nginx-light)", file=sys.stderr)
        return 2
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    var_dir = Path(tempfile.mkdtemp(prefix="perinatal-bench-office-"))
    env = run.server_env(f"{args.pg}/{DB_NAME}", var_dir)
    server, port, log = None, run.free_port(), var_dir / "gunicorn.log"
    front, front_port = None, run.free_port()
    unpin_database = None
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
        if args.pin:  # before gunicorn connects: its backends inherit the affinity
            unpin_database = run.postgres_to_cpu0(f"{args.pg}/postgres")
        try:
            server = run.start_server(args, env, port, log)
        except run.ServerFailed as exc:
            print(f"Server failed to start: {exc}\n{log.read_text(errors='replace')[-3000:]}")
            return 3
        print(f"Flat out: wrk -t{args.threads} -c{args.connections} -d{args.duration}s")
        flat = flat_out(args, port, seeded["session_cookie"], pages, server.pid)
        print(
            f"Clinic load: {args.staff} staff, a page every {args.think_ms} ms or so each, "
            f"{args.load_duration}s per page",
            flush=True,
        )
        front = proxy.start(args, var_dir / "nginx", front_port, upstream=port)
        loaded = clinic_load(args, front_port, seeded["session_cookie"], pages, server.pid)
        proxy.stop(front)
        checks = verdicts(flat, loaded, queries, args)
        print(f"\nFlat out ({args.connections} requests always in flight):")
        table(flat, ratios=True)
        print(f"\nClinic load ({args.staff} staff, about {args.think_ms} ms between pages):")
        table(loaded, ratios=False)
        print("\nqueries per page:")
        for name, q in queries.items():
            print(f"  {name:<28}{q['queries']:>4}  {q['path']}")
        print()
        for c in checks:
            print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['text']}")
        report = {
            "started": started.isoformat(timespec="seconds"),
            "seeded": {k: v for k, v in seeded.items() if k != "session_cookie"},
            "flat_out": flat,
            "clinic_load": loaded,
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
        proxy.stop(front)
        run.stop_server(server)
        if unpin_database:
            unpin_database()
        try:
            recreate_database(args.pg, drop_only=True)
        except psycopg.Error as exc:
            print(f"Could not drop {DB_NAME}: {exc}", file=sys.stderr)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
