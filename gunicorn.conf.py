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


def post_worker_init(worker):
    """Each worker fits the matcher and reads the shortlist pool before it takes a request."""
    from app.matching import warm_up

    try:
        warm_up(worker.wsgi)
    except Exception:  # a cold cache is only slower: the first request builds it instead
        worker.log.exception("Warming the matching caches failed; requests will build them")
