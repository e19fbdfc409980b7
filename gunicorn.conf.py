"""gunicorn settings for Partnerskapsportalen: `make serve` (scripts/serve.sh) and the Dockerfile
run `gunicorn -c gunicorn.conf.py`. Every knob is an environment variable (README «Settings»).

In real production gunicorn sits behind a TLS-terminating proxy (nginx, a load balancer) that
sets X-Forwarded-Proto and X-Request-ID; gunicorn believes the scheme header only from
TRUSTED_PROXY_IPS.
"""

import ipaddress
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def cores() -> int:
    """The CPUs this process may run on (a cpuset or taskset narrows it; a container's CPU
    quota does not, which is what WEB_CONCURRENCY is for)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count() -> int:
    """2 × cores + 1 (gunicorn's rule of thumb for sync workers), at most WEB_CONCURRENCY."""
    count = 2 * cores() + 1
    cap = _env_int("WEB_CONCURRENCY", 0)
    return max(1, min(count, cap)) if cap > 0 else count


def trusted_proxies() -> str:
    """TRUSTED_PROXY_IPS: comma-separated addresses or networks of the TLS proxy. Default: a
    proxy on this host. "*" (trust every client) is refused: then anyone reaching the port could
    claim https."""
    raw = os.environ.get("TRUSTED_PROXY_IPS", "127.0.0.1,::1")
    entries = [item.strip() for item in raw.split(",") if item.strip()]
    for entry in entries:
        if entry == "*":
            raise SystemExit("TRUSTED_PROXY_IPS: '*' is refused; name the proxy's addresses.")
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise SystemExit(f"TRUSTED_PROXY_IPS: {entry!r} is not an address: {exc}") from exc
    return ",".join(entries)


def bind_hosts(addresses: list[str]) -> set[str]:
    return {address.rsplit(":", 1)[0] if ":" in address else address for address in addresses}


# --- Where and how many ------------------------------------------------------------------------
chdir = str(BASE_DIR)
wsgi_app = "partnerskap.wsgi:application"
bind = [item.strip() for item in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = worker_count()
worker_class = "sync"  # the TLS proxy buffers slow clients
# Load Django once in the master, then fork: faster start, shared memory. A deploy restarts the
# service (HUP does not reload code with this on).
preload_app = True

# --- Time limits -----------------------------------------------------------------------------
# A worker silent this long is killed (a PDF of a whole programme takes a few seconds).
timeout = _env_int("GUNICORN_TIMEOUT", 60)
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, staggered, so a slow leak cannot grow without bound.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# The heartbeat file in memory, not on a disk that may block (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# --- Proxy -----------------------------------------------------------------------------------
forwarded_allow_ips = trusted_proxies()
# Only X-Forwarded-Proto (the proxy overwrites it); gunicorn's other defaults are dropped.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# Django takes the scheme from gunicorn instead of reading X-Forwarded-Proto itself (settings).
os.environ.setdefault("DJANGO_SCHEME_FROM_SERVER", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerskap.settings")
# A database that does not answer fails a request (and /readyz) in seconds, not after the
# kernel's TCP timeout; libpq reads this for every connection the workers open.
os.environ.setdefault("PGCONNECT_TIMEOUT", "5")

# --- Logs: JSON, access lines on stdout, the rest on stderr (partnerskap/gunicorn_logger.py) --
logger_class = "partnerskap.gunicorn_logger.GunicornLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn ≥ 25.1 opens a control socket in $HOME by default: not wanted for a service (two
# instances would share it, and the container user has no writable home).
control_socket_disable = True


def on_starting(server):
    if os.environ.get("DJANGO_PLAIN_HTTP", "").lower() in {"1", "true", "yes", "on"}:
        exposed = bind_hosts(bind) - LOOPBACK
        if exposed:
            server.log.warning(
                "DJANGO_PLAIN_HTTP is on and gunicorn listens on %s: cookies are not Secure "
                "and nothing redirects to https. Only for a local trial on 127.0.0.1.",
                ", ".join(sorted(exposed)),
            )


def when_ready(server):
    # Runs in the master after the preloaded app and before the fork: import every view now
    # (the URLconf is otherwise loaded by each worker's first request, seconds each), so the
    # workers share it and the first requests are not slow.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    server.log.info("ready: %d workers on %s", workers, ", ".join(bind))
