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
