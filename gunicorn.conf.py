"""gunicorn's settings for the Procfile's `web` process (`make serve`): from the environment."""

import gc
import logging
import os

from portal.logs import redact_tokens

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The sync worker: one request per connection (it closes each after answering, so it has no
# keep-alive to set), taken from the listening socket by whichever worker is free, so the work
# is shared evenly. Tried and measured (make bench, wrk -c20): gunicorn's gthread worker keeps
# connections open, but each worker takes every connection it is offered, and one worker took
# 16 to 20 of wrk's 20 while the other idled (question page 728 requests a second, p99 55 ms,
# against 765 to 1,204 and 22 to 38 ms here); a gthread worker that takes connections only
# while free left some waiting seconds (p99 667 ms). A sync worker is busy for as long as its
# client takes to send and read, so it belongs behind a buffering proxy (README, "Production").
worker_class = "sync"
timeout = 30
graceful_timeout = 20
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
