"""The URL builders shared between the tests' apps (tests/routing_cache.py) are, rule by rule,
the code werkzeug compiles for that rule."""

from __future__ import annotations

from werkzeug.routing.rules import Rule

from portal import create_app
from tests import routing_cache


def test_every_rule_gets_the_code_werkzeug_compiles_for_it(tmp_path):
    assert Rule._compile_builder is routing_cache._compile_builder, (
        "werkzeug is not the version tests/routing_cache.py was checked against: read its "
        "routing/rules.py (Rule.compile, Rule._compile_builder) again and update CHECKED_WITH"
    )
    apps = [
        create_app(
            {
                "TESTING": True,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "DATABASE_URL": "sqlite:///" + str(tmp_path / "test.db"),
                "SECRET_KEY": "test-secret-key-not-for-production",
                "SERVER_NAME": "speakup.test",
            }
        )
        for _ in range(2)  # the second app's builders all come from the cache
    ]
    rules = [rule for app in apps for rule in app.url_map.iter_rules()]
    assert len(rules) > 50
    for rule in rules:
        for append_unknown, built in ((False, rule._build), (True, rule._build_unknown)):
            werkzeugs = routing_cache._original(rule, append_unknown)
            assert built.__func__.__code__ == werkzeugs.__code__, (rule.rule, append_unknown)
            assert built.__func__ is not werkzeugs
    shared = {id(rule._build.__func__.__code__) for rule in apps[1].url_map.iter_rules()}
    assert shared <= {id(f.__code__) for f in routing_cache._compiled.values()}
