"""Words as children type them, and every form a word on the safety lists can take.

Two halves, both plain functions with no state:

* Typed text: `tokenise` folds case, accents, look-alike digits and symbols ("k1ll", "r@pe"),
  stretched letters and apostrophes, and splits a text into sentences of words.
* List words: `english_forms` (hit: hits, hitting; slap: slapped), `welsh_mutations`
  (curo: guro, nghuro, churo) and `arabic_stems` (يضربني: the verb ضرب and the pronoun "me")
  give the forms a word can take. Polish, Welsh and English forms from the simplemma word lists
  are generated once into `portal/safety/forms/` by `python -m portal.safety.build_forms`, so
  nothing large is loaded, and nothing is downloaded, at run time.
* Arabic in Latin letters ("Arabizi"): `arabic_keys` and `arabizi_parts` reduce an Arabic list
  word and a typed Latin word to the same consonants (ضرب, "bidrabni": drb), so that the Arabic
  lists read "bedi amoot" and "abouy bidrabni" too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that do not decompose under NFKD, and Arabic letters that are often written the same.
_FOLD = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ة": "ه",
        "ى": "ي",
        "ک": "ك",
        "ی": "ي",
        # Letters Iraqi, Gulf and Levantine Arabic write for spoken sounds: چبير is كبير (big),
        # گال is قال (said), ڤيديو is فيديو (video), پابا is بابا.
        "چ": "ك",
        "گ": "ق",
        "ڤ": "ف",
        "پ": "ب",
        "ـ": None,  # tatweel, the Arabic stretching stroke
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
    }
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
# Symbols used for letters inside a word: "r@pe", "k!ll", "$uicide", "k|ll".
_SYMBOL_LETTERS = {"@": "a", "$": "s", "!": "i", "|": "l", "€": "e", "£": "l"}
_SYMBOL_IN_WORD = re.compile(r"(?<=\w)[@$!|€£]+(?=\w)|(?<![\w@$!|€£])[@$](?=[^\W\d_])")
_CENSORED = re.compile(r"(?<=\w)\*+(?=\w)")  # "k*ll", "su*cide"
_REPEATS = re.compile(r"(.)\1{2,}")
_SENTENCES = re.compile(r"[.?!؟;…\n]+")
_WORDS = re.compile(r"[^\W_]+(?:\*[^\W_]+)*")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_LATIN = re.compile(r"^[a-z*]+$")
_DOUBLES = re.compile(r"(.)\1+")


# Slang spelt with an apostrophe that folding would turn into another word ("SA'd" -> "sad").
_SLANG = [(re.compile(r"\bs\.?a['’]d\b", re.IGNORECASE), " sexually assaulted ")]


def fold(text: str) -> str:
    """Lower case, no accents or marks, look-alike letters made one, stretched letters shortened."""
    for pattern, meaning in _SLANG:
        text = pattern.sub(meaning, text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").translate(_FOLD)
    text = _APOSTROPHES.sub("", text)
    text = _SYMBOL_IN_WORD.sub(lambda m: "".join(_SYMBOL_LETTERS[c] for c in m.group()), text)
    text = _CENSORED.sub("*", text)
    return _REPEATS.sub(r"\1\1", text)  # "hurrrrts" -> "hurrts"


def unleet(word: str) -> list[str]:
    """A word with digits among its letters, read as letters: "k1ll" -> kill, "ki11" -> kill."""
    if word.isdigit() or not any(ch.isdigit() for ch in word) or not _has_letter(word):
        return [word]
    first = word.translate(_LEET)
    return [first, word.replace("1", "l").translate(_LEET)] if "1" in word else [first]


def _has_letter(word: str) -> bool:
    return any(ch.isalpha() for ch in word)


def tokenise(text: str) -> list[list[str]]:
    """The sentences of a text, each a list of folded words (digits among letters kept: "k1ll")."""
    sentences = []
    for part in _SENTENCES.split(fold(text)):
        words = _WORDS.findall(part)
        if words:
            sentences.append(_join_spelt_out(words))
    return sentences


def _join_spelt_out(words: list[str]) -> list[str]:
    """Join letters typed one at a time: "k i l l my self" -> "kill my self"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        out.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            out.append(word)
    return out


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A word with doubled letters made single: "hitts" and "hits", "kiled" and "killed"."""
    return _DOUBLES.sub(r"\1", word) if _DOUBLES.search(word) else word


@lru_cache(maxsize=65536)
def is_latin(word: str) -> bool:
    return bool(_LATIN.match(word))


# English inflections, for list words the generated forms do not know (slang, new words).
_VOWELS = "aeiou"


def english_forms(word: str) -> set[str]:
    """Regular English forms of a word: hit -> hits, hitting; slap -> slapped; cry -> cried."""
    if not word.isalpha() or len(word) < 3:
        return {word}
    forms = {word, word + "s", word + "ed", word + "ing"}
    if word.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(word + "es")
    if word.endswith("e"):
        forms |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and word[-2] not in _VOWELS:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if _doubles_final_consonant(word):
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing", word + word[-1] + "er"}
    return forms


def _doubles_final_consonant(word: str) -> bool:
    c1, v, c2 = word[-3], word[-2], word[-1]
    return c1 not in _VOWELS and v in _VOWELS and c2 not in _VOWELS + "wxy"


# Welsh mutations: soft, nasal and aspirate, and h- before a vowel.
_SOFT = {"p": "b", "t": "d", "c": "g", "b": "f", "d": "dd", "g": "", "m": "f", "ll": "l", "rh": "r"}
_NASAL = {"p": "mh", "t": "nh", "c": "ngh", "b": "m", "d": "n", "g": "ng"}
_ASPIRATE = {"p": "ph", "t": "th", "c": "ch"}


def welsh_mutations(word: str) -> set[str]:
    """Every mutated beginning of a Welsh word: taro -> daro, nharo, tharo; lladd -> ladd."""
    forms = {word}
    if word[:1] in _VOWELS + "wy":
        forms.add("h" + word)
    first = word[:2] if word[:2] in ("ll", "rh") else word[:1]
    rest = word[len(first) :]
    if len(rest) < 2 or word.startswith("ch"):
        return forms
    for table in (_SOFT, _NASAL, _ASPIRATE):
        if first in table:
            forms.add(table[first] + rest)
    if first in ("ll", "rh"):
        forms.add("n" + first[1] + rest)  # "fy nladd": typed as if ll took the nasal mutation
    return forms


# Arabic: articles and prepositions stuck to the front, pronouns stuck to the end.
_AR_FUNCTION_TEXT = (
    "ما في بدي بدك بدو بدها مش مو لا لم لن من عن على علي الي انا انت انتي هو هي نحن احنا "
    "هم كل عند عندي مع بس اللي يعني لسه ليش شو ايش وين كيف اذا لو بعد قبل كان كانت صار "
    "هذا هذه هاد هاي هيك كمان جدا كثير مره اليوم امس بكره ابي امي اخي اختي عمي خالي عندنا "
    "عندو عندها فيه فيها فيني حدا احد شي شيء بعرف بيعرف فيش ماكو مفيش في لي الي عليه"
)
_AR_FUNCTION_WORDS = frozenset(_AR_FUNCTION_TEXT.split())
_AR_ARTICLES = ("وبال", "وال", "فال", "بال", "كال", "عال", "لل", "ال")
_AR_CONJUNCTIONS = ("و", "ف")
_AR_PARTICLES = ("ب", "ل", "ك", "س", "ح", "ه", "ع")
_AR_OBJECTS = ("ني", "نا", "ها", "هم", "هن", "كم", "كن", "ه", "ك")
_AR_OBJECTS_LONG = {"ونني": "ني", "نني": "ني", "وني": "ني", "تني": "ني", "يني": "ني"}
_AR_SUBJECT_ENDINGS = ("تو", "وا", "ون", "ين", "تم", "ت", "و", "ي", "ن")
_AR_PREFIXES = ("ي", "ت", "ن", "ا")
_AR_TWO_LETTER_STEMS = frozenset({"عض", "شد", "زق", "طق", "دق", "مس", "بس"})


def is_arabic(word: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in word)


_AR_NEGATION = "ما"


@lru_cache(maxsize=16384)
def arabic_stems(word: str, typed: bool = True) -> tuple[tuple[str, ...], ...]:
    """An Arabic word as its parts: an article, the word's possible stems, an object pronoun.

    بيضربني -> (stems of the verb: بيضرب, يضرب, ضرب...), ("ني",); الضرب -> ("ال",), (ضرب...).
    Each part is the tuple of forms it could stand for. A typed word (`typed`) gets every stem
    that taking off prefixes and endings leaves; a list word only itself and itself less one
    prefix or ending, so that two words meet on a real stem, not on two or three letters
    they happen to share. Stems shorter than three letters are kept only for a few two-letter
    verbs (عض, "bite"). "مافي", "مابدي" (written as one word) are two words.
    """
    if word in _AR_FUNCTION_WORDS or len(word) < 3:
        return ((word,),)
    rest = word[len(_AR_NEGATION) :]
    if word.startswith(_AR_NEGATION) and rest in _AR_FUNCTION_WORDS:
        return ((_AR_NEGATION,), (rest,))
    if word.startswith(_AR_CONJUNCTIONS) and word[1:] in _AR_FUNCTION_WORDS:
        return ((word[1:],),)  # وما, فما
    if word.startswith(_AR_CONJUNCTIONS) and len(word) >= 4:  # و, ف: "and", "so"
        joined, alone = _arabic_parts(word, typed), _arabic_parts(word[1:], typed)
        if len(joined) != len(alone):
            return alone if word[1:] in _AR_FUNCTION_WORDS or len(alone) > len(joined) else joined
        return tuple(tuple(sorted({*a, *b})) for a, b in zip(joined, alone, strict=True))
    return _arabic_parts(word, typed)


def _arabic_parts(word: str, typed: bool) -> tuple[tuple[str, ...], ...]:
    if word in _AR_FUNCTION_WORDS or len(word) < 3:
        return ((word,),)
    parts: list[tuple[str, ...]] = []
    core = word
    for article in _AR_ARTICLES:
        if core.startswith(article) and len(core) - len(article) >= 2:
            parts.append(("ال",))
            core = core[len(article) :]
            break
    core, pronoun = _split_object(core)
    short_ok = pronoun in ("", "ني", "نا")  # "بشده" is not the verb شد with "him"
    stems = _stem_candidates(core, short_ok) if typed else _list_stems(core)
    parts.append(tuple(sorted(stems)))
    if pronoun:
        parts.append((pronoun,))
    return tuple(parts)


def _split_object(core: str) -> tuple[str, str]:
    for ending, pronoun in _AR_OBJECTS_LONG.items():
        if core.endswith(ending) and _stem_ok(core[: -len(ending)]):
            return core[: -len(ending)], pronoun
    for ending in _AR_OBJECTS:
        rest = core[: -len(ending)]
        if core.endswith(ending) and (len(rest) >= 3 or (ending in "نينا" and _stem_ok(rest))):
            return rest, ending
    return core, ""


def _stem_ok(stem: str) -> bool:
    return len(stem) >= 3 or stem in _AR_TWO_LETTER_STEMS


def _stem_candidates(core: str, short_ok: bool = True) -> set[str]:
    """The word with verb prefixes and subject endings taken off in every way that leaves a stem."""
    found = {core}
    frontier = [core]
    while frontier:
        word = frontier.pop()
        for shorter in _one_step_shorter(word):
            if (len(shorter) >= 3 or short_ok and _stem_ok(shorter)) and shorter not in found:
                found.add(shorter)
                frontier.append(shorter)
    return found


def _list_stems(core: str) -> set[str]:
    """A list word, and the word less a verb's person prefix (اقتل -> قتل, انتحر -> نتحر).

    Write list words bare (نفس, not نفسي): endings are taken off typed words only.
    """
    shorter = core[1:] if core.startswith(_AR_PREFIXES) else ""
    return {core, shorter} if _stem_ok(shorter) else {core}


def _one_step_shorter(word: str) -> list[str]:
    out = [word[len(p) :] for p in _AR_PARTICLES + _AR_PREFIXES if word.startswith(p)]
    out += [word[: -len(e)] for e in _AR_SUBJECT_ENDINGS if word.endswith(e)]
    if word.startswith("ان"):
        out.append(word[2:])  # انضرب, "was hit" (a passive in spoken Arabic)
    return out


# Arabic typed in Latin letters ("Arabizi": "bedi amoot", "bidrabni", "ta7arosh"), with digits
# for the letters Latin has not got (3 ع, 7 ح, 5 خ, 2 ء). Short vowels are not written in
# Arabic and are written any way in Arabizi, so both sides are reduced to a key of consonants:
# ضرب, "darab", "drab" -> drb; يضربني, "bidrabni", "btdrbni" -> drb with the pronoun "me".
_AR_KEY = str.maketrans(
    {
        "ب": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d",
        "ر": "r", "ز": "z", "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
        "ع": "E", "غ": "G", "ف": "f", "ق": "Q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
        "ه": "h", "پ": "b", "چ": "S", "گ": "j", "ڤ": "f",
        **dict.fromkeys("اويىءآأإؤئ", ""),
    }
)  # fmt: skip
_LATIN_DIGRAPHS = (("kh", "x"), ("gh", "G"), ("sh", "S"), ("ch", "S"), ("th", "t"), ("dh", "d"))
_LATIN_KEY = {"3": "E", "7": "h", "5": "x", "6": "t", "8": "G", "c": "k", "p": "b", "v": "f"}
# Letters typed for more than one Arabic letter: 2 is ء or ق, g is ج (Egypt) or ق (Gulf).
_LATIN_EITHER = {"2": ("", "Q", "A"), "g": ("j", "Q", "G"), "9": ("Q", "s"), "q": ("Q",)}
_LATIN_VOWELS = frozenset("aeiouyw")
_ARABIZI_WORD = re.compile(r"^(?=.*[a-z])[a-z2356789]+$")
# Pronouns stuck to the end of a typed verb: "bidrab-ni" (hits me), "darab-ha" (hit her).
_ARABIZI_OBJECTS = (
    ("nee", "ني"), ("nii", "ني"), ("ni", "ني"), ("ny", "ني"), ("na", "نا"), ("ha", "ها"),
    ("hom", "هم"), ("hum", "هم"), ("hon", "هم"),
)  # fmt: skip
ARABIZI_ENDINGS = tuple(ending for ending, _ in _ARABIZI_OBJECTS)
# Verb and participle prefixes (b-, bt-, ha-, m-...) and subject endings (-t, -u, -in), as keys.
_ARABIZI_PREFIXES = ("", "b", "t", "n", "l", "f", "h", "s", "m", "bt", "bn", "mt", "ht", "hn", "lt")
_ARABIZI_SUFFIXES = ("", "t", "n", "l", "tm", "tn")


# Digits for letters in a word that is not a time, an ordinal or English text speak ("3pm").
_ARABIZI_DIGIT = re.compile(r"(?=.*[a-z])(?=.*[235679])[a-z0-9]+")
_NOT_ARABIZI = re.compile(
    r"\d+(st|nd|rd|th|am|pm|s|h|hr|hrs|k|m|mins|yo|yr|yrs|x|d|wk|wks|g|gb|mb|p|ft|cm|kg|mph)"
    r"|2(day|moro|morrow|nite|night|gether|u|b|go|mrw)|me2|u2|to2"
)


def looks_arabizi(word: str) -> bool:
    """ "ra7", "3al", "5alas": a word with the digits Arabizi writes for Arabic letters."""
    return bool(_ARABIZI_DIGIT.fullmatch(word)) and not _NOT_ARABIZI.fullmatch(word)


_AR_EITHER = {"ذ": ("d", "z"), "ظ": ("z", "d"), "ث": ("t", "s")}  # said as d or z, t or s


def arabic_keys(form: str) -> frozenset[str]:
    """The consonants of an Arabic word as Latin keys: ضرب -> drb, موت -> mt, اذي -> z, Az."""
    if form.endswith("ه") and len(form) > 2:
        form = form[:-1]  # ة (folded to ه): "madrasa", "shanta"
    keys = [""]
    for ch in form:
        choices = _AR_EITHER.get(ch) or (ch.translate(_AR_KEY),)
        keys = [key + choice for key in keys for choice in choices]
    if form.startswith("ا"):
        keys += ["A" + key for key in keys]  # أ typed as 2: "2azani" (A: only ever typed 2)
    return frozenset(_DOUBLES.sub(r"\1", key) for key in keys)


def arabizi_keys(word: str) -> frozenset[str]:
    """Every consonant key a word typed in Latin letters could be: "ta7arosh" -> thrS."""
    if not _ARABIZI_WORD.match(word):
        return frozenset()
    for pair in _LATIN_DIGRAPHS:
        word = word.replace(*pair)
    keys = [""]
    for i, ch in enumerate(word):
        if ch in _LATIN_VOWELS:
            continue
        choices = _LATIN_EITHER.get(ch) or (_LATIN_KEY.get(ch, ch),)
        if ch == "h" and i == len(word) - 1:
            choices = ("h", "")  # "madrasah", "shantah": ة
        keys = [key + choice for key in keys for choice in choices][:24]
    return frozenset(_DOUBLES.sub(r"\1", key) for key in keys)


def arabizi_parts(word: str) -> list[tuple[frozenset[str], str]]:
    """A Latin-letter word as (stem keys, pronoun): "bidrabni" -> ({drb, bdrb...}, "ني").

    The word less a pronoun ending comes first, then the whole word with no pronoun. A stem key
    is the word's key less a verb prefix and a subject ending, at least two consonants long,
    and only two when nothing but b- (or the Maghrebi n- of "I": "nmout") was taken off ("bmoot").
    """
    out = []
    for ending, pronoun in _ARABIZI_OBJECTS:
        rest = word[: -len(ending)]
        if word.endswith(ending) and len(rest) >= 2:
            stems = _arabizi_stems(arabizi_keys(rest))
            if stems:
                out.append((stems, pronoun))
            break
    stems = _arabizi_stems(arabizi_keys(word))
    if stems:
        out.append((stems, ""))
    return out


def _arabizi_stems(keys: frozenset[str]) -> frozenset[str]:
    stems = set()
    for key in keys:
        for prefix in _ARABIZI_PREFIXES:
            if not key.startswith(prefix):
                continue
            for suffix in _ARABIZI_SUFFIXES:
                stem = key[len(prefix) : len(key) - len(suffix)]
                if key.endswith(suffix) and (
                    len(stem) >= 3 or len(stem) == 2 and prefix in ("", "b", "n") and not suffix
                ):
                    stems.add(stem)
    return frozenset(stems)
