"""Load and page-weight benchmark for Perinatal: one command, one report. See bench/README.md.

    uv run python bench/run.py [--connections 32] [--duration 15] [--threads 2] [--output FILE]

Creates a fresh PostgreSQL database, migrates it, loads the demo clinic, starts gunicorn on a free
loopback port, weighs the public pages, drives it with wrk, prints a table and writes JSON.
Missed targets do not change the exit code; a missing wrk (2) or a dead server (3) do.
"""

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode, urljoin, urlsplit
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DB_NAME = "perinatal_bench"

DEMO_TYPE = "free-video-consultation"  # the demo clinic's, from perinatal/ops/demo/booking.py
DEMO_ZONE = "America/New_York"

# (name, path, wrk script or None). The first is the baseline the others are compared with; it is
# measured again at the end, so drift of the machine during the run shows. The slots API's path is
# made at run time (see slots_path), and the booking API, last, has a fixture of its own
# (see prepare_booking and bench/booking_fixture.py).
BARE = ("bare view", "/bench/bare", None)
SLOTS = "slots API (7 days)"
BOOKING = "booking API (POST)"
ENDPOINTS = [
    BARE,
    ("landing page", "/", None),
    ("screening API (POST)", "/api/v1/screenings", BENCH / "screening.lua"),
    ("check page", "/check/", None),
    (SLOTS, "/api/v1/slots", None),
    ("times page", f"/book/{DEMO_TYPE}/?tz={DEMO_ZONE}", None),
    (BOOKING, "/api/v1/bookings", BENCH / "booking.lua"),
]
# The details page is weighed for a real free start, found with the slots API at run time.
PAGES = [
    "/",
    "/ketamine-for-postpartum-depression/",
    "/check/",
    "/help-now/",
    "/es/",
    "/book/",
    f"/book/{DEMO_TYPE}/",
]
MIN_RATIO = 0.5  # of the bare view's requests/second
MAX_P99_MS = 100.0
MAX_PAGE_BYTES = 60_000  # 60 kB
MAX_DRIFT = 0.15  # bare view at the end vs at the start; beyond this the ratios are suspect
# Booking API: 409 (slot just taken) is a correct answer, but the bench is sized to give none; more
# than this share of responses means it ran out of free slots and measured refusals instead.
MAX_CONFLICT_SHARE = 0.01
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ServerFailed(RuntimeError):
    pass


def parse_args():
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    p.add_argument("--warmup", type=int, default=3, help="unrecorded seconds per endpoint first")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--worker-threads", type=int, default=4, help="threads per gunicorn worker")
    p.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=bool(shutil.which("taskset")),
        help="taskset wrk to CPU 0 and gunicorn to CPU 1 (default: on if taskset exists)",
    )
    p.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server (no database name)",
    )
    p.add_argument("--output", type=Path, default=BENCH / "results" / f"{stamp}.json")
    return p.parse_args()


# --- Database and server ------------------------------------------------------------------------


def recreate_database(pg: str, drop_only: bool = False) -> None:
    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB_NAME))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment a benched server and its management commands run in: the bench's
    settings and database, production mode off, and a throw-away var dir for the secret key,
    demo password and mail; ``extra`` adds or overrides variables."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PERINATAL_PRODUCTION": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PERINATAL_VAR_DIR": str(var_dir),
        "PERINATAL_LOG_LEVEL": "WARNING",
        **extra,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpu: int, argv: list[str], pin: bool) -> list[str]:
    return ["taskset", "-c", str(cpu), *argv] if pin else argv


def postgres_to_cpu0(conninfo: str) -> Callable[[], None]:
    """Run PostgreSQL's new backends on CPU 0, with the load generator, until the returned
    function is called, so that CPU 1 is the app's alone, as a database on its own machine would
    leave it (the kernel tends to wake a backend on the CPU of the process that queried it).

    Needs the server's data directory readable (root); otherwise changes nothing and says so.
    """
    try:
        with psycopg.connect(conninfo) as conn:
            data = conn.execute("SHOW data_directory").fetchone()[0]
        pid = (Path(data) / "postmaster.pid").read_text().split()[0]
        shown = subprocess.run(
            ["taskset", "-p", "-c", pid], capture_output=True, text=True, check=True
        )
        before = shown.stdout.rsplit(":", 1)[1].strip()
        subprocess.run(["taskset", "-a", "-p", "-c", "0", pid], capture_output=True, check=True)
    except (OSError, IndexError, psycopg.Error, subprocess.CalledProcessError) as exc:
        print(f"PostgreSQL not pinned ({exc}): the app's core is shared with it", flush=True)
        return lambda: None
    print(f"PostgreSQL (pid {pid}) pinned to CPU 0 for the run", flush=True)

    def restore() -> None:
        subprocess.run(["taskset", "-a", "-p", "-c", before, pid], capture_output=True)

    return restore


def manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def booking_fixture(env: dict, *args: str) -> dict:
    """Run bench/booking_fixture.py with the bench settings; returns the JSON it prints."""
    argv = [sys.executable, "-m", "bench.booking_fixture", *args]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"bench.booking_fixture {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_server(args, env: dict, port: int, log: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "gunicorn", "perinatal.wsgi", "--preload"]
    argv += ["--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(args.workers), "--threads", str(args.worker_threads)]
    argv += ["--worker-class", "gthread", "--no-control-socket", "--graceful-timeout", "5"]
    # Own session: Ctrl-C reaches this script only, which then stops the server in order.
    server = subprocess.Popen(
        pinned(1, argv, args.pin),
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline, answer = time.monotonic() + 30, "no connection"
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ServerFailed(f"gunicorn exited with {server.returncode}")
        try:
            status = fetch(port, "/healthz")[0]
            if status == 200:
                return server
            answer = f"status {status}"
        except OSError as exc:
            answer = str(exc)
        time.sleep(0.2)
    stop_server(server)
    raise ServerFailed(f"/healthz did not answer 200 within 30 s (last: {answer})")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) used so far by process ``pid`` and its children: gunicorn's
    master and workers. None where /proc cannot tell (not Linux, or a process gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # Fields after the command name (which may hold spaces), from field 3 on.
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended while we looked
            if stat.parent.name == str(pid) or fields[1] == str(pid):
                total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, IndexError, ValueError):
        return None
    return total / tick


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- HTTP ---------------------------------------------------------------------------------------


def fetch(
    port: int,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
) -> tuple[int, dict, bytes, int]:
    """One request; returns status, headers, body as sent on the wire, and header bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        raw = resp.read()
        header_bytes = (
            len(f"HTTP/1.1 {resp.status} {resp.reason}\r\n")
            + sum(len(f"{k}: {v}\r\n") for k, v in resp.getheaders())
            + 2
        )
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw, header_bytes
    finally:
        conn.close()


def script_request(script: Path | None) -> tuple[str, bytes | None, dict]:
    """The method, body and headers a wrk script sends, so a probe sends the same request."""
    if script is None:
        return "GET", None, {}
    text = script.read_text()
    body = re.search(r"wrk\.body\s*=\s*'(.*)'", text).group(1).encode()
    method = re.search(r'wrk\.method\s*=\s*"(\w+)"', text).group(1)
    return method, body, dict(re.findall(r'wrk\.headers\["([^"]+)"\]\s*=\s*"([^"]*)"', text))


# --- Load ---------------------------------------------------------------------------------------

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value).groups()
    return float(number) * UNITS[unit]


def parse_wrk(out: str) -> dict:
    def grab(pattern, cast=float, default=None):
        m = re.search(pattern, out, re.M)
        return cast(m.group(1)) if m else default

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "requests": grab(r"^\s*(\d+) requests in", int, 0),
        "rps": grab(r"^Requests/sec:\s+([\d.]+)", float, 0.0),
        "p50_ms": grab(r"^\s+50%\s+(\S+)", to_ms),
        "p99_ms": grab(r"^\s+99%\s+(\S+)", to_ms),
        "non_2xx_3xx": grab(r"Non-2xx or 3xx responses: (\d+)", int, 0),
        "socket_errors": sum(map(int, socket_errors.groups())) if socket_errors else 0,
    }


def run_wrk(
    args, port: int, path: str, script: Path | None, seconds: int, script_args: list[str] = ()
) -> tuple[dict, str]:
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"http://127.0.0.1:{port}{path}")
    if script_args:
        argv += ["--", *script_args]
    done = subprocess.run(pinned(0, argv, args.pin), capture_output=True, text=True, check=False)
    out = done.stdout + done.stderr
    return {**parse_wrk(out), "wrk_ok": done.returncode == 0 and "Requests/sec" in out}, out


def slots_path(days: int = 7) -> str:
    """The slots API for the demo video consultation, from now for ``days`` days (ISO 8601 with
    the New York offset, URL-encoded)."""
    start = dt.datetime.now(ZoneInfo(DEMO_ZONE)).replace(microsecond=0)
    end = start + dt.timedelta(days=days)
    query = {"type": DEMO_TYPE, "start": start.isoformat(), "end": end.isoformat()}
    return "/api/v1/slots?" + urlencode(query, quote_via=quote, safe="")


# --- Booking ------------------------------------------------------------------------------------


def prepare_booking(args, env: dict, var_dir: Path, bare_rps: float) -> dict:
    """Create the bench consultation type and list enough free starts for every request.

    No request can beat the bare view, so its rate over warm-up plus run, with a fifth more,
    bounds how many bookings wrk can make. Line 0 of the list is the probe's; wrk starts at 1.
    """
    wanted = int(bare_rps * (args.warmup + args.duration) * 1.2) + 200
    starts = var_dir / "booking-starts.txt"
    fixture = booking_fixture(env, "create", "--bookings", str(wanted), "--out", str(starts))
    time.sleep(2)  # every server process sees the new type (PERINATAL_SCHEDULE_CACHE_SECONDS)
    lines = starts.read_text().split()
    birth = (dt.date.today() - dt.timedelta(days=60)).isoformat()
    probe = {
        "type": fixture["type"],
        "start": lines[0] if lines else "",
        "name": "Bench Probe",
        "email": "bench-probe@example.org",
        "phone": "+1 617 555 0100",
        "language": "en",
        "stage": "postpartum",
        "key_date": birth,
        "consent_to_contact": True,
        "time_zone": DEMO_ZONE,
    }
    headers = {"Content-Type": "application/json", "Idempotency-Key": "bench-booking-probe"}
    return {
        "fixture": fixture,
        "probe": ("POST", json.dumps(probe).encode(), headers),
        "script_args": lambda first: [
            str(starts),
            str(first),
            str(args.threads),
            fixture["type"],
            birth,
        ],
    }


def booking_counts(out: str) -> tuple[dict[int, int], int | None]:
    """Responses per status, and the next unused line, as booking.lua's done() prints them."""
    statuses = {int(code): int(n) for code, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)}
    next_line = re.search(r"^next_line (\d+)$", out, re.M)
    return statuses, int(next_line.group(1)) if next_line else None


def measure_endpoints(args, port: int, env: dict, var_dir: Path) -> list[dict]:
    results = []
    bare_name, bare_path, _ = BARE
    for name, path, script in [*ENDPOINTS, (f"{bare_name} (again)", bare_path, None)]:
        booking = None
        if name == SLOTS:
            path = slots_path()
        if name == BOOKING:
            print("  booking API: creating the bench consultation type...", flush=True)
            booking = prepare_booking(args, env, var_dir, results[0]["rps"])
            method, body, headers = booking["probe"]
            f = booking["fixture"]
            print(
                f"    {f['clinicians']} clinicians, {f['duration_minutes']} min, no buffer; "
                f"{f['bookable']} bookable starts listed ({f['distinct_starts']} distinct, "
                f"{f['first_start']} to {f['last_start']}; wanted {f['wanted']})",
                flush=True,
            )
        else:
            method, body, headers = script_request(script)
        status = fetch(port, path, method, body, headers)[0]
        print(
            f"  {name}: {method} {path} -> {status}; warm-up {args.warmup}s, run {args.duration}s",
            flush=True,
        )
        first_line = 1  # booking only: line 0 went to the probe
        if args.warmup:
            warm, out = run_wrk(
                args,
                port,
                path,
                script,
                args.warmup,
                booking["script_args"](first_line) if booking else [],
            )
            if booking:
                first_line = booking_counts(out)[1] or first_line
            # wrk stops with a request on every connection, and the server still answers them.
            # On a slow endpoint that is seconds of work, which would queue ahead of the measured
            # run's first requests (and time them out): let it finish first.
            time.sleep(min(10.0, args.connections / warm["rps"]) if warm["rps"] else 1.0)
        stats, out = run_wrk(
            args,
            port,
            path,
            script,
            args.duration,
            booking["script_args"](first_line) if booking else [],
        )
        result = {
            "name": name,
            "baseline": path == bare_path,
            "method": method,
            "path": path,
            "probe_status": status,
            **stats,
            "counted_rps": stats["rps"],
            "wrk_output": out,
        }
        if booking:
            statuses, _next = booking_counts(out)
            answered = sum(statuses.values())
            created = statuses.get(201, 0)
            result.update(
                {
                    "statuses": statuses,
                    "created": created,
                    "conflicts": statuses.get(409, 0),
                    "conflict_share": statuses.get(409, 0) / answered if answered else 0.0,
                    "counted_rps": round(stats["rps"] * created / answered, 2) if answered else 0.0,
                    "fixture": booking["fixture"],
                    "first_line": first_line,
                }
            )
        results.append(result)
    base = (results[0]["rps"] + results[-1]["rps"]) / 2 or None
    for r in results:
        r["ratio"] = round(r["counted_rps"] / base, 3) if base else None
        failed_probe = not 200 <= r["probe_status"] < 300
        refused = r["non_2xx_3xx"]
        if "statuses" in r:
            failed_probe = r["probe_status"] != 201
            # A few 409s are the API working as documented (a slot taken under the request's
            # feet); many mean the bench ran out of slots, and then they count as errors.
            if r["conflict_share"] <= MAX_CONFLICT_SHARE:
                refused -= r["conflicts"]
        r["errors"] = refused + r["socket_errors"] + failed_probe + (not r["wrk_ok"])
    return results


# --- Page weight --------------------------------------------------------------------------------

# <link rel=...> values that make a browser fetch (or connect to) the href.
FETCHED_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "modulepreload"}
FETCHED_RELS |= {"prefetch", "manifest", "preconnect", "dns-prefetch"}


class ResourceParser(HTMLParser):
    """Collects the URLs a browser would request while loading the page."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and FETCHED_RELS & set((a.get("rel") or "").lower().split()):
            self.urls.append(a.get("href"))
        elif tag in {"script", "img", "iframe", "source", "audio", "video", "embed", "track"}:
            self.urls += [a.get("src"), a.get("poster")]
            self.urls += [c.split()[0] for c in (a.get("srcset") or "").split(",") if c.strip()]
        elif tag == "object":
            self.urls.append(a.get("data"))
        elif tag == "input" and (a.get("type") or "").lower() == "image":
            self.urls.append(a.get("src"))


def decoded(headers: dict, raw: bytes) -> str:
    data = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
    return data.decode("utf-8", "replace")


def weigh_page(port: int, path: str) -> dict:
    origin = f"http://127.0.0.1:{port}"
    accept = {"Accept-Encoding": "gzip"}
    files, third_party, queue, seen = [], [], [urljoin(origin, path)], set()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if url in seen or parts.scheme not in {"http", "https"}:
            continue  # data:, blob: and repeats cost nothing extra
        seen.add(url)
        if parts.hostname not in LOOPBACK:
            third_party.append(url)
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        status, headers, raw, header_bytes = fetch(parts.port or 80, target, headers=accept)
        files.append(
            {
                "url": target,
                "status": status,
                "body_bytes": len(raw),
                "header_bytes": header_bytes,
                "encoding": headers.get("content-encoding", ""),
                "type": headers.get("content-type", ""),
            }
        )
        kind = headers.get("content-type", "")
        if "html" in kind and len(files) == 1:
            parser = ResourceParser()
            parser.feed(decoded(headers, raw))
            queue += [urljoin(url, u.strip()) for u in parser.urls if u and u.strip()]
        elif "css" in kind:
            text = decoded(headers, raw)
            refs = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text)
            refs += re.findall(r"@import\s+['\"]([^'\"]+)['\"]", text)
            queue += [urljoin(url, u.strip()) for u in refs]
    return {
        "path": path,
        "status": files[0]["status"] if files else None,
        "transferred_bytes": sum(f["body_bytes"] + f["header_bytes"] for f in files),
        "body_bytes": sum(f["body_bytes"] for f in files),
        "compressed": any(f["encoding"] for f in files),
        "broken": [f["url"] for f in files[1:] if not 200 <= f["status"] < 300],
        "third_party": third_party,
        "files": files,
    }


def details_path(port: int) -> str | None:
    """The demo video consultation's details page for its first free start, from the slots API."""
    status, headers, raw, _ = fetch(port, slots_path())
    slots = json.loads(decoded(headers, raw)) if status == 200 else []
    if not slots:
        return None
    return f"/book/{DEMO_TYPE}/details/?" + urlencode({"start": slots[0]["start"]})


def weigh_pages(port: int) -> list[dict]:
    pages = [weigh_page(port, path) for path in PAGES]
    details = details_path(port)
    if details:
        pages.append(weigh_page(port, details))
    else:  # reported as a failed page rather than silently left out
        missing = f"/book/{DEMO_TYPE}/details/ (no free slot in the slots API)"
        pages.append({"path": missing, "status": None, "transferred_bytes": 0, "body_bytes": 0})
        pages[-1].update({"compressed": False, "broken": [], "third_party": [], "files": []})
    return pages


# --- Report -------------------------------------------------------------------------------------


def verdicts(endpoints: list[dict], pages: list[dict], connections: int) -> list[dict]:
    checks = []

    def check(ok, text):
        checks.append({"pass": bool(ok), "text": text})

    for e in endpoints:
        refused = f"non-2xx {e['non_2xx_3xx']}"
        if "statuses" in e:
            refused = (
                f"201 {e['created']}, 409 {e['conflicts']} = {e['conflict_share']:.2%} of "
                f"responses (tolerated up to {MAX_CONFLICT_SHARE:.0%}), other non-2xx "
                f"{e['non_2xx_3xx'] - e['conflicts']}"
            )
        check(
            e["errors"] == 0,
            f"{e['name']}: no errors ({refused}, "
            f"socket {e['socket_errors']}, probe status {e['probe_status']}"
            + ("" if e["wrk_ok"] else ", wrk failed: see wrk_output in the JSON")
            + ")",
        )
    first, last = endpoints[0]["rps"], endpoints[-1]["rps"]
    drift = abs(last / first - 1) if first else 1.0
    check(
        drift <= MAX_DRIFT,
        f"bare view steady through the run: {first:.0f} req/s at start, {last:.0f} at end "
        f"({drift:.0%} apart; over {MAX_DRIFT:.0%} means a noisy machine, ratios are suspect)",
    )
    for e in [e for e in endpoints if not e["baseline"]]:
        ratio = e["ratio"] or 0.0
        counted = ", bookings made (201) only" if "statuses" in e else ""
        check(
            ratio >= MIN_RATIO,
            f"{e['name']}: >= {MIN_RATIO:.0%} of bare view throughput (got {ratio:.1%}{counted})",
        )
    for e in endpoints:
        p99 = e["p99_ms"]
        got = "none" if p99 is None else f"{p99:.1f} ms"
        check(
            p99 is not None and p99 < MAX_P99_MS,
            f"{e['name']}: p99 < {MAX_P99_MS:.0f} ms at {connections} connections (got {got})",
        )
    for p in pages:
        check(
            p["status"] == 200 and p["transferred_bytes"] < MAX_PAGE_BYTES,
            f"{p['path']}: < {MAX_PAGE_BYTES // 1000} kB transferred "
            f"(got {p['transferred_bytes'] / 1000:.1f} kB, status {p['status']})",
        )
        check(
            not p["broken"],
            f"{p['path']}: every referenced file loads"
            + (f" (failed: {', '.join(p['broken'])})" if p["broken"] else ""),
        )
        check(
            not p["third_party"],
            f"{p['path']}: no third-party requests"
            + (f" (found {', '.join(p['third_party'])})" if p["third_party"] else ""),
        )
    return checks


def print_report(endpoints: list[dict], pages: list[dict], checks: list[dict]) -> None:
    def ms(v):
        return "-" if v is None else f"{v:.1f}"

    head = ["req/s", "p50 ms", "p99 ms", "non-2xx", "sock err", "vs bare"]
    print(f"\n{'endpoint':<24}{head[0]:>10}" + "".join(f"{h:>9}" for h in head[1:]))
    for e in endpoints:
        ratio = "-" if e["ratio"] is None else f"{e['ratio']:.1%}"
        print(
            f"{e['name']:<24}{e['rps']:>10.1f}{ms(e['p50_ms']):>9}{ms(e['p99_ms']):>9}"
            f"{e['non_2xx_3xx']:>9}{e['socket_errors']:>9}{ratio:>9}"
        )
    for e in [e for e in endpoints if "statuses" in e]:
        other = {k: v for k, v in sorted(e["statuses"].items()) if k not in (201, 409)}
        print(
            f"{e['name']}: {e['created']} booked (201), {e['conflicts']} slot taken (409), "
            f"other {other or 'none'}; {e['counted_rps']:.1f} bookings/s, the rate compared "
            "with the bare view"
        )
    width = max(40, *(len(p["path"]) + 2 for p in pages))
    print(f"\n{'page':<{width}}{'files':>6}{'failed':>7}{'kB sent':>9}{'gzip':>6}  third-party")
    for p in pages:
        print(
            f"{p['path']:<{width}}{len(p['files']):>6}{len(p['broken']):>7}"
            f"{p['transferred_bytes'] / 1000:>9.1f}{'yes' if p['compressed'] else 'no':>6}"
            f"  {', '.join(p['third_party']) or 'none'}"
        )
    print()
    for c in checks:
        print(f"{'PASS' if c['pass'] else 'FAIL'}  {c['text']}")
    failed = sum(not c["pass"] for c in checks)
    print(f"\n{len(checks) - failed} passed, {failed} failed")


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    if args.pin and not shutil.which("taskset"):
        print("--pin needs taskset (util-linux)", file=sys.stderr)
        return 2

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    # Secret key, demo password and mail go to a throw-away directory, not the checkout's var/.
    var_dir = Path(tempfile.mkdtemp(prefix="perinatal-bench-"))
    conn_max_age = os.environ.get("DB_CONN_MAX_AGE", "unset (app default)")
    env = server_env(
        f"{args.pg}/{DB_NAME}",
        var_dir,
        PERINATAL_RATE_SCREENING="1000000/h",
        PERINATAL_RATE_CALLBACK="1000000/h",
        PERINATAL_RATE_BOOKING="1000000/h",
        PERINATAL_RATE_MANAGE="1000000/h",
        # Each server process re-reads the booking schedule when its cached version expires
        # (no shared Redis here); short, so the bench type created mid-run is seen at once.
        PERINATAL_SCHEDULE_CACHE_SECONDS="1",
    )
    server = None
    port = free_port()
    log = var_dir / "gunicorn.log"
    started = dt.datetime.now().astimezone()
    try:
        print(f"Creating database {DB_NAME}, migrating, loading the demo clinic...", flush=True)
        recreate_database(args.pg)
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "demo")
        booking_fixture(env, "policy")  # booking horizon; see bench/booking_fixture.py
        pinning = ", pinned to CPU 1; wrk on CPU 0" if args.pin else ""
        print(
            f"Starting gunicorn on 127.0.0.1:{port} ({args.workers} workers x "
            f"{args.worker_threads} threads{pinning}, DB_CONN_MAX_AGE={conn_max_age})...",
            flush=True,
        )
        try:
            server = start_server(args, env, port, log)
        except ServerFailed as exc:
            print(
                f"Server failed to start: {exc}\n{log.read_text(errors='replace')[-3000:]}",
                file=sys.stderr,
            )
            return 3
        # Pages first, on the demo data as loaded: the booking bench adds a consultation type.
        print("Weighing pages...", flush=True)
        pages = weigh_pages(port)
        print(
            f"Load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --latency",
            flush=True,
        )
        endpoints = measure_endpoints(args, port, env, var_dir)
        checks = verdicts(endpoints, pages, args.connections)
        print_report(endpoints, pages, checks)
        server_log = log.read_text(errors="replace")
        if server_log.strip():
            print(f"\nServer log (last 2000 characters):\n{server_log[-2000:]}")
        config = {
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "wrk_threads": args.threads,
            "gunicorn_workers": args.workers,
            "gunicorn_threads": args.worker_threads,
            "pinned": args.pin,
            "cpus": os.cpu_count(),
            "db_conn_max_age": conn_max_age,
        }
        targets = {
            "min_ratio_vs_bare": MIN_RATIO,
            "max_p99_ms": MAX_P99_MS,
            "max_page_bytes": MAX_PAGE_BYTES,
            "max_booking_conflict_share": MAX_CONFLICT_SHARE,
        }
        report = {
            "started": started.isoformat(timespec="seconds"),
            "config": config,
            "targets": targets,
            "endpoints": endpoints,
            "pages": pages,
            "checks": checks,
            "server_log_tail": server_log[-4000:],
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2))
        print(f"Wrote {args.output}")
        return 0
    except OSError as exc:  # the server stopped answering mid-run
        print(f"Server failed: {exc}\n{log.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("\nInterrupted; cleaning up.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not skip the cleanup
        stop_server(server)
        try:
            recreate_database(args.pg, drop_only=True)
        except psycopg.Error as exc:
            print(f"Could not drop {DB_NAME}: {exc}", file=sys.stderr)
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
