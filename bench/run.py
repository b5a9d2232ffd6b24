"""Speak Up benchmarks: `make bench`. Figures, not pass/fail tests; quote them in notes.

Measures the safety matcher (run on every free-text save) and the journey's pages through the
WSGI app on a throwaway SQLite database.
"""

from __future__ import annotations

import random
import statistics
import string
import tempfile
import time
from collections.abc import Callable

from portal import create_app
from portal.migrate import upgrade
from portal.safety.matcher import matching_lists, phrase_lists


def _timed(label: str, fn: Callable[[], object], repeat: int) -> None:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1] if len(samples) >= 20 else samples[-1]
    print(f"{label:<48} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def bench_matcher() -> None:
    phrase_lists()
    rng = random.Random(2026)  # noqa: S311 - test data, not secrets
    calm = "My social worker keeps cancelling our visits and nobody listens to me. "
    everyday = (calm * 80)[:5000]
    vocab = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(2000)
    ]
    _timed("matcher: one sentence", lambda: matching_lists(calm), 200)
    _timed("matcher: 5,000 characters of everyday words", lambda: matching_lists(everyday), 50)
    _timed(
        "matcher: 5,000 characters, all new words (worst)",
        lambda: matching_lists(" ".join(rng.choice(vocab) for _ in range(800))[:5000]),
        30,
    )


def bench_pages() -> None:
    folder = tempfile.mkdtemp(prefix="speakup-bench-")
    url = f"sqlite:///{folder}/bench.db"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    _timed("page: GET /chat/who (render a question)", lambda: client.get("/chat/who"), 200)
    client.post("/chat/who", data={"answer": "self"})
    client.post("/chat/self_status", data={"answer": "looked_after"})
    client.post("/chat/age", data={"answer": "12_15"})
    client.post("/chat/topics", data={"answer": "home"})
    _timed(
        "page: POST /chat/what_happened (save + check)",
        lambda: client.post("/chat/what_happened", data={"answer": "Visits cancelled. " * 50}),
        100,
    )
    app.extensions["database"][0].dispose()


if __name__ == "__main__":
    print("Speak Up benchmarks (one process, in-process WSGI client, SQLite)")
    bench_matcher()
    bench_pages()
