"""tools/check_safety_live.py types sentences into a served portal, as issue 12's independent
check does: the page after a risky answer shows the safety help and the case is urgent in the
staff area; a calm answer gets neither; every complaint is sent."""

from __future__ import annotations

import threading

from werkzeug.serving import make_server

from portal.services import staff as accounts
from tools import check_safety_live

SENTENCES = """language = "{language}"
sentences = [
{rows}
]
"""


def _batch(tmp_path, language: str, rows: list[tuple[str, str]]):
    path = tmp_path / f"{language}.toml"
    lines = ",\n".join(f'  {{ expect = "{expect}", text = "{text}" }}' for expect, text in rows)
    path.write_text(SENTENCES.format(language=language, rows=lines), encoding="utf-8")
    return path


def test_sentences_typed_into_the_served_portal_are_screened_and_sent(app, tmp_path):
    with app.app_context():
        accounts.create("checker@council.example", "Checker", "manager", "a long test password")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    files = [
        _batch(
            tmp_path,
            "en",
            [
                ("harm_from_others", "my stepdad punches me when he is drunk"),
                ("self_harm", "i want to kill myself tonight"),
                ("calm", "my brother beat me at FIFA again"),
                ("calm", "my social worker never rings me back"),
            ],
        ),
        _batch(tmp_path, "pl", [("harm_from_others", "ojczym mnie bije codziennie")]),
    ]
    try:
        results = check_safety_live.check(
            f"http://127.0.0.1:{server.server_port}",
            files,
            "checker@council.example",
            "a long test password",
            visitors=2,
        )
    finally:
        server.shutdown()
    assert [r.problem for r in results] == [None] * 5
    assert all(r.reference for r in results)
    assert [(r.text[:12], r.help_shown, r.urgent) for r in results] == [
        ("my stepdad p", True, True),
        ("i want to ki", True, True),
        ("my brother b", False, False),
        ("my social wo", False, False),
        ("ojczym mnie ", True, True),
    ]
