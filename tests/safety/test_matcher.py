"""The safety phrase matcher: what must and must not match, in every language with a list."""

from __future__ import annotations

import pytest

from portal.safety.matcher import PHRASES, matching_lists, normalise, phrase_lists

MUST_MATCH = [
    # English: plain, misspelt, oddly spaced, shouted, stretched, with look-alike digits.
    pytest.param("My stepdad hits me when mum is at work", "harm_from_others", id="en_hits_me"),
    pytest.param("he hitts me", "harm_from_others", id="en_misspelt_hits"),
    pytest.param("SHE HURTS ME", "harm_from_others", id="en_capitals"),
    pytest.param(
        "he touched me and said keep it a secret", "harm_from_others", id="en_touched_secret"
    ),
    pytest.param("Im scared to go hoem", "harm_from_others", id="en_scared_home_typo"),
    pytest.param("i wanna dieeeee", "self_harm", id="en_stretched_letters"),
    pytest.param("sometimes i want to kil myself", "self_harm", id="en_kil_myself"),
    pytest.param("k i l l my self", "self_harm", id="en_spaced_letters"),
    pytest.param("killmyself", "self_harm", id="en_no_spaces"),
    pytest.param("I have been self-harming again", "self_harm", id="en_self_harming"),
    pytest.param("I don't want to be alive", "self_harm", id="en_apostrophe"),
    pytest.param("I dont feel safe at home", "immediate_danger", id="en_dont_feel_safe"),
    pytest.param("he said he is gonna kill me", "immediate_danger", id="en_gonna_kill_me"),
    pytest.param("I am in d4nger", "immediate_danger", id="en_digit_for_letter"),
    pytest.param(
        "they kicked me out and i have nowhere to sleep",
        "immediate_danger",
        id="en_nowhere_to_sleep",
    ),
    # Welsh
    pytest.param("mae e'n fy nharo i", "harm_from_others", id="cy_hits_me"),
    pytest.param("dw i eisiau marw", "self_harm", id="cy_want_to_die"),
    pytest.param("dw i ddim yn saff", "immediate_danger", id="cy_not_safe"),
    # Polish, with and without diacritics
    pytest.param("ojczym mnie bije mnie codziennie", "harm_from_others", id="pl_bije_mnie"),
    pytest.param("chce umrzec", "self_harm", id="pl_no_diacritics"),
    pytest.param("Nie jestem bezpieczna w domu", "immediate_danger", id="pl_not_safe"),
    # Arabic, with and without harakat
    pytest.param("أبي يضربني كل يوم", "harm_from_others", id="ar_hits_me"),
    pytest.param("أُرِيدُ أَنْ أَمُوتَ", "self_harm", id="ar_with_harakat"),
    pytest.param("انا لست بامان", "immediate_danger", id="ar_not_safe_plain_alef"),
]

MUST_NOT_MATCH = [
    pytest.param("My social worker keeps cancelling our visits", id="en_cancelled_visits"),
    pytest.param("I want to see my brother more", id="en_see_brother"),
    pytest.param("The school trip was cancelled", id="en_school_trip"),
    pytest.param("Nobody listens to me", id="en_nobody_listens"),
    pytest.param("I hate broccoli at my foster home", id="en_broccoli"),
    pytest.param("I am waiting for my leaving care grant", id="en_grant"),
    pytest.param("Chcę częściej widzieć mamę", id="pl_see_mum"),
    pytest.param("Dw i eisiau gweld fy mam", id="cy_see_mum"),
    pytest.param("أريد أن أرى أخي", id="ar_see_brother"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), MUST_MATCH)
def test_phrases_that_must_match(text, expected):
    assert expected in matching_lists(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_phrases_that_must_not_match(text):
    assert matching_lists(text) == []


def test_every_language_file_has_all_three_lists():
    files = sorted(p.stem for p in PHRASES.glob("*.toml"))
    assert files == ["ar", "cy", "en", "pl"]
    lists = phrase_lists()
    assert set(lists) == {"harm_from_others", "self_harm", "immediate_danger"}
    assert all(len(phrases) >= 5 for phrases in lists.values())


def test_normalise_forgives_case_accents_apostrophes_and_repeats():
    assert normalise("DON’T  Héllo!!  sooooo") == ["dont", "hello", "soo"]
