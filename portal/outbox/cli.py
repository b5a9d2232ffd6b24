"""`flask outbox send`: the sender, as its own process (several may run at once)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.config import PRODUCTION
from portal.outbox.transports import FileTransport, MailSettingsError

outbox_group = AppGroup("outbox", help="Messages waiting in the outbox.")


@outbox_group.command("send", help="Send queued messages, and run the periodic jobs.")
@click.option("--once", is_flag=True, help="Send what is due now, then stop.")
@click.option(
    "--poll-seconds",
    type=click.FloatRange(min=0.1),
    default=None,
    help="How long to wait between looks at the outbox (default OUTBOX_POLL_SECONDS).",
)
def outbox_send(once: bool, poll_seconds: float | None) -> None:
    from portal.outbox.sender import Sender

    try:
        sender = Sender()
    except MailSettingsError as problem:
        raise click.ClickException(f"Messages cannot be sent: set {problem}") from None
    production = current_app.config["ENVIRONMENT"] == PRODUCTION
    if production and isinstance(sender.transport, FileTransport):
        raise click.ClickException(
            "MAIL_URL is not set: in production messages must leave this machine"
            " (smtp://, smtps:// or notify://)."
        )
    click.echo(f"Sending messages: {sender.transport.description}.")
    if once:
        click.echo(f"Outbox: {sender.run_once()}.")
        return
    click.echo("Press Ctrl+C to stop (the message being sent finishes first).")
    sender.run_forever(poll_seconds)
    click.echo("The sender has stopped.")
