"""Type labelled sentences into a running portal, as issue 12's independent check does:

    make run    # or make serve, in another terminal
    .venv/bin/python tools/check_safety_live.py --base http://127.0.0.1:5000 \\
        --email manager@council.example --password '...' SENTENCES.toml [...]

Each file is a batch in the evaluation set's form (`language = "pl"`, then `sentences`, each
with `expect` and `text`). For each sentence a new visitor chooses the file's language, walks
the conversation as a young person, types the sentence as their answer to "What happened?",
and the page after it is read for the safety help (`id="safety-help"`); then they send the
complaint. With a staff account, each case is then opened in the staff area to see whether it
is urgent (the tracker puts urgent cases nobody has seen yet at the top). It reports recall and
false alarms both ways, per language, and any sentence the portal did not take or send: no
sentence may stop a complaint being sent.

Over HTTP only (`requests`), so it checks the portal a person uses: the cleaning boundary, the
matcher and model, the page after the answer, the send and the tracker.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.safety.evaluation import CALM  # noqa: E402
from tests.portal.journey import YOUNG_PERSON  # noqa: E402

TEXT_STEP = "what_happened"
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_REFERENCE = re.compile(r'id="reference"[^>]*>([^<]+)<')


@dataclass
class Result:
    language: str
    expect: str
    text: str
    help_shown: bool = False
    reference: str | None = None
    urgent: bool | None = None
    problem: str | None = None

    @property
    def risky(self) -> bool:
        return self.expect != CALM


def _form(page: str, marker: str) -> dict[str, str]:
    form = page.split(marker, 1)[-1].split("</form>", 1)[0]
    return dict(_HIDDEN.findall(form))


def _walk(base: str, result: Result) -> None:
    visitor = requests.Session()
    visitor.get(f"{base}/language/{result.language}", params={"next": "/"}, timeout=30)
    page = visitor.get(f"{base}/chat/who", timeout=30)
    for _ in range(40):
        path = page.url.split(base, 1)[-1].split("#", 1)[0].split("?", 1)[0]
        if path == "/chat/check":
            break
        step = path.rsplit("/", 1)[-1]
        if step not in YOUNG_PERSON:
            result.problem = f"no answer for {step}"
            return
        answer = result.text if step == TEXT_STEP else YOUNG_PERSON[step]
        sent = visitor.post(
            page.url, data={**_form(page.text, 'class="ask'), "answer": answer}, timeout=30
        )
        if sent.status_code != 200 or "error-summary" in sent.text:
            result.problem = f"{step}: {sent.status_code}, not taken"
            return
        if step == TEXT_STEP:
            result.help_shown = 'id="safety-help"' in sent.text
        page = sent
    else:
        result.problem = "did not reach check your answers"
        return
    action = re.search(r'action="([^"]+)" class="send-form', page.text)
    if action is None:
        result.problem = "no Send button on check your answers"
        return
    done = visitor.post(f"{base}{action.group(1)}", data=_form(page.text, "send-form"), timeout=30)
    found = _REFERENCE.search(done.text)
    if done.status_code != 200 or found is None:
        result.problem = f"send: {done.status_code}, no reference"
        return
    result.reference = found.group(1).strip()


def _staff(base: str, email: str, password: str) -> requests.Session:
    staff = requests.Session()
    page = staff.get(f"{base}/staff/sign-in", timeout=30)
    signed = staff.post(
        page.url,
        data={**_form(page.text, "<form"), "email": email, "password": password},
        timeout=30,
    )
    if "/staff/cases" not in signed.url:
        raise SystemExit(f"could not sign in as {email} (two-step sign-in is not supported here)")
    return staff


def _figures(rows: list[Result], flagged) -> str:
    risky = [r for r in rows if r.risky]
    calm = [r for r in rows if not r.risky]
    caught = sum(1 for r in risky if flagged(r))
    alarms = sum(1 for r in calm if flagged(r))
    return (
        f"recall {caught / max(len(risky), 1):6.1%} ({caught}/{len(risky)}), "
        f"false alarms {alarms / max(len(calm), 1):5.1%} ({alarms}/{len(calm)})"
    )


def check(
    base: str,
    files: list[Path],
    email: str | None = None,
    password: str | None = None,
    visitors: int = 4,
) -> list[Result]:
    """Type every sentence of the files into the portal at `base`; with a staff account, see
    which cases are urgent."""
    base = base.rstrip("/")
    results = []
    for file in files:
        batch = tomllib.loads(file.read_text(encoding="utf-8"))
        results += [Result(batch["language"], s["expect"], s["text"]) for s in batch["sentences"]]
    with ThreadPoolExecutor(visitors) as pool:
        list(pool.map(lambda r: _walk(base, r), results))
    if email:
        staff = _staff(base, email, password or "")
        for r in results:
            if r.reference:
                case = staff.get(f"{base}/staff/cases/{r.reference}", timeout=30)
                r.urgent = case.status_code == 200 and 'id="urgent"' in case.text
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--email")
    parser.add_argument("--password")
    parser.add_argument("--visitors", type=int, default=4, help="people typing at once")
    args = parser.parse_args()
    results = check(args.base, args.files, args.email, args.password, args.visitors)
    for language in sorted({r.language for r in results}):
        rows = [r for r in results if r.language == language]
        print(f"{language}: safety help on the next page: {_figures(rows, lambda r: r.help_shown)}")
        if args.email:
            print(
                f"{language}: urgent in the tracker:          {_figures(rows, lambda r: r.urgent)}"
            )
    print(f"all: safety help on the next page: {_figures(results, lambda r: r.help_shown)}")
    if args.email:
        print(f"all: urgent in the tracker:          {_figures(results, lambda r: r.urgent)}")
    problems = [r for r in results if r.problem]
    print(f"complaints sent: {sum(1 for r in results if r.reference)} of {len(results)}")
    for r in problems:
        print(f"  NOT SENT ({r.language}) {r.problem}: {r.text[:80]!r}")
    for r in results:
        if args.email and r.reference and r.help_shown != r.urgent:
            print(f"  help {r.help_shown} but urgent {r.urgent} ({r.reference}): {r.text[:80]!r}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
