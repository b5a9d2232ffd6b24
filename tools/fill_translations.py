"""Fill catalogue entries from a translator's JSON file, then compile (a developer's tool).

    .venv/bin/python tools/fill_translations.py words.json

words.json maps each English msgid to its translations: {"Say thank you": {"cy": "...",
"pl": "...", "ar": "..."}}. Entries are set even when they already have a translation (so a
better word can replace an old one); msgids not in the catalogue are reported, not added:
run `make translations` first so the catalogue has them. Several people can use it at once
under `flock /tmp/speakup-po.lock`.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUES = Path(__file__).resolve().parent.parent / "portal" / "translations"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    missing = set()
    for language in ("cy", "pl", "ar"):
        po_path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
        with po_path.open("rb") as f:
            catalogue = read_po(f, locale=language)
        for msgid, words in wanted.items():
            if language not in words:
                continue
            message = catalogue.get(msgid)
            if message is None:
                missing.add(msgid)
                continue
            message.string = words[language]
            message.flags.discard("fuzzy")
        with po_path.open("wb") as f:
            write_po(f, catalogue, width=0, no_location=True, omit_header=False)
    for msgid in sorted(missing):
        print(f"not in the catalogue (run make translations): {msgid!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
