"""Command-line tasks: `flask --app portal db upgrade`, `flask --app portal link revoke REF`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal import migrate
from portal.outbox.cli import outbox_group
from portal.services import complaints, drafts, feedback, public_sessions, retention, status_links


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(link_group)
    app.cli.add_command(drafts_group)
    app.cli.add_command(retention_group)
    app.cli.add_command(outbox_group)


db_group = AppGroup("db", help="Database tasks.")


@db_group.command("upgrade", help="Bring the database up to date with the migrations.")
def db_upgrade() -> None:
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


link_group = AppGroup("link", help="Private status links.")


@link_group.command("revoke", help="Stop every private link to a complaint working.")
@click.argument("reference")
def link_revoke(reference: str) -> None:
    complaint = complaints.by_reference(reference)
    if complaint is None:
        raise click.ClickException(f"No complaint has the reference {reference}.")
    status_links.revoke(complaint, actor="cli")
    click.echo(f"Every link to {complaint.reference} now stops working.")


drafts_group = AppGroup("drafts", help="Unsent drafts.")


@drafts_group.command("purge", help="Delete unsent drafts untouched for DAYS days (default 30).")
@click.option("--days", default=30, show_default=True, type=click.IntRange(min=1))
def drafts_purge(days: int) -> None:
    removed = drafts.purge_abandoned(timedelta(days=days))
    click.echo(f"Deleted {removed} unsent draft(s) older than {days} days.")
    ended = public_sessions.purge(current_app.config["PERMANENT_SESSION_LIFETIME"])
    click.echo(f"Deleted {ended} ended browser session record(s).")


retention_group = AppGroup("retention", help="Keep complaints no longer than needed.")


@retention_group.command("run", help="Anonymise complaints that ended RETENTION_YEARS ago.")
def retention_run() -> None:
    result = retention.anonymise_expired(current_app.config["RETENTION_YEARS"])
    click.echo(f"Anonymised {result.anonymised} complaint(s); {result.held} on legal hold.")
    removed = feedback.forget_old_contacts(current_app.config["RETENTION_YEARS"])
    click.echo(f"Removed the contact details of {removed} compliment(s) or comment(s).")


@retention_group.command("hold", help="Put a complaint on legal hold, or release it.")
@click.argument("reference")
@click.option("--release", is_flag=True, help="Release the hold instead.")
@click.option("--by", "actor", required=True, help="Who is doing this (for the audit log).")
def retention_hold(reference: str, release: bool, actor: str) -> None:
    complaint = retention.set_legal_hold(reference, on=not release, actor=actor)
    if complaint is None:
        raise click.ClickException(f"No complaint has the reference {reference}.")
    state = "released from" if release else "put on"
    click.echo(f"{complaint.reference} {state} legal hold.")
