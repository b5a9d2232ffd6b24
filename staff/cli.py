"""Staff commands: `flask --app portal staff add EMAIL --role manager`, and the load-test seed."""

from __future__ import annotations

import secrets

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.services import staff as accounts
from portal.services import tracker
from portal.types import StaffRole

staff_group = AppGroup("staff", help="Staff accounts.")
tracker_group = AppGroup("tracker", help="The case tracker.")
DEMO_EMAIL = "demo.manager@council.example"


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_group)
    app.cli.add_command(tracker_group)


@staff_group.command("add", help="Create a staff account and print its one-time set-up link.")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), required=True)
@click.option("--name", default="", help="Their name as colleagues know it.")
def staff_add(email: str, role: str, name: str) -> None:
    """The person chooses their own password through the link: nobody else ever knows it."""
    try:
        user = accounts.create(email, name, role, by="cli")
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from problem
    link = accounts.new_set_up_link(user, "cli", send=False)
    click.echo(f"Created {user.email} as {user.role}.")
    _print_link(link)


def _print_link(link: str) -> None:
    hours = accounts.set_up_hours()
    click.echo(
        f"Give them this set-up link (it works once, for {hours} hours; only they should see it):"
        f"\n  {link}"
    )


@staff_group.command("set-up-link", help="Make a fresh set-up link (older links stop working).")
@click.argument("email")
def staff_set_up_link(email: str) -> None:
    """For a link that expired, or a forgotten password. Two-step sign-in still applies."""
    user = accounts.by_email(email)
    if user is None or user.disabled:
        raise click.ClickException(f"There is no active account for {email}.")
    _print_link(accounts.new_set_up_link(user, "cli", send=False))


@staff_group.command("reset-two-step", help="Remove someone's second factor (lost phone).")
@click.argument("email")
def staff_reset_two_step(email: str) -> None:
    user = accounts.by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    accounts.reset_two_step(user, "cli")
    click.echo(f"Two-step sign-in reset for {email}. Their sessions have ended.")


@staff_group.command("disable", help="Disable an account and end its sessions at once.")
@click.argument("email")
def staff_disable(email: str) -> None:
    if accounts.disable(email, actor="cli") is None:
        raise click.ClickException(f"There is no account for {email}.")
    click.echo(f"Disabled {email}. Their sessions have ended.")


@staff_group.command("demo", help="For local use: create a demo manager on an empty database.")
def staff_demo() -> None:
    """Used by `make run`. Never in production, and only when there are no accounts yet."""
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("Demo accounts are never made in production.")
    if accounts.count() > 0:
        return
    password = secrets.token_urlsafe(12)
    accounts.create(DEMO_EMAIL, "Demo Manager", StaffRole.MANAGER, password, by="make run")
    click.echo(
        "\nA demo complaints manager was made for this local copy. It is shown only once:\n"
        f"  sign in at /staff/sign-in\n  email:    {DEMO_EMAIL}\n  password: {password}\n"
    )


@tracker_group.command("seed", help="Add made-up complaints to load-test the tracker.")
@click.argument("count", type=click.IntRange(min=1, max=1_000_000))
def tracker_seed(count: int) -> None:
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("Made-up complaints are never added in production.")
    made = tracker.seed(count)
    click.echo(f"Added {made} made-up complaints.")
