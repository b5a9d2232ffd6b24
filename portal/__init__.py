"""Speak Up: the front door and tracker for children's social care complaints."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import (
    cli,
    errors,
    i18n,
    limits,
    logs,
    security,
    session_cookie,
    static_files,
    templating,
)
from portal.config import (
    PRODUCTION,
    apply_production,
    check_environment,
    environment_name,
    from_environment,
    local_secret_key,
)
from portal.extensions import babel, csrf, db
from portal.i18n import select_locale
from portal.views import chat, feedback, health, lost_link, pages, safety, status, visit


class Portal(Flask):
    """Flask, asking once per function whether it is a coroutine.

    Flask asks `ensure_sync` about every before- and after-request function, teardown and view
    on every request (fifteen `inspect` calls a question page); the answer never changes, so
    it is kept per function (Flask's documented place to change how functions are run).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runnable: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._runnable[func]
        except KeyError:
            found = super().ensure_sync(func)
            if len(self._runnable) < 4096:  # hooks and views: a few dozen
                self._runnable[func] = found
            return found
        except TypeError:  # a callable that cannot be a key: asked every time, as Flask does
            return super().ensure_sync(func)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the portal app; `config` overrides settings read from the environment.

    With SPEAKUP_ENV=production it raises portal.config.ConfigError, naming every missing
    setting, rather than start with local defaults.
    """
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("SPEAKUP_INSTANCE_PATH")
    app = Portal(__name__, instance_path=instance_path)
    app.config.from_mapping(from_environment(app.instance_path, environment_name(config)))
    app.config.update(config)
    check_environment(app.config)
    if app.config["ENVIRONMENT"] == PRODUCTION:
        apply_production(app.config)
    elif not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = local_secret_key(app.instance_path)
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies > 0:
        # Only behind proxies we run: otherwise X-Forwarded-For would pick the address that
        # the sign-in rate limit counts, and X-Forwarded-Host the links we build.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    security.init_app(app)
    session_cookie.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    templating.init_app(app)

    limits.init_app(app)
    app.register_blueprint(visit.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(safety.bp)
    app.register_blueprint(lost_link.bp)
    app.register_blueprint(feedback.bp)

    import staff  # the staff area builds on the portal's services, so it comes last

    staff.init_app(app)
    app.register_blueprint(health.bp)
    limits.checked_where_declared(app, limits.limiter, staff.auth.limiter)
    static_files.init_app(app)  # last: WhiteNoise wraps everything else for /static/
    return app
