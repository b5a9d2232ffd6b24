"""Helpers the templates use."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime
from markupsafe import Markup, escape
from wtforms import Field

from portal import wording
from portal.flows.model import say
from portal.i18n import LANGUAGE_NAMES, gettext, locale_code, text_direction
from portal.security import csp_nonce, csrf_token

# The settings that hold numbers or addresses people are told to use, and the fixed ones.
CONTACT_SETTINGS = (
    "COUNCIL_COMPLAINTS_PHONE",
    "COUNCIL_COMPLAINTS_EMAIL",
    "COUNCIL_OUT_OF_HOURS_PHONE",
    "CHILDRENS_SERVICES_PHONE",
    "ADVOCACY_SERVICE_CONTACT",
    "OMBUDSMAN_PHONE",
)
FIXED_NUMBERS = ("0800 1111",)  # Childline


def long_date(value: date) -> str:
    """Write a date the way people say it: Wednesday 7 January 2026."""
    return format_date(value, "EEEE d MMMM y")


def long_time(value: datetime) -> str:
    """Write a moment the way people say it, in UK time: Wednesday 7 January, 16:30."""
    return format_datetime(value, "EEEE d MMMM, HH:mm")


def iso_date(value: str | date | None) -> date | None:
    """Read a date stored as text in an event's data."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def answer_lines(lines: list[Any]) -> Markup:
    """An answer as the person gave it: its lines (a date the way people say it), one under
    another, or "Skipped" when an optional question was left."""
    if not lines:
        return Markup('<span class="muted">{}</span>').format(gettext("Skipped"))
    return Markup("<br>").join(
        long_date(line) if isinstance(line, date) else line for line in lines
    )


def _said(words: Sequence[Any]) -> str:
    return "".join(f'<p class="bubble bubble-them bubble-said">{escape(w)}</p>' for w in words)


def answers_so_far(items: Sequence[Any]) -> Markup:
    """Earlier answers (present.Exchange), folded: one tap opens them (a plain <details>, so
    without JavaScript too). Written here rather than as a macro: every question page shows
    it, and calling a macro cost more than writing these few tags."""
    if not items:
        return Markup("")
    title = escape(gettext("Your answers so far"))
    exchanges = "".join(
        '<li class="exchange">'
        f'<p class="bubble bubble-them">{escape(item.question)}</p>'
        f'<p class="bubble bubble-me">{answer_lines(item.answer)}</p>'
        f"{_said(item.said)}</li>\n"
        for item in items
    )
    return Markup(  # noqa: S704 - every part put in is escaped (tests/portal/test_answers_so_far.py)
        f'<details class="so-far">\n<summary>{title}</summary>\n'
        f'<ol class="transcript" aria-label="{title}">\n{exchanges}</ol>\n</details>'
    )


def said_last(items: Sequence[Any]) -> Markup:
    """What the conversation said back last, under the folded answers."""
    if not items or not items[-1].said:
        return Markup("")
    return Markup(f'<div class="said-last">{_said(items[-1].said)}</div>')  # noqa: S704 - escaped


def first_input_id(field: Field) -> str:
    """Return the id of the first input of a field, for the error summary's link."""
    if field.type in ("ChoiceField", "MultiCheckboxField"):
        return f"{field.id}-0"
    return field.id


def _safety_help_once() -> dict[str, bool]:
    """Show the gentle safety help on the one page that follows a worrying answer."""
    if not has_request_context() or request.endpoint == "static":
        return {}
    shown = session.pop("safety_help", False)
    return {"show_safety_help": shown if shown in ("adult", "child") else bool(shown)}


def current_locale() -> str:
    return locale_code()


def is_date(value: Any) -> bool:
    return isinstance(value, date)


def _contact_parts() -> list[str]:
    parts = set(FIXED_NUMBERS)
    for name in CONTACT_SETTINGS:
        parts.update(p.strip() for p in str(current_app.config.get(name) or "").split(","))
    return sorted((p for p in parts if len(p) >= 4), key=len, reverse=True)


def _linked(part: str) -> Markup:
    shown = Markup('<bdi dir="ltr">{}</bdi>').format(part)
    digits = part.replace(" ", "").replace("-", "")
    if "@" in part and " " not in part:
        link = Markup('<a href="mailto:{}">{}</a>').format(part, shown)
    elif digits.lstrip("+").isdigit():
        link = Markup('<a class="tel" href="tel:{}">{}</a>').format(digits, shown)
    else:
        link = shown
    if part in current_app.config.get("EXAMPLE_CONTACTS", ()):
        label = gettext("(an example, not real)")
        link += Markup(' <span class="example-label">{}</span>').format(label)
    return link


def linked_contacts(text: Any) -> Markup:
    """Plain words (a rule's explanation, say) with every phone number and address from the
    settings turned into a tel: or mailto: link, kept left to right. Everything else is
    escaped, so nothing typed can become markup."""
    words = str(text)
    parts = _contact_parts()
    if not parts:
        return escape(words)
    pattern = re.compile("|".join(re.escape(p) for p in parts))
    pieces, at = [], 0
    for found in pattern.finditer(words):
        pieces += [escape(words[at : found.start()]), _linked(found.group(0))]
        at = found.end()
    pieces.append(escape(words[at:]))
    return Markup("").join(pieces)


# Rendered fragments kept per app; cleared when full (the keys are few: a language, a step).
FRAGMENTS_KEPT = 4096


def fragment_cache(app: Flask):
    """Return the `fragment` helper: `{% call fragment("name", key...) %}...{% endcall %}` renders
    its body once per key and this app, then reuses the markup.

    Only for markup that is the same for everyone who shares the key: a language, a step, the
    app's settings. Never a person's answers, names, tokens or CSRF tokens. The key always
    holds the path the app is served under, so every link it holds is right. While templates
    reload (debug), nothing is kept."""
    kept: dict[tuple, Markup] = {}

    def fragment(*key: Any, caller) -> Markup:
        if app.jinja_env.auto_reload:
            return caller()
        full = (*key, request.script_root)
        found = kept.get(full)
        if found is None:
            if len(kept) >= FRAGMENTS_KEPT:
                kept.clear()
            found = kept[full] = caller()  # markup: the body is rendered with autoescape
        return found

    return fragment


def _answer_buttons_made(step: Any, field: Field, voice: Any, multiple: bool, render) -> tuple:
    """Make a question's answer buttons with nothing chosen, and each button's input both as
    it is and chosen; None when an input's markup is not found exactly once."""
    neutral = object.__new__(type(field))  # a copy (copy.copy would make an unbound field)
    neutral.__dict__.update(field.__dict__, data=None)
    markup = render(step, neutral, voice, multiple)
    inputs = {}
    for option in neutral:
        choice = step.choice(option.data)
        hint = say(choice.hint, voice) if choice is not None and choice.hint else None
        extra = {"aria_describedby": option.id + "-hint"} if hint else {}
        plain = option(**extra)
        if markup.count(plain) != 1:
            return None
        inputs[option.data] = (plain, option(checked=True, **extra))
    return markup, inputs


def chosen_values(answer: Any) -> frozenset[str]:
    """What an answer marks chosen among a question's buttons, as WTForms marks it: one value,
    or each value of a list (a question with several answers)."""
    if isinstance(answer, str):
        return frozenset((answer,))
    if isinstance(answer, (list, tuple)):
        return frozenset(str(value) for value in answer)
    return frozenset()


def answer_buttons_cache(app: Flask):
    """Return the `answer_buttons` helper: a question's answer buttons (components/chat.html's
    choice_list), made once per step, language, voice and choices offered, then reused with
    this person's choice marked. What they chose is never kept: only the buttons, each both
    as it is and chosen. The form's field is asked for only when the buttons are made (a
    question page that shows buttons made before needs no form at all)."""
    kept: dict[tuple, tuple] = {}

    def answer_buttons(
        step: Any,
        voice: Any,
        multiple: bool,
        offered: tuple[str, ...],
        chosen: frozenset[str],
        field: Callable[[], Field],
        render: Callable[..., Markup],
    ) -> Markup:
        if app.jinja_env.auto_reload:
            return render(step, field(), voice, multiple)
        key = (id(step), step.id, str(voice), current_locale(), bool(multiple), offered)
        found = kept.get(key)
        if found is None or found[0] is not step:
            made_from = field()
            if tuple(c.value for c in made_from.iter_choices()) != offered:
                raise ValueError(f"{step.id}: the form offers other choices than the step")
            made = _answer_buttons_made(step, made_from, voice, multiple, render)
            if made is None:
                return render(step, made_from, voice, multiple)
            if len(kept) >= FRAGMENTS_KEPT:
                kept.clear()
            found = kept[key] = (step, *made)
        markup, inputs = found[1], found[2]
        for value in offered:
            if value in chosen:
                markup = markup.replace(*inputs[value], 1)  # markup for markup
        return markup

    return answer_buttons


def init_app(app: Flask) -> None:
    app.extensions["render_page"] = page_cache(app)
    app.jinja_env.globals["fragment"] = fragment_cache(app)
    app.extensions["answer_buttons"] = answer_buttons_cache(app)
    app.jinja_env.globals.update(
        say=say,
        answer_lines=answer_lines,
        answers_so_far=answers_so_far,
        first_input_id=first_input_id,
        text_direction=text_direction,
        current_locale=current_locale,
        language_names=LANGUAGE_NAMES,
        setting=wording.setting,
    )
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["iso_date"] = iso_date
    app.jinja_env.filters["long_time"] = long_time
    app.jinja_env.filters["linked_contacts"] = linked_contacts
    app.context_processor(_safety_help_once)
    app.jinja_env.tests["a_date"] = is_date


# A page made once for everyone who shares its key: markers stand where each person's own
# parts go, and are filled in on every request.
_HOLE_SPLIT = re.compile("\x00hole:([a-z_]+)\x00")
# Filled in every time, whatever the page: the per-request tokens the templates ask for.
_TOKENS = ("csrf_token", "csp_nonce")
# Pages kept per worker, cleared when full: a question page is 6-10 KB, so at most about 10 MB.
PAGES_KEPT = 1024


class _Only:
    """What a page made for many may read of the request: its path, nothing else. The
    `session` and `g` stand-ins refuse every read, so nothing personal can slip into it."""

    def __init__(self, name: str, **allowed: Any) -> None:
        self._name, self._allowed = name, allowed

    def _refuse(self, what: str) -> LookupError:
        return LookupError(f"a shared page read {self._name}{what}: make it a hole")

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if attribute in self._allowed:
            return self._allowed[attribute]
        raise self._refuse(f".{attribute}")

    def __getitem__(self, item: str) -> Any:
        raise self._refuse(f"[{item!r}]")

    def __contains__(self, item: object) -> bool:
        raise self._refuse(f" ({item!r} in it)")

    def get(self, item: str, default: Any = None) -> Any:
        raise self._refuse(f".get({item!r})")


def _plain(name: str, value: Any) -> Any:
    """A context value as part of a key: plain values only (never a form, a draft or a state)."""
    if value is None or isinstance(value, (str, int, float)):  # bool, Enum and Markup are too
        return value
    if isinstance(value, (tuple, list, frozenset)):
        return (type(value).__name__, *(_plain(name, item) for item in value))
    raise TypeError(f"{name}: a shared page takes plain values, not {type(value).__name__}")


def page_cache(app: Flask):
    """Return `render_page` (see below) with its own store for this app."""
    kept: dict[tuple, tuple[tuple, list[str]]] = {}

    def render_page(
        template_name: str,
        holes: dict[str, Any],
        declared: dict[str, Any],
        cache: bool = True,
        **plain: Any,
    ) -> str:
        context: dict[str, Any] = {**declared, **plain}
        app.update_template_context(context)
        key = None
        if cache and not app.jinja_env.auto_reload:
            added = {  # by the context processors: plain values, or the helpers they offer
                name: value
                for name, value in context.items()
                if name not in plain
                and name not in declared
                and name not in ("request", "session", "g")
                and not callable(value)
            }
            key = (
                template_name,
                current_locale(),
                request.script_root,
                request.host,
                request.full_path,
                tuple((name, id(value)) for name, value in declared.items()),
                tuple((name, _plain(name, value)) for name, value in sorted(plain.items())),
                tuple((name, _plain(name, value)) for name, value in sorted(added.items())),
            )
        found = kept.get(key) if key is not None else None
        if found is None or any(
            a is not b for a, b in zip(found[0], declared.values(), strict=True)
        ):
            markers = {name: Markup("\x00hole:{}\x00").format(name) for name in (*holes, *_TOKENS)}
            if not all(_HOLE_SPLIT.fullmatch(marker) for marker in markers.values()):
                raise ValueError(f"a hole's name is small letters and _: {list(holes)}")
            context.update(
                {name: (lambda marker=markers[name]: marker) for name in _TOKENS},
                hole=markers.__getitem__,
                request=_Only(
                    "request",
                    path=request.path,
                    full_path=request.full_path,
                    script_root=request.script_root,
                ),
                session=_Only("session"),
                g=_Only("g"),
            )
            page = app.jinja_env.get_template(template_name).render(context)
            found = (tuple(declared.values()), _HOLE_SPLIT.split(page))
            if key is not None:
                if len(kept) >= PAGES_KEPT:
                    kept.clear()
                kept[key] = found
        personal = {**holes, "csrf_token": csrf_token, "csp_nonce": csp_nonce}
        return "".join(
            part if index % 2 == 0 else str(escape(personal[part]()))
            for index, part in enumerate(found[1])
        )

    return render_page


def answer_buttons(
    step: Any,
    voice: Any,
    multiple: bool,
    offered: tuple[str, ...],
    chosen: frozenset[str],
    field: Callable[[], Field],
    render: Callable[..., Markup],
) -> Markup:
    """A question's answer buttons with this person's choice marked (answer_buttons_cache)."""
    return current_app.extensions["answer_buttons"](
        step, voice, multiple, offered, chosen, field, render
    )


def render_page(
    template_name: str,
    holes: dict[str, Any],
    declared: dict[str, Any],
    cache: bool = True,
    **plain: Any,
) -> str:
    """Render a page whose personal parts are holes: made once per key, filled in each time.

    `holes` maps a name to a callable giving this person's markup (their earlier answers,
    their answer box); the template writes `{{ hole("name") }}` where it goes. `csrf_token()`
    and `csp_nonce()` are holes too, filled with this request's tokens. `declared` holds
    things declared once for everyone (a journey's step), kept by identity; every other value
    must be plain (text, numbers, lists of them), and with the language, the path and what the
    context processors add, they make the key. While the page is made, `request` gives only
    its path, and `session` and `g` refuse every read. `cache=False` (a form with errors, say)
    makes the page the same way and keeps nothing."""
    made = current_app.extensions["render_page"]
    return made(template_name, holes, declared, cache, **plain)
