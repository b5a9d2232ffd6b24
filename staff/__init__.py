"""The council staff area at /staff: sign-in, the case tracker, case pages and stage moves."""

from __future__ import annotations

from flask import Flask

from staff import (
    account_views,  # noqa: F401 - registers sign-in and account routes on views.bp
    auth,
    cli,
    feedback_views,  # noqa: F401 - registers compliments and comments on views.bp
    intake_views,  # noqa: F401 - registers logging a complaint from a call or letter on views.bp
    learning_views,  # noqa: F401 - registers learning actions on the case page on views.bp
    link_views,  # noqa: F401 - registers the private-link help routes on views.bp
    message_views,  # noqa: F401 - the case page's list of messages sent
    outbox_views,  # noqa: F401 - registers the undelivered messages and "Try again" on views.bp
    report_views,  # noqa: F401 - registers the managers' annual report and its CSVs on views.bp
    urgent_views,  # noqa: F401 - registers the duty team's urgent-flag routes on views.bp
    views,
)


def init_app(app: Flask) -> None:
    auth.limiter.init_app(app)
    app.register_blueprint(views.bp)
    cli.init_app(app)
