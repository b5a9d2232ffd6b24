"""Static files as production serves them: fingerprinted names, compressed, cached for a year.

At start-up every file in portal/static is copied once into `instance/static/` under its own
name and under a fingerprinted one (`speakup.3f9a1c2b7d4e.css`, the first 12 hex characters of
its SHA-256), each with a gzip copy beside it. WhiteNoise serves that folder at /static/ ahead
of Flask: a fingerprinted name never changes content, so it is cached for a year ("immutable");
a plain name for a minute. `url_for('static', filename='speakup.css')` gives the fingerprinted
name, so a phone downloads the stylesheet and script once until they change.

Several workers may start at once: each file is written to a temporary name and renamed, so a
reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from portal.config import HSTS, PRODUCTION
from portal.security import PERMISSIONS_POLICY

# A file needs no scripts or styles of its own (an SVG is shown as an image, not run).
STATIC_CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
COMPRESSED = {".css", ".js", ".svg", ".txt", ".json", ".html"}


def fingerprinted_name(name: str, content: bytes) -> str:
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


def _write(path: Path, content: bytes) -> None:
    if path.exists() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


_GZIPPED: dict[bytes, bytes] = {}  # each file's content, compressed once per process


def _gzip(content: bytes) -> bytes:
    key = hashlib.sha256(content).digest()
    if key not in _GZIPPED:
        _GZIPPED[key] = Compressor.compress_gzip(content)
    return _GZIPPED[key]


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy `source` into `target` with fingerprinted and gzip copies; return the manifest
    {name: fingerprinted name} (names relative to the folder, with forward slashes)."""
    manifest = {}
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        content = path.read_bytes()
        hashed = fingerprinted_name(name, content)
        manifest[name] = hashed
        for written in (name, hashed):
            _write(target / written, content)
            if path.suffix in COMPRESSED:
                _write(target / f"{written}.gz", _gzip(content))
    return manifest


def _security_headers(production: bool):
    """The headers every response carries (portal/security.py), for files too."""

    def add(headers, path: str, url: str) -> None:
        headers["Content-Security-Policy"] = STATIC_CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = PERMISSIONS_POLICY
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            headers["Strict-Transport-Security"] = HSTS

    return add


def init_app(app: Flask) -> None:
    """Build the served copy and put WhiteNoise in front of the app for /static/."""
    target = Path(app.instance_path) / "static"
    manifest = build(Path(app.static_folder), target)
    app.extensions["static_manifest"] = manifest

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(target),
        prefix="static/",
        max_age=60,
        immutable_file_test=lambda path, url: bool(FINGERPRINTED.search(url)),
        add_headers_function=_security_headers(app.config["ENVIRONMENT"] == PRODUCTION),
    )
