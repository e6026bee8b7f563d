"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py wsgi:app`` (see README).

Every value can be overridden from the environment, so one file serves a laptop and a host.
The app keeps no state between requests (sessions are signed cookies, lock-outs and everything
else live in the database), so any number of workers and hosts can share one PostgreSQL.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Two workers per core plus one: requests mostly wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, so a slow leak can never take a host down.
max_requests = 2000
max_requests_jitter = 200
# Trust X-Forwarded-* only from the load balancer in front (set FORWARDED_ALLOW_IPS to it).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


# Build the app once in the master and warm it there (see when_ready): compiled templates and the
# matching caches. Every worker, including those restarted by max_requests, starts with them
# (copy-on-write) instead of each building the same while its first requests wait for a CPU.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"


def when_ready(server):
    """With the app preloaded, compile the templates, fit the matcher and read the shortlist pool
    once, in the master."""
    if server.cfg.preload_app:
        _warm_up(server.app.wsgi(), server.log)


def post_worker_init(worker):
    """A worker's own database connections; without a preloaded app, its own warm caches."""
    from app.database import forget_inherited_connections

    forget_inherited_connections(worker.wsgi)
    if not worker.cfg.preload_app:
        _warm_up(worker.wsgi, worker.log)


def _warm_up(app, log):
    from app.database import close_connections
    from app.matching import warm_up
    from app.templating import compile_templates

    compile_templates(app)
    try:
        warm_up(app)
    except Exception:  # a cold cache is only slower: the first request builds it instead
        log.exception("Warming the matching caches failed; requests will build them")
    finally:
        close_connections(app)  # the master keeps none open for its workers to inherit
