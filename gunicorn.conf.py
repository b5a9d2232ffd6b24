"""gunicorn's settings for the Procfile's `web` process (`make serve`): from the environment."""

import gc
import logging
import os

from portal.logs import redact_tokens

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# gthread, so a connection the load balancer (or a phone) keeps open is used again: the sync
# worker closes every connection after one request, and `keepalive` below did nothing. Our
# FairThreadWorker (portal/gunicorn_worker.py) takes a new connection only while a thread is
# free; gunicorn's own gthread can let one worker take every connection while the other idles.
# One thread a worker by default: a page is CPU work, and a second thread would only wait for
# the first (the GIL) and stretch the slowest answers. WEB_THREADS raises it where the
# database is far away.
worker_class = "portal.gunicorn_worker.FairThreadWorker"
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = 30
graceful_timeout = 20
# How long an idle connection is kept open: longer than the load balancer's own idle timeout
# (AWS's is 60 s), so the balancer never sends a request on a connection gunicorn is closing
# (a 502). An idle connection costs no thread, only a place in the worker's poller.
keepalive = int(os.environ.get("WEB_KEEPALIVE_SECONDS", "75"))
preload_app = False  # each worker opens its own database connections
# The app logs one line per request itself (portal/logs.py: a request id, the route, never the
# path); gunicorn's access log stays off, and its error log never shows a secret link.
accesslog = None
errorlog = "-"


def on_starting(server) -> None:
    redact_tokens(logging.getLogger("gunicorn.error"))
    redact_tokens(logging.getLogger("gunicorn.access"))


def when_ready(server) -> None:
    """Before any worker starts, in the master: compile the safety lists and load the safety
    model (two or three seconds of CPU) once, so no child's first answer waits for them, and every
    worker forked after shares their pages (about 350 MB, mostly the lists' typo index: once,
    not once a worker). Then keep the garbage collector off them: its bookkeeping would copy
    those pages into every worker."""
    from portal.safety import matcher, model

    matcher.compiled()
    model.load()
    gc.freeze()


def post_worker_init(worker) -> None:
    """In each worker, once the app is loaded: keep the collector off everything made so far
    (the app, its routes, templates, catalogues), so each collection looks only at what a
    request made. Measured: about 6% less CPU a question page."""
    gc.freeze()
