"""gunicorn's settings for the Procfile's `web` process (`make serve`): from the environment."""

import logging
import os

from portal.logs import redact_tokens

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5  # behind a load balancer that keeps connections open
preload_app = False  # each worker opens its own database connections
# The app logs one line per request itself (portal/logs.py: a request id, the route, never the
# path); gunicorn's access log stays off, and its error log never shows a secret link.
accesslog = None
errorlog = "-"


def on_starting(server) -> None:
    redact_tokens(logging.getLogger("gunicorn.error"))
    redact_tokens(logging.getLogger("gunicorn.access"))


def post_worker_init(worker) -> None:
    """Compile the safety lists and load the safety model before the first request, not during
    a child's first answer (about a second of CPU, more on a busy machine)."""
    from portal.safety import matcher, model

    matcher.compiled()
    model.load()
