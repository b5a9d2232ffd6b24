"""Speak Up: the front door and tracker for children's social care complaints."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from portal import cli, errors, security, templating
from portal.config import from_environment, local_secret_key
from portal.extensions import babel, csrf, db
from portal.i18n import select_locale
from portal.views import chat, pages, safety, status


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the portal app; `config` overrides settings read from the environment."""
    config = dict(config or {})
    instance_path = config.pop("INSTANCE_PATH", None) or os.environ.get("SPEAKUP_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path)
    app.config.from_mapping(from_environment(app.instance_path))
    app.config.update(config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = local_secret_key(app.instance_path)

    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    templating.init_app(app)

    app.register_blueprint(pages.bp)
    app.register_blueprint(chat.bp)
    app.register_blueprint(status.bp)
    app.register_blueprint(safety.bp)

    import staff  # the staff area builds on the portal's services, so it comes last

    staff.init_app(app)
    return app
