"""Production means production: settings it cannot run without, cookies, HSTS, hosts, proxies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app, links
from portal.config import HSTS, ConfigError, from_environment
from tests.conftest import ON_POSTGRESQL

PUBLIC = "https://speakup.somewhere-council.gov.uk"
STAFF = "https://staff.somewhere-council.gov.uk"
# Every setting production insists on, as a council would set them.
PRODUCTION = {
    "SPEAKUP_ENV": "production",
    "SECRET_KEY": "a" * 64,
    "PUBLIC_BASE_URL": PUBLIC,
    "DATABASE_URL": "postgresql+psycopg://speakup@db.internal/speakup",
    "DUTY_TEAM_EMAIL": "duty.team@somewhere-council.gov.uk",
    "COUNCIL_OUT_OF_HOURS_PHONE": "0300 555 0199",
    "CHILDRENS_SERVICES_PHONE": "0300 555 0111",
    "COUNCIL_COMPLAINTS_PHONE": "0300 555 0100",
    "COUNCIL_COMPLAINTS_EMAIL": "complaints@somewhere-council.gov.uk",
    "ADVOCACY_SERVICE_CONTACT": "0808 555 0123",
}
REQUIRED = [name for name in PRODUCTION if name != "SPEAKUP_ENV"]
# Everything from_environment reads, so the tests do not depend on the shell they run in.
ALL_SETTINGS = [*PRODUCTION, "STAFF_BASE_URL", "TRUSTED_PROXIES", "SESSION_COOKIE_SECURE"]


@pytest.fixture
def environ(monkeypatch, tmp_path):
    """A clean environment: none of the settings set, and a throwaway instance folder."""
    for name in ALL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPEAKUP_INSTANCE_PATH", str(tmp_path / "instance"))

    def set_all(**settings: str) -> None:
        for name, value in settings.items():
            monkeypatch.setenv(name, value)

    return set_all


def _refusal(**settings: str) -> str:
    with pytest.raises(ConfigError) as refused:
        create_app(settings)
    return str(refused.value)


def _named(message: str) -> list[str]:
    """The settings a refusal lists, one a line: "  NAME (why)"."""
    return [line.split()[0] for line in message.splitlines()[1:]]


def test_production_with_nothing_set_refuses_to_start_naming_every_setting(environ):
    environ(SPEAKUP_ENV="production")
    message = _refusal()
    assert _named(message) == REQUIRED, message
    assert "STAFF_BASE_URL" not in message, "optional: falls back to PUBLIC_BASE_URL"


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_setting_is_named_on_its_own(environ, missing):
    environ(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert _named(_refusal()) == [missing]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DATABASE_URL", "sqlite:///instance/speakup.db"),
        ("DUTY_TEAM_EMAIL", "duty-team@council.example"),  # the local default
        ("DUTY_TEAM_EMAIL", "alerts@example.org"),
        ("COUNCIL_COMPLAINTS_EMAIL", "complaints@council.example"),
        ("PUBLIC_BASE_URL", "http://speakup.somewhere-council.gov.uk"),
        ("STAFF_BASE_URL", "http://127.0.0.1:5000"),  # the local default
        ("SECRET_KEY", "short"),
        ("COUNCIL_OUT_OF_HOURS_PHONE", "   "),
    ],
)
def test_local_defaults_and_examples_are_refused_in_production(environ, setting, value):
    environ(**{**PRODUCTION, setting: value})
    assert _named(_refusal()) == [setting]


def test_production_set_in_the_settings_rather_than_the_environment_is_checked_too(environ):
    assert _named(_refusal(ENVIRONMENT="production")) == REQUIRED


def test_an_unknown_environment_name_is_refused_not_run_as_local(environ):
    environ(SPEAKUP_ENV="prod")
    assert "SPEAKUP_ENV" in _refusal()


def test_the_flask_command_exits_naming_the_missing_settings(tmp_path):
    flask = Path(sys.executable).parent / "flask"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SPEAKUP_ENV": "production",
        "SPEAKUP_INSTANCE_PATH": str(tmp_path / "instance"),
        "PUBLIC_BASE_URL": PUBLIC,
    }
    result = subprocess.run(
        [str(flask), "--app", "portal", "routes"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    for name in [n for n in REQUIRED if n != "PUBLIC_BASE_URL"]:
        assert name in result.stderr, f"{name} not named:\n{result.stderr}"
    assert "PUBLIC_BASE_URL (" not in result.stderr, "it was set"
    assert "/chat/" not in result.stdout, "no routes: the app never started"


def test_a_fully_configured_production_app_starts(environ):
    environ(**PRODUCTION)
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-su_session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["TRUSTED_HOSTS"] == ["speakup.somewhere-council.gov.uk"]
    assert app.config["STAFF_BASE_URL"] == "", "no local default in production"
    assert not (Path(app.instance_path) / "secret_key").exists(), "never generated in production"
    app.extensions["database"][0].dispose()


def test_local_defaults_still_work_in_one_step(environ, tmp_path):
    settings = from_environment(str(tmp_path))
    assert settings["ENVIRONMENT"] == "local"
    assert settings["DATABASE_URL"].startswith("sqlite:///")
    assert settings["STAFF_BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["DUTY_TEAM_EMAIL"] == "duty-team@council.example"
    assert settings["TRUSTED_PROXIES"] == 0
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["SESSION_COOKIE_NAME"] == "su_session"
    assert app.config["TRUSTED_HOSTS"] is None
    assert len(app.config["SECRET_KEY"]) == 64


# Over HTTP, on a real PostgreSQL (production refuses SQLite).


@pytest.fixture
def production(make_app, database_url, monkeypatch):
    for name in ALL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    settings = {k: v for k, v in PRODUCTION.items() if k != "SPEAKUP_ENV"}
    return make_app(
        ENVIRONMENT="production",
        SERVER_NAME=None,
        **{**settings, "DATABASE_URL": database_url, "STAFF_BASE_URL": STAFF},
    )


def _get(app, path: str, host: str = "speakup.somewhere-council.gov.uk", **kwargs):
    return app.test_client().get(path, base_url=f"https://{host}", **kwargs)


@ON_POSTGRESQL
def test_the_session_cookie_is_host_only_and_secure(production):
    response = _get(production, "/chat/who")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-su_session=")
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in attributes and "path=/" in attributes and "httponly" in attributes
    assert not any(part.startswith("domain=") for part in attributes)


@ON_POSTGRESQL
def test_the_language_cookie_is_host_only_and_secure_and_is_read_back(production):
    client = production.test_client()
    base = f"https://{PUBLIC.removeprefix('https://')}"
    response = client.get("/language/cy?next=/", base_url=base)
    cookies = response.headers.getlist("Set-Cookie")
    lang = [c for c in cookies if "lang=" in c]
    assert len(lang) == 1 and lang[0].startswith("__Host-lang=cy;"), cookies
    attributes = [part.strip().lower() for part in lang[0].split(";")]
    assert "secure" in attributes and "path=/" in attributes
    assert not any(part.startswith("domain=") for part in attributes)
    assert 'lang="cy"' in client.get("/", base_url=base).get_data(as_text=True)
    stranger = production.test_client()
    stranger.set_cookie("lang", "cy", domain="speakup.somewhere-council.gov.uk")
    page = stranger.get("/", base_url=base).get_data(as_text=True)
    assert 'lang="en"' in page, "a cookie without the __Host- prefix is not trusted"


@ON_POSTGRESQL
@pytest.mark.parametrize(
    "path", ["/", "/chat/who", "/static/speakup.css", "/nope", "/exit", "/staff/sign-in"]
)
def test_every_response_sends_hsts(production, path):
    response = _get(production, path)
    assert response.headers["Strict-Transport-Security"] == HSTS
    response.close()


def test_a_local_copy_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@ON_POSTGRESQL
def test_only_the_configured_hosts_are_served(production):
    assert _get(production, "/").status_code == 200
    assert _get(
        production, "/staff/sign-in", host="staff.somewhere-council.gov.uk"
    ).status_code == (200)
    assert _get(production, "/", host="speakup.somewhere-council.gov.uk:443").status_code == 200
    for host in ("evil.example", "speakup.somewhere-council.gov.uk.evil.example", "localhost"):
        response = _get(production, "/", host=host)
        assert response.status_code == 400, host
        assert response.headers["Strict-Transport-Security"] == HSTS
        assert response.get_data(as_text=True) == "Bad request: unknown host.\n"
    posted = production.test_client().post("/chat/who", base_url="https://evil.example")
    assert posted.status_code == 400, "refused before the CSRF check tries to render a page"


@ON_POSTGRESQL
def test_external_links_start_with_the_configured_addresses(production):
    with production.test_request_context("/", base_url="https://speakup.somewhere-council.gov.uk"):
        assert links.public_url("pages.home") == PUBLIC + "/"
        assert links.staff_url("/staff/cases/1") == STAFF + "/staff/cases/1"
        production.config["STAFF_BASE_URL"] = ""
        assert links.staff_url("/staff/cases/1") == PUBLIC + "/staff/cases/1"


# Behind a proxy: X-Forwarded-For counts only when TRUSTED_PROXIES says a proxy sets it.


def _sign_in_codes(app, addresses: list[str]) -> list[int]:
    client = app.test_client()
    return [
        client.post(
            "/staff/sign-in",
            data={"email": "nobody@council.example", "password": "guess"},
            headers={"X-Forwarded-For": address},
        ).status_code
        for address in addresses
    ]


def _rate_limited_app(make_app, proxies: int):
    return make_app(
        STAFF_SIGN_IN_RATE="2 per minute", WTF_CSRF_ENABLED=False, TRUSTED_PROXIES=proxies
    )


def test_without_trusted_proxies_x_forwarded_for_cannot_dodge_the_rate_limit(make_app):
    app = _rate_limited_app(make_app, 0)
    assert _sign_in_codes(app, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 429]


def test_behind_one_trusted_proxy_each_real_address_is_counted(make_app):
    app = _rate_limited_app(make_app, 1)
    assert _sign_in_codes(app, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [400, 400, 400]
    assert _sign_in_codes(app, ["198.51.100.7"] * 3) == [400, 400, 429]


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_host_are_used(make_app):
    app = make_app(TRUSTED_PROXIES=1, SERVER_NAME=None)
    seen = {}

    @app.get("/_where")
    def where():
        from flask import request

        seen.update(addr=request.remote_addr, url=request.url)
        return "ok"

    app.test_client().get(
        "/_where",
        headers={
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "speakup.somewhere-council.gov.uk",
        },
    )
    assert seen == {"addr": "203.0.113.9", "url": "https://speakup.somewhere-council.gov.uk/_where"}
    local = make_app(SERVER_NAME=None)
    local.add_url_rule("/_where", view_func=where)
    local.test_client().get("/_where", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["addr"] == "127.0.0.1"


def test_the_readme_lists_every_setting_and_what_production_requires():
    root = Path(__file__).resolve().parent.parent
    source = (root / "portal" / "config.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_int|_bool|local_default)\(\s*"([A-Z0-9_]+)"', source))
    assert {"SECRET_KEY", "TRUSTED_PROXIES", "SPEAKUP_ENV", "DUTY_TEAM_EMAIL"} <= read
    readme = (root / "README.md").read_text()
    section = readme.split("## Configuration\n", 1)[1].split("\n## ", 1)[0]
    production = section.split("### Production settings\n", 1)[1]
    serving = (root / "gunicorn.conf.py").read_text()
    read |= set(re.findall(r"environ\.get\(\s*[\"']([A-Z0-9_]+)[\"']", serving))
    assert {"WEB_CONCURRENCY", "PORT", "HOST"} <= read
    assert not [name for name in read if f"`{name}`" not in section], "missing from the README"
    required = {
        line.split("`")[1]
        for line in production.splitlines()
        if line.startswith("| `") and "| **required**" in line
    }
    assert required == {*REQUIRED, "SPEAKUP_ENV"}
    assert HSTS in production and "__Host-su_session" in production


@ON_POSTGRESQL
def test_forms_work_over_https_without_a_referer(production):
    """Pages send Referrer-Policy: no-referrer, so browsers send no Referer with a form: the
    CSRF token (tied to a __Host- session cookie) is the check, not the Referer."""
    client = production.test_client()
    base = PUBLIC
    page = client.get("/chat/who", base_url=base)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    answered = client.post(
        "/chat/who", base_url=base, data={"answer": "self", "csrf_token": token.group(1)}
    )
    assert answered.status_code == 303, answered.get_data(as_text=True)[:300]
    forged = client.post("/chat/self_status", base_url=base, data={"answer": "not_sure"})
    assert forged.status_code == 400, "no token, no change"
