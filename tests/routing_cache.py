"""URL builders compiled once per test process, not once per app.

Every test builds its own app, and werkzeug compiles two small Python functions for every URL
rule of every app it binds (`Rule._compile_builder`: an AST put together, then compile()): two
thirds of `create_app()`'s time, and about 2,000 apps are made in a run. What it compiles is
decided by the rule alone: its text (which names the function), its `_trace` (the parsed
static and variable parts), the names in its `defaults`, and whether unknown arguments go in
the query string; the function it returns reads the converters from the rule it is bound to
(`.self._converters[...]`), never from the rule it was compiled for. So a rule with the same
text, trace and default names gets a function with the same code: this module keeps each
compiled function and hands a new function made from its code to the next rule like it.

A rule whose defaults fill in one of its own variables (werkzeug folds the converted value in
as a constant) is compiled as usual, as is everything when werkzeug is not the version this
was checked against. tests/test_routing_cache.py checks, rule by rule on the real app, that
the code handed out is the code werkzeug compiles.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from importlib.metadata import version

from werkzeug.routing.rules import Rule

CHECKED_WITH = "3.1."  # werkzeug/routing/rules.py read for this: _compile_builder, compile
_original = Rule._compile_builder
_compiled: dict[tuple, Callable] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple | None:
    defaults = rule.defaults or {}
    if any(is_dynamic and data in defaults for is_dynamic, data in rule._trace):
        return None  # a default folded in as a constant: compiled as usual
    return (append_unknown, rule.rule, tuple(rule._trace), tuple(str(k) for k in defaults))


@functools.wraps(_original)
def _compile_builder(self: Rule, append_unknown: bool = True) -> Callable:
    key = _key(self, append_unknown)
    if key is None:
        return _original(self, append_unknown)
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = _original(self, append_unknown)
    # A function of its own, as werkzeug makes one per rule: same code, fresh globals.
    fresh_globals = {"__builtins__": found.__globals__["__builtins__"]}
    return types.FunctionType(found.__code__, fresh_globals, found.__name__, found.__defaults__)


def install() -> bool:
    """Share compiled builders in this process; False (nothing changed) on another werkzeug."""
    if not version("werkzeug").startswith(CHECKED_WITH):
        return False
    Rule._compile_builder = _compile_builder
    return True
