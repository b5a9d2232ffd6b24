"""The safety matcher: concepts in every form and language, however they are typed."""

from __future__ import annotations

import tomllib

import pytest

from portal.safety import build_forms
from portal.safety.matcher import (
    LISTS,
    PHRASES,
    Matcher,
    compiled,
    list_matches,
    matching_lists,
    normalise,
    phrase_lists,
)
from portal.safety.wordforms import (
    arabic_keys,
    arabic_stems,
    arabizi_keys,
    arabizi_parts,
    english_forms,
    looks_arabizi,
    unleet,
    welsh_mutations,
)

HARM, SEXUAL, CRIMINAL, SELF, DANGER, NEGLECT = LISTS

MUST_MATCH = [
    # English: plain, misspelt, oddly spaced, shouted, stretched, with look-alike digits.
    pytest.param("My stepdad hits me when mum is at work", HARM, id="en_hits_me"),
    pytest.param("he hitts me", HARM, id="en_misspelt_hits"),
    pytest.param("SHE HURTS ME", HARM, id="en_capitals"),
    pytest.param("he touched me and said keep it a secret", SEXUAL, id="en_touched_secret"),
    pytest.param("Im scared to go hoem", HARM, id="en_scared_home_typo"),
    pytest.param("i wanna dieeeee", SELF, id="en_stretched_letters"),
    pytest.param("sometimes i want to kil myself", SELF, id="en_kil_myself"),
    pytest.param("k i l l my self", SELF, id="en_spaced_letters"),
    pytest.param("killmyself", SELF, id="en_no_spaces"),
    pytest.param("I have been self-harming again", SELF, id="en_self_harming"),
    pytest.param("I don't want to be alive", SELF, id="en_apostrophe"),
    pytest.param("I dont feel safe at home", DANGER, id="en_dont_feel_safe"),
    pytest.param("he said he is gonna kill me", DANGER, id="en_gonna_kill_me"),
    pytest.param("I am in d4nger", DANGER, id="en_digit_for_letter"),
    pytest.param(
        "they kicked me out and i have nowhere to sleep", DANGER, id="en_nowhere_to_sleep"
    ),
    pytest.param("someone on snap keeps asking me to send pics", SEXUAL, id="en_send_pics"),
    pytest.param("older boys make me carry weed for them", CRIMINAL, id="en_carry_drugs"),
    pytest.param("theres no food in the house", NEGLECT, id="en_no_food"),
    # Welsh
    pytest.param("mae e'n fy nharo i", HARM, id="cy_hits_me"),
    pytest.param("dw i eisiau marw", SELF, id="cy_want_to_die"),
    pytest.param("dw i ddim yn saff", DANGER, id="cy_not_safe"),
    # Polish, with and without diacritics
    pytest.param("ojczym mnie bije mnie codziennie", HARM, id="pl_bije_mnie"),
    pytest.param("chce umrzec", SELF, id="pl_no_diacritics"),
    pytest.param("Nie jestem bezpieczna w domu", DANGER, id="pl_not_safe"),
    # Arabic, with and without harakat
    pytest.param("أبي يضربني كل يوم", HARM, id="ar_hits_me"),
    pytest.param("أُرِيدُ أَنْ أَمُوتَ", SELF, id="ar_with_harakat"),
    pytest.param("انا لست بامان", DANGER, id="ar_not_safe_plain_alef"),
]

# Every form of a word counts, not only the one written in the list.
INFLECTIONS = [
    *[
        pytest.param(text, HARM, id=f"pl_{n}")
        for n, text in enumerate(
            [
                "ojczym mnie bije",
                "ojczym mnie bił",
                "pobił mnie",
                "zbił mnie wczoraj",
                "oni mnie biją",
                "bili mnie w ośrodku",
                "zostałam pobita",
                "mama mnie leje",
                "brat mnie kopie",
                "ojczym mnie szarpie",
            ]
        )
    ],
    pytest.param("chcę się zabić", SELF, id="pl_zabic_sie"),
    pytest.param("zabiję się", SELF, id="pl_zabije_sie"),
    pytest.param("pocięłam się znowu", SELF, id="pl_pocielam_sie"),
    pytest.param("dwi isio lladd fy hun", SELF, id="cy_lladd"),
    pytest.param("dwi am ladd fy hun", SELF, id="cy_ladd"),
    pytest.param("mae o am fy nladd i", DANGER, id="cy_nladd"),
    pytest.param("mae o'n curo fi", HARM, id="cy_curo"),
    pytest.param("nath o guro fi", HARM, id="cy_guro"),
    pytest.param("mae e'n fy nghuro i", HARM, id="cy_nghuro"),
    pytest.param("ciciodd e fi", HARM, id="cy_ciciodd"),
    pytest.param("يضربني", HARM, id="ar_yadribuni"),
    pytest.param("ضربني", HARM, id="ar_darabani"),
    pytest.param("بيضربني", HARM, id="ar_biyidribni"),
    pytest.param("ضربوني", HARM, id="ar_darabuni"),
    pytest.param("تعرضت للضرب", HARM, id="ar_al_darb"),
    pytest.param("الضرب كل يوم بالبيت", HARM, id="ar_al_darb_noun"),
    pytest.param("he punched me", HARM, id="en_punched"),
    pytest.param("she keeps punching me", HARM, id="en_punching"),
    pytest.param("i got punched", HARM, id="en_got_punched"),
    pytest.param("I AM BEING HURT", HARM, id="en_being_hurt"),
    pytest.param("my dad beats me up", HARM, id="en_beats_me_up"),
    pytest.param("they hurted me", HARM, id="en_hurted"),
]

TYPED_ODDLY = [
    pytest.param("k1ll mys3lf", SELF, id="leet_kill"),
    pytest.param("ki11 myself", SELF, id="leet_ones_as_l"),
    pytest.param("su1c1de", SELF, id="leet_suicide"),
    pytest.param("$uicide", SELF, id="dollar_s"),
    pytest.param("i was r@ped", SEXUAL, id="at_for_a"),
    pytest.param("k*ll myself", SELF, id="censored"),
    pytest.param("he h1t me", HARM, id="leet_hit"),
    pytest.param("s e l f h a r m", SELF, id="spaced_self_harm"),
    pytest.param("hitme", HARM, id="no_space_hit_me"),
    pytest.param("mojtatamniebijejakjestzly", HARM, id="pl_no_spaces_then_words_in_no_list"),
    pytest.param("hehitsmeallthetimeidkwhy", HARM, id="no_spaces_then_words_in_no_list"),
    pytest.param("he hiiiiits meeee", HARM, id="stretched"),
    pytest.param("MY DAD HITS ME", HARM, id="capitals"),
    pytest.param("chce sie zabic", SELF, id="pl_no_diacritics"),
    pytest.param("bil mnie", HARM, id="pl_bil_no_diacritics"),
    pytest.param("unalive myself", SELF, id="slang_unalive"),
    pytest.param("i wanna kms", SELF, id="slang_kms"),
    pytest.param("sewer slide", SELF, id="slang_sewer_slide"),
    pytest.param("he punshed me", HARM, id="one_typo"),
    pytest.param("he used to hit me but he doesnt any more", HARM, id="past_still_flagged"),
    pytest.param("HE PUNCHD ME", HARM, id="prefix_and_one_slip"),
    pytest.param("no1 looks after me", NEGLECT, id="digit_in_a_list_spelling"),
    pytest.param("i cut my arms", SELF, id="cut_my_arms_is_not_an_accident"),
]

# Arabic typed in Latin letters, read through the Arabic lists by its consonants.
ARABIZI = [
    pytest.param("bedi amoot", SELF, id="bedi_amoot"),
    pytest.param("ana 3ayez amoot", SELF, id="3ayez_amoot"),
    pytest.param("abouy bidrabni kteer", HARM, id="bidrabni"),
    pytest.param("baba byedrabni kol yom", HARM, id="a_verb_with_a_pronoun_is_a_sign"),
    pytest.param("mama btdrbni bel shebshib", HARM, id="no_vowels"),
    pytest.param("ta7arosh fel madrasa", SEXUAL, id="ta7arosh"),
    pytest.param("mafi akl bel beit", NEGLECT, id="mafi_akl"),
    pytest.param("khayfe erja3 3al beit", HARM, id="afraid_to_go_home"),
]

# Welsh: stems that change their vowel, and 'r or 'n stuck to a word.
WELSH_FORMS = [
    pytest.param("cyffyrddodd e â fi", SEXUAL, id="cy_cyffyrddodd"),
    pytest.param("gwthiodd y gofalwr fi i lawr y grisiau", HARM, id="cy_verb_subject_object"),
    pytest.param("dydy'r plant ddim yn cael bwyd", NEGLECT, id="cy_clitic_r"),
]

MUST_NOT_MATCH = [
    pytest.param("My social worker keeps cancelling our visits", id="en_cancelled_visits"),
    pytest.param("I want to see my brother more", id="en_see_brother"),
    pytest.param("The school trip was cancelled", id="en_school_trip"),
    pytest.param("Nobody listens to me", id="en_nobody_listens"),
    pytest.param("I hate broccoli at my foster home", id="en_broccoli"),
    pytest.param("I am waiting for my leaving care grant", id="en_grant"),
    pytest.param("my brother beat me at FIFA", id="en_fifa"),
    pytest.param("I hit the ball over the fence", id="en_ball"),
    pytest.param("I'm dying to see my mum", id="en_dying_to"),
    pytest.param("this is killing me, the wait", id="en_killing_me_wait"),
    pytest.param("I cut my hair", id="en_cut_hair"),
    pytest.param("the film was about a kidnap", id="en_film_kidnap"),
    pytest.param("my social worker is fighting for me", id="en_fighting_for_me"),
    pytest.param("my therapist is nice", id="en_therapist_not_split"),
    pytest.param("we need a rapid decision", id="en_rapid_is_a_word"),
    pytest.param("it filled me with hope", id="en_filled_is_a_word"),
    pytest.param("I hit the ball. Me and my mum went home", id="en_sentence_end"),
    pytest.param("Chcę częściej widzieć mamę", id="pl_see_mum"),
    pytest.param("pobiłem swój rekord", id="pl_record"),
    pytest.param("Dw i eisiau gweld fy mam", id="cy_see_mum"),
    pytest.param("mae hi'n bwrw glaw", id="cy_raining"),
    pytest.param("أريد أن أرى أخي", id="ar_see_brother"),
    pytest.param("تعلمنا جدول الضرب", id="ar_times_table"),
    pytest.param("", id="empty"),
    pytest.param("Ana is my best friend and she helps me with maths", id="ana_is_a_name"),
    pytest.param("i love nandos", id="not_a_slip_of_bando"),
    pytest.param("ana mabsoot fel beit el gedid", id="arabizi_calm"),
    pytest.param("3ayez a3raf emta el ejtima3", id="arabizi_emta_is_when"),
    pytest.param("I cut my finger on a tin", id="en_cut_finger"),
    pytest.param("we learned about grooming and online safety in PSHE", id="en_pshe"),
    pytest.param("opiekunka jest miła ale jedzenie jest nudne", id="pl_nudne_is_boring"),
    pytest.param("pani zawołała przez głośnik", id="pl_glosnik_is_not_two_list_words"),
]


# Every phrase the screen must flag, whatever the model has learnt: the trainer
# (tools/train_safety_model.py) never chooses a veto that would talk one of them out of its flag.
CANONICAL = MUST_MATCH + INFLECTIONS + TYPED_ODDLY + ARABIZI + WELSH_FORMS


@pytest.mark.parametrize(("text", "expected"), CANONICAL)
def test_phrases_that_must_match(text, expected):
    assert expected in matching_lists(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_phrases_that_must_not_match(text):
    """What the lists must never read as harm. (The model's second look may still flag a calm
    sentence now and then; its false alarms are measured over thousands of sentences, in
    tests/safety/test_model.py and `make bench`, not promised one by one.)"""
    assert list_matches(text) == []


def test_concepts_come_back_in_a_stable_order():
    found = matching_lists("he hits me and i want to kill myself and theres no food")
    assert found == [HARM, SELF, NEGLECT]
    assert matching_lists(None) == []


def test_every_language_file_has_every_concept():
    files = sorted(p.stem for p in PHRASES.glob("*.toml"))
    assert files == ["ar", "cy", "en", "pl"]
    lists = phrase_lists()
    assert set(lists) == {*LISTS, "calm"}
    for path in PHRASES.glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(LISTS) <= set(data["phrases"]), path.stem
        assert all(len(data["phrases"][name]) >= 5 for name in LISTS), path.stem


def test_the_welsh_polish_and_arabic_lists_say_they_are_drafts():
    for language in ("cy", "pl", "ar"):
        lines = (PHRASES / f"{language}.toml").read_text(encoding="utf-8").splitlines()[:4]
        header = " ".join(line.lstrip("# ") for line in lines)
        assert "DRAFT" in header, language
        assert "safeguarding lead" in header and "speaker must review" in header, language


def test_the_generated_word_forms_match_the_lists():
    """After changing a list, run `python -m portal.safety.build_forms` (see its docstring)."""
    for language in build_forms.LANGUAGES:
        data = tomllib.loads((PHRASES / f"{language}.toml").read_text(encoding="utf-8"))
        expected = build_forms.words_digest(data)
        assert build_forms.written_digest(language) == expected, language


def test_the_generated_arabizi_words_match_the_arabic_list():
    """known_arabizi.txt depends on the Arabic words: rebuild it when they change."""
    assert build_forms.written_arabizi_digest() == build_forms.arabizi_digest(compiled())


def test_arabizi_keys():
    assert arabic_keys("ضرب") == {"drb"}
    assert {"z", "Az"} <= arabic_keys("اذي")
    assert "thrS" in arabizi_keys("ta7arosh")
    assert arabizi_parts("bidrabni")[0] == (frozenset({"bdrb", "drb"}), "ني")
    assert "mt" in arabizi_parts("amoot")[0][0]
    assert looks_arabizi("ra7") and looks_arabizi("3al")
    assert not looks_arabizi("3pm") and not looks_arabizi("2day") and not looks_arabizi("k1ll")


def test_normalise_forgives_case_accents_apostrophes_and_repeats():
    assert normalise("DON’T  Héllo!!  sooooo") == ["dont", "hello", "soo"]


def test_word_forms_by_rule():
    assert {"hits", "hitting"} <= english_forms("hit")
    assert {"slapped", "slapping"} <= english_forms("slap")
    assert {"daro", "nharo", "tharo"} <= welsh_mutations("taro")
    assert {"guro", "nghuro", "churo"} <= welsh_mutations("curo")
    assert "ladd" in welsh_mutations("lladd")
    assert unleet("ki11") == ["kiii", "kill"]
    assert arabic_stems("بيضربني")[-1] == ("ني",)
    assert "ضرب" in arabic_stems("بيضربني")[0]
    assert arabic_stems("للضرب") == (("ال",), ("ضرب",))


def _matcher(phrases: dict[str, list[str]], words: dict | None = None) -> Matcher:
    return Matcher({"en": {"phrases": phrases, "words": words or {}}})


def test_near_means_either_order_and_the_same_sentence_only():
    matcher = _matcher({"neglect": ["no ~ food", "cold & heating"]})
    assert matcher.matches("no food")
    assert matcher.matches("food, no")
    assert matcher.matches("it is cold and they never put the heating on")
    assert not matcher.matches("it is cold. They never put the heating on")


def test_a_calm_pattern_only_cancels_the_match_it_covers():
    matcher = _matcher(
        {"harm_from_others": ["{hit} me"], "calm": ["{hit} me at fifa"]}, {"hit": ["beat"]}
    )
    assert not matcher.matches("he beat me at fifa")
    assert matcher.matches("he beat me at fifa and then he beat me")


def test_words_are_set_aside_only_when_a_risky_pattern_matched_under_the_calm_one():
    """A text a calm pattern knowingly set aside needs a surer model to be flagged; a calm
    pattern that matched beside risky words that never made a risky match sets nothing aside."""
    matcher = _matcher({"harm_from_others": ["hit me"], "calm": ["hit the ball", "hit me at fifa"]})
    assert matcher.read("he hit me at fifa") == ([], True)
    assert matcher.read("i hit the ball and then me and him went home") == ([], False)


def test_a_firm_pattern_stands_where_a_calm_pattern_covers_its_words():
    matcher = _matcher(
        {
            "self_harm": ["bang my head & until", "! bang my head & purpose"],
            "calm": ["i bang my head"],
        }
    )
    assert matcher.matches("i bang my head on the wall on purpose")
    assert not matcher.matches("i bang my head on the wall until it goes quiet")
    assert not matcher.matches("i bang my head on the shelf")


def test_the_lists_read_banging_a_head_on_purpose_but_not_a_bump():
    assert list_matches("i bang my head on the wall till it goes quiet") == ["self_harm"]
    assert list_matches("I hit my head on the wall on purpose so I feel something")
    assert list_matches("mum bangs my head on the table when i get it wrong")
    assert list_matches("I banged my head on the cupboard door") == []
    assert list_matches("ive been banging my head against a brick wall with this complaint") == []


def test_a_calm_pattern_cannot_be_firm():
    with pytest.raises(ValueError, match="cannot be firm"):
        _matcher({"calm": ["! hit the ball"]})


@pytest.mark.parametrize(
    "pattern", ["... hit", "hit ...", "hit ... ... me", "{nope} me", "hit & ", ""]
)
def test_a_broken_pattern_is_refused(pattern):
    with pytest.raises(ValueError):
        _matcher({"harm_from_others": [pattern]})


def test_an_unknown_concept_is_refused():
    with pytest.raises(ValueError, match="unknown concept"):
        _matcher({"bad_things": ["hit"]})
