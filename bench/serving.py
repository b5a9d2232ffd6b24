"""`make bench`, part: bare Flask and `make serve` side by side, loaded with wrk.

Both run under gunicorn with 2 workers on this machine; wrk (-t2 -c20, with latency) loads
each page in turn for a few seconds, with bare Flask loaded again after each, and each page's
requests per second is reported as a ratio to the mean of the bare Flask runs either side of
it (a shared machine's speed drifts by a third within a minute), with its p99. The pages: the
home page, the third question for a visitor part way through (their cookie sent each time),
the first question for someone new (no cookie: a new session and CSRF token each time), and
the answer to the third question. Targets (issue 16): a question page at 0.30 of bare Flask
or better, an answer POST at 0.15 or better, p99 under 50 ms at 20 connections.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
ANSWERS = {"who": "self", "self_status": "looked_after", "age": "12_15"}
TARGETS = {"question page": 0.30, "first question": 0.30, "answer POST": 0.15}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def _hidden(page: str) -> dict[str, str]:
    form = page.split('class="ask', 1)[-1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def _third_question(base: str) -> tuple[str, str, str]:
    """Walk to the third question as a person would: its path, the cookie and the form body."""
    browser = requests.Session()
    page = browser.get(f"{base}/chat/who")
    for _ in range(2):
        step = urlsplit(page.url).path.rsplit("/", 1)[-1]
        page = browser.post(page.url, data={**_hidden(page.text), "answer": ANSWERS[step]})
    path = urlsplit(page.url).path
    again = browser.get(f"{base}{path}", allow_redirects=False)
    assert again.status_code == 200 and 'class="ask' in again.text, "not a question page"
    step = path.rsplit("/", 1)[-1]
    body = urlencode({**_hidden(page.text), "answer": ANSWERS.get(step, "12_15")})
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    return path, cookie, body


def _wrk(url: str, seconds: int, connections: int, headers: dict, script: Path | None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    found = {}
    for share in ("50", "99"):
        match = re.search(rf"\s{share}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        found[share] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": found["50"],
        "p99": found["99"],
        "errors": int(bad.group(1)) if bad else 0,
    }


def bench_serving(seconds: int = 10, connections: int = 20) -> None:
    if shutil.which("wrk") is None:
        print("serving: wrk is not installed (apt-get install wrk); skipped")
        return
    folder = Path(tempfile.mkdtemp(prefix="speakup-serving-"))
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    hello_port, serve_port = _free_port(), _free_port()
    hello = _start(
        [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{hello_port}", "bench.hello:app"],
        env,
        folder / "hello.log",
    )
    serve = _start(
        ["make", "--no-print-directory", "serve"],
        {
            **env,
            "PORT": str(serve_port),
            "WEB_CONCURRENCY": "2",
            "SPEAKUP_INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": f"sqlite:///{folder}/serve.db",
        },
        folder / "serve.log",
    )
    try:
        deadline = time.monotonic() + 120
        _wait(f"http://127.0.0.1:{hello_port}/", deadline)
        base = f"http://127.0.0.1:{serve_port}"
        _wait(f"{base}/healthz", deadline)
        path, cookie, body = _third_question(base)
        post = folder / "post.lua"
        post.write_text(
            f'wrk.method = "POST"\nwrk.body = {body!r}\n'.replace("'", '"')
            + 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        runs = [
            ("bare Flask", f"http://127.0.0.1:{hello_port}/", {}, None),
            ("home page", f"{base}/", {}, None),
            ("question page", f"{base}{path}", {"Cookie": cookie}, None),
            # The first question for someone new: no cookie, so a new session and token each.
            ("first question", f"{base}/chat/who", {}, None),
            ("answer POST", f"{base}{path}", {"Cookie": cookie}, post),
        ]
        print(
            f"serving: wrk -t2 -c{connections} -d{seconds}s, gunicorn with 2 workers each; "
            "bare Flask is loaded again after each page, and each ratio is to the mean of the "
            "bare Flask runs either side of it (a shared machine's speed drifts)"
        )
        (_, bare_url, _, _), pages = runs[0], runs[1:]
        before = _wrk(bare_url, seconds, connections, {}, None)
        print(
            f"  {'bare Flask':<14} {before['rps']:8.0f} req/s  ratio 1.000  "
            f"p50 {before['p50']:6.1f} ms  p99 {before['p99']:6.1f} ms"
        )
        for label, url, headers, script in pages:
            found = _wrk(url, seconds, connections, headers, script)
            after = _wrk(bare_url, seconds, connections, {}, None)
            bare = (before["rps"] + after["rps"]) / 2
            before = after
            ratio = found["rps"] / bare
            target = TARGETS.get(label)
            verdict = (
                ""
                if target is None
                else (
                    f"  target {target:.2f}: {'met' if ratio >= target else 'NOT met'}"
                    f"; p99 {'met' if found['p99'] < 50 else 'NOT met'}"
                )
            )
            print(
                f"  {label:<14} {found['rps']:8.0f} req/s  ratio {ratio:5.3f}  "
                f"p50 {found['p50']:6.1f} ms  p99 {found['p99']:6.1f} ms  "
                f"non-2xx/3xx {found['errors']}{verdict}  (bare Flask then {after['rps']:.0f})"
            )
    finally:
        _stop(hello)
        _stop(serve)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    bench_serving()
