"""Every /staff route is protected: a guard test over the whole URL map."""

from __future__ import annotations

import pytest

from staff import auth

pytestmark = pytest.mark.pages

# Endpoints any signed-in member of staff may use, whatever their role.
ANY_ROLE = {"staff.home", "staff.sign_out"}
FAKE_ARGS = {
    "reference": "SU-ABCD-EFGH",
    "action": "acknowledge",
    "request_id": 1,
    "user_id": 1,
    "feedback_id": 1,
    "token": "not-a-token",
}


def _staff_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]
    assert len(rules) >= 10, "the staff area has lost its routes"
    return rules


def _url(rule) -> str:
    return rule.build({a: FAKE_ARGS[a] for a in rule.arguments})[1]


def test_every_staff_route_sends_strangers_to_sign_in(app):
    client = app.test_client()
    checked = 0
    for rule in _staff_rules(app):
        if rule.endpoint in auth.OPEN_ENDPOINTS:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            if method == "POST":
                # CSRF is checked first, and refuses too; with a token the guard still refuses.
                assert response.status_code in (303, 400), (rule, method)
            else:
                assert response.status_code == 303, (rule, method)
                assert response.location.startswith("/staff/sign-in"), rule
            checked += 1
    assert checked >= 10


def test_every_staff_view_says_which_roles_may_use_it(app):
    for rule in _staff_rules(app):
        if rule.endpoint in auth.OPEN_ENDPOINTS | ANY_ROLE:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "allowed_roles", None), f"{rule.endpoint} has no role check"


def test_posts_without_a_session_are_refused_even_with_a_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    for rule in _staff_rules(app):
        if "POST" in rule.methods and rule.endpoint not in auth.OPEN_ENDPOINTS:
            response = client.post(_url(rule), data={"version": "1"})
            assert response.status_code == 303, rule
            assert response.location.startswith("/staff/sign-in"), rule


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        ("officer", "/staff/accounts", 403),
        ("investigator", "/staff/accounts", 403),
        ("admin", "/staff/cases", 403),
        ("manager", "/staff/accounts", 403),
    ],
)
def test_roles_only_reach_their_own_pages(app, make_staff, role, path, status):
    from tests.staff.conftest import sign_in

    person = sign_in(app, make_staff(role))
    page = person.get(path, expect=status)
    assert page.h1 == "This page is not for your role"
