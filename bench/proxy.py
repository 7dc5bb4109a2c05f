"""nginx in front of the bench's gunicorn, as production runs it (README, "Running in production").

The proxy holds the browsers' connections, idle ones included, and hands gunicorn only whole
requests. That matters for latency: gunicorn's threaded worker keeps a thread for a connection
that is open but has not sent its request yet (for up to 5 s), so people pausing between pages on
connections straight to gunicorn make everyone else wait for a thread. Behind the proxy, the
measured latency is the app's own.
"""

import shutil
import subprocess
import time
from pathlib import Path

from bench import run

CONFIG = """\
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    keepalive_timeout 75s;
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
  }}
}}
"""


def available() -> bool:
    return bool(shutil.which("nginx"))


def start(args, folder: Path, port: int, upstream: int) -> subprocess.Popen:
    """nginx on ``port`` forwarding to gunicorn on ``upstream``, on the load generator's CPU."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(dir=folder, port=port, upstream=upstream))
    argv = ["nginx", "-c", str(config), "-e", str(folder / "error.log")]
    proxy = subprocess.Popen(run.pinned(0, argv, args.pin), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if run.fetch(port, "/healthz")[0] == 200:
                return proxy
        except OSError:
            pass
        if proxy.poll() is not None:
            break
        time.sleep(0.1)
    stop(proxy)
    raise run.ServerFailed(f"nginx did not answer on port {port}: {folder / 'error.log'}")


def stop(proxy: subprocess.Popen | None) -> None:
    if proxy is None or proxy.poll() is not None:
        return
    proxy.terminate()
    try:
        proxy.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proxy.kill()


class PostgresOnCpu0:
    """While in use: new PostgreSQL backends run on CPU 0, with the load generator and nginx,
    so that the core gunicorn is pinned to is the app's alone, as a database on its own machine
    would leave it. Otherwise the kernel tends to wake a backend on the CPU of the process that
    queried it, and the app's core also runs its database's work. Restores the affinity after.

    Needs the server's data directory readable (root); does nothing when it is not, and says so.
    """

    def __init__(self, conninfo: str):
        self.conninfo, self.pid, self.before = conninfo, None, None

    def __enter__(self):
        import psycopg

        try:
            with psycopg.connect(self.conninfo) as conn:
                data = conn.execute("SHOW data_directory").fetchone()[0]
            self.pid = int((Path(data) / "postmaster.pid").read_text().split()[0])
            shown = subprocess.run(
                ["taskset", "-p", "-c", str(self.pid)], capture_output=True, text=True, check=True
            )
            self.before = shown.stdout.rsplit(":", 1)[1].strip()
            subprocess.run(
                ["taskset", "-a", "-p", "-c", "0", str(self.pid)], capture_output=True, check=True
            )
            print(f"PostgreSQL (pid {self.pid}) pinned to CPU 0 for the run", flush=True)
        except (OSError, ValueError, IndexError, subprocess.CalledProcessError) as exc:
            self.pid = None
            print(f"PostgreSQL not pinned ({exc}); the app's core is shared with it", flush=True)
        return self

    def __exit__(self, *exc_info):
        if self.pid is not None and self.before:
            subprocess.run(
                ["taskset", "-a", "-p", "-c", self.before, str(self.pid)],
                capture_output=True,
                check=False,
            )
        return False
