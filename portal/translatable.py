"""Words marked for translation where they are written, with no web framework in sight.

`_l("...")` returns a lazy string: it is translated into the page's language each time it is
shown, not when the module is imported. The pure modules (`portal/flows/`) use it, so they never
import Flask. The app registers the function that translates at start-up (`portal/i18n.py`);
until then, and in code that runs outside the app, the English is used as written.

`pybabel extract -k _l` (`make translations`) finds these strings like any other `_l` call.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.support import LazyProxy
from markupsafe import Markup, escape

Translate = Callable[[str], str]


def _as_written(text: str) -> str:
    return text


_translate: Translate = _as_written


def use_translation(translate: Translate | None) -> None:
    """Register the function that translates a string into the current language (None: English)."""
    global _translate  # one translator for the whole process, registered at start-up
    _translate = translate or _as_written


def _translated(text: str) -> str:
    return _translate(text)


class LazyText(LazyProxy):
    """A string translated each time it is used (never cached: the language changes per page)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"_l({self.value!r})"

    def __html__(self) -> Markup:
        """Escaped for a page, translated once: without it, escaping asks the proxy for
        `__html__` (translating it to find there is none) and then for the text (again)."""
        return escape(self.value)


def _l(text: str) -> LazyText:
    """Mark `text` for translation; it is translated when it is shown."""
    return LazyText(_translated, text, enable_cache=False)
