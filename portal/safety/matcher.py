"""Notice what a child means about harm, in any form of the words, forgiving how they typed it.

A safety net only: a person reads every complaint. It errs on the side of noticing, and it
reports which concepts matched, never the words themselves.

The lists (`phrases/<language>.toml`) are written as concepts: groups of words ("hit": punch,
kick, slap...) and patterns over them ("{hit} {me}", "{get} {hit_done}"), in the small language
described in `rules.py`. Every word counts in every form it takes: inflections and mutations
come from `forms/<language>.txt` (generated from simplemma's word lists by
`python -m portal.safety.build_forms`), from English and Welsh rules, and for Arabic from taking
off the articles and pronouns stuck to a word. Typed words are matched after folding case,
accents, look-alike digits and symbols and stretched letters, with doubled letters and one
slip of the keyboard forgiven, unless the typed word is a real word (`forms/known_*.txt`).

Arabic typed in Latin letters ("bedi amoot", "bidrabni", "ta7arosh") is read by its consonants
against every Arabic list word (wordforms.arabizi_keys), so the Arabic lists cover it too; only
in a sentence that shows it is Arabizi (a word such as "ana" or "3al", `[arabizi]` in ar.toml),
and never for a real English word (`forms/known_arabizi.txt`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

from portal.safety import model, rules
from portal.safety.wordforms import (
    ARABIZI_ENDINGS,
    arabic_keys,
    arabic_stems,
    arabizi_parts,
    english_forms,
    fold,
    is_arabic,
    is_latin,
    looks_arabizi,
    skeleton,
    tokenise,
    unleet,
    welsh_mutations,
)

PHRASES = Path(__file__).parent / "phrases"
FORMS = Path(__file__).parent / "forms"
LISTS = (
    "harm_from_others",
    "sexual_harm",
    "criminal_exploitation",
    "self_harm",
    "immediate_danger",
    "neglect",
)
CALM = "calm"
ARABIZI = "arabizi"  # forms/known_arabizi.txt: real Latin-letter words never read as Arabic

# Words so common that a pattern is never looked up by them (it is looked up by a rarer word).
_COMMON_WORDS = (
    "me my i to a the in on at is was and of it he she they him her them us we you do dont not "
    "no be am are im get got for with this that so mnie mi sie nie w z na jest fi yn fy y yr ac "
    "ddim dim mae ni ال ني ه ها هم نا ما في من على لا"
)
COMMON = frozenset(_COMMON_WORDS.split())
FUZZY_SHORTEST = 4  # shorter words must be typed right (after folding and doubled letters)
SPLIT_SHORTEST = 5  # "killmyself", "hitme": words typed without spaces


def normalise(text: str) -> list[str]:
    """Return the words of a text: lower case, no accents or marks, no stretched letters."""
    return [unleet(word)[0] for sentence in tokenise(text) for word in sentence]


@lru_cache(maxsize=1)
def _files() -> dict[str, dict]:
    return {
        path.stem: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted(PHRASES.glob("*.toml"))
    }


@lru_cache(maxsize=1)
def phrase_lists() -> dict[str, tuple[str, ...]]:
    """Every concept's patterns, from every language file, as "language: pattern"."""
    return {
        name: tuple(
            f"{language}: {pattern}"
            for language, data in _files().items()
            for pattern in data.get("phrases", {}).get(name, [])
        )
        for name in (*LISTS, CALM)
    }


def read_forms(path: Path) -> dict[str, set[str]]:
    """A generated forms file: one line per list word, "word<TAB>form form form"."""
    forms: dict[str, set[str]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, _, rest = line.partition("\t")
                forms[word] = set(rest.split())
    return forms


@lru_cache(maxsize=4)
def generated_forms(language: str) -> dict[str, set[str]]:
    return read_forms(FORMS / f"{language}.txt")


@lru_cache(maxsize=8)
def known_words(language: str) -> frozenset[str]:
    """Real words near a list word of this language: never read as a typo of it."""
    path = FORMS / f"known_{language}.txt"
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if not line.startswith("#") for w in line.split())


@lru_cache(maxsize=16384)
def word_forms(language: str, word: str) -> frozenset[str]:
    """Every form of a list word (already folded) in its language (the generated forms are)."""
    forms = {word} | generated_forms(language).get(word, set())
    if language == "en":
        forms |= english_forms(word)
    elif language == "cy":
        forms |= _welsh_verb_forms(word)
        forms = {mutated for form in forms for mutated in welsh_mutations(form)}
    return frozenset(forms)


def _welsh_verb_forms(word: str) -> set[str]:
    """Past and present endings of Welsh verbs, for words the generated forms do not know."""
    if not word.endswith(("io", "o", "u")) or len(word) < 4:
        return set()
    stem = word[:-1]
    return {stem + ending for ending in ("odd", "ais", "aist", "wyd", "a", "ith", "iff", "on")}


@dataclass
class Vocabulary:
    """Every atom (a set of word forms) the patterns use, indexed by form."""

    forms: list[frozenset[str]] = field(default_factory=list)
    language: list[str] = field(default_factory=list)
    keys: dict[tuple, int] = field(default_factory=dict)
    index: dict[str, set[int]] = field(default_factory=dict)
    skeletons: dict[str, set[int]] = field(default_factory=dict)
    prefixes: list[tuple[str, int]] = field(default_factory=list)
    deletions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_prefix: dict[str, set[int]] = field(default_factory=dict)
    prefix_sizes: list[int] = field(default_factory=list)
    prefix_starts: set[str] = field(default_factory=set)

    def atom(self, key: tuple, forms: set[str], prefix: str = "") -> int:
        if key in self.keys:
            return self.keys[key]
        number = len(self.forms)
        self.keys[key] = number
        self.forms.append(frozenset(forms))
        self.language.append(key[1] if key[0] in ("word", "group", "alt") else "")
        for form in forms:
            self.index.setdefault(form, set()).add(number)
            if is_latin(form) and len(form) >= 3:
                self.skeletons.setdefault(skeleton(form), set()).add(number)
        if prefix:
            self.prefixes.append((prefix, number))
        return number

    def build_indexes(self) -> None:
        """Index prefixes by length, and every Latin form by itself less one letter (typos)."""
        for prefix, atom in self.prefixes:
            self.by_prefix.setdefault(prefix, set()).add(atom)
        self.prefix_sizes = sorted({len(prefix) for prefix in self.by_prefix})
        self.prefix_starts = {prefix[:2] for prefix in self.by_prefix}
        # Tuples, not sets: there are 700,000 of them, and a tuple of one form is a fifth of the
        # size of a set (most of a worker's memory was these sets).
        deletions = self.deletions
        for form in self.index:
            if len(form) >= FUZZY_SHORTEST and "*" not in form and is_latin(form):
                for variant in _deletions(form):
                    found = deletions.get(variant)
                    if found is None:
                        deletions[variant] = (form,)
                    elif form not in found:
                        deletions[variant] = (*found, form)

    def fuzzy(self, word: str) -> set[str]:
        get = self.deletions.get
        near = [form for variant in _deletions(word) for form in get(variant, ())]
        return {form for form in near if OSA.distance(word, form, score_cutoff=1) <= 1}

    def unless_known(self, word: str, atoms: set[int] | frozenset[int]) -> set[int]:
        """Drop the atoms of languages in which the typed word is a real word, not a typo."""
        return {a for a in atoms if word not in known_words(self.language[a])}


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


_GROUP = re.compile(r"^\{(?:(\w+):)?(\w+)\}$")


class Matcher:
    """The compiled lists: patterns by concept, and how each typed word maps to atoms."""

    def __init__(self, files: dict[str, dict]) -> None:
        self.files = files
        self.vocabulary = Vocabulary()
        self._groups: dict[tuple[str, str], rules.Slot] = {}
        self.rules: dict[str, list[rules.Rule]] = {name: [] for name in (*LISTS, CALM)}
        for language, data in files.items():
            for name, patterns in data.get("phrases", {}).items():
                if name not in self.rules:
                    raise ValueError(f"{language}: unknown concept {name!r}")
                for pattern in patterns:
                    self.rules[name].append(
                        rules.parse(pattern, name, language, self.slot, self._is_common)
                    )
        self.vocabulary.build_indexes()
        for language in {lang for lang in self.vocabulary.language if lang} | {ARABIZI}:
            known_words(language)  # read now, not on the first answer
        self.arabizi = _arabizi_index(self.vocabulary.index)
        self.arabizi_near: dict[str, set[str]] = {}  # a key less one letter: the key
        for key in self.arabizi:
            for shorter in _deletions(key) - {key} if len(key) >= 5 else ():
                self.arabizi_near.setdefault(shorter, set()).add(key)
        arabizi = files.get("ar", {}).get("arabizi", {})
        self.arabizi_words = {
            fold(latin): tuple(self._arabic_positions(meaning))
            for latin, meaning in arabizi.get("words", {}).items()
        }
        self.arabizi_signs = frozenset(fold(word) for word in arabizi.get("signs", []))
        self.by_anchor: dict[str, dict[int, list[rules.Rule]]] = {
            name: _by_anchor(found) for name, found in self.rules.items()
        }
        self._cache: dict[tuple[str, bool], tuple[frozenset[int], ...]] = {}
        self._signs: dict[str, bool] = {}

    # Compiling the lists -------------------------------------------------------------------

    def _is_common(self, atom: int) -> bool:
        return bool(self.vocabulary.forms[atom] & COMMON)

    def slot(self, language: str, word: str) -> rules.Slot:
        group = _GROUP.match(word)
        if group:
            return self._group(group.group(1) or language, group.group(2))
        if "|" in word:
            return self._merge(
                ("alt", language, word), [self.slot(language, w) for w in word.split("|")]
            )
        if word.endswith("*"):
            prefix = fold(word[:-1])
            if language == "cy" and len(welsh_mutations(prefix)) > 1:  # cyffyrdd*: gyffyrdd...
                mutated = [self.slot("", form + "*") for form in sorted(welsh_mutations(prefix))]
                return self._merge(("alt", language, word), mutated)
            return rules.Slot(self.vocabulary.atom(("prefix", prefix), set(), prefix=prefix))
        return self._literal(language, word)

    def _literal(self, language: str, word: str) -> rules.Slot:
        exact = word.startswith("=")
        positions = self._positions(language, word.lstrip("=").replace("_", " "), exact)
        atoms = tuple(
            self.vocabulary.atom(("word", language, exact, word, k), forms)
            for k, forms in enumerate(positions)
        )
        if len(atoms) == 1:
            return rules.Slot(atoms[0])
        return rules.Slot(None, (atoms,))

    def _positions(self, language: str, text: str, exact: bool) -> list[set[str]]:
        """The forms of each word a list word turns into (an Arabic word may be several)."""
        positions: list[set[str]] = []
        for word in (w for sentence in tokenise(text) for w in sentence):
            if is_arabic(word):
                parts = arabic_stems(word, typed=False)
                positions.extend({word} if exact else set(part) for part in parts)
            else:
                positions.append({word} if exact else set(word_forms(language, word)))
        if not positions:
            raise ValueError(f"{language}: an empty word in a pattern: {text!r}")
        return positions

    def _group(self, language: str, name: str) -> rules.Slot:
        if (language, name) not in self._groups:
            data = self.files.get(language, {})
            words = data.get("words", {}).get(name)
            exact = data.get("exact", {}).get(name)
            if words is None and exact is None:
                raise ValueError(f"{language}: no word group {name!r}")
            members = [w for w in words or []] + ["=" + w for w in exact or []]
            slots = [
                self.slot(language, m) if m.endswith("*") else self._literal(language, m)
                for m in members
            ]
            self._groups[(language, name)] = self._merge(("group", language, name), slots)
        return self._groups[(language, name)]

    def _merge(self, key: tuple, slots: list[rules.Slot]) -> rules.Slot:
        singles = [s.atom for s in slots if s.atom is not None]
        forms = set().union(*(self.vocabulary.forms[a] for a in singles)) if singles else set()
        prefixes = [p for p, a in self.vocabulary.prefixes if a in singles]
        known = key in self.vocabulary.keys
        atom = self.vocabulary.atom(key, forms)
        if not known:
            self.vocabulary.prefixes.extend((prefix, atom) for prefix in prefixes)
        phrases = tuple(p for s in slots for p in s.phrases)
        return rules.Slot(atom if singles else None, phrases)

    # Reading a text ------------------------------------------------------------------------

    def analyse(self, word: str, arabizi: bool = False) -> tuple[frozenset[int], ...]:
        """The atoms a typed word stands for, as one or more positions.

        In a sentence that shows it is Arabic typed in Latin letters (`arabizi`), a Latin word
        is also read as Arabic ("bedi amoot" as بدي اموت).
        """
        key = (word, arabizi)
        if key not in self._cache:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = self._analyse(word, arabizi)
        return self._cache[key]

    def _analyse(self, word: str, arabizi: bool) -> tuple[frozenset[int], ...]:
        if is_arabic(word):
            return tuple(self._lookup(set(part)) for part in arabic_stems(word))
        latin = self._latin(word)
        read = self.arabizi_positions(word) if arabizi else ()
        if not read:
            return latin
        if not any(latin):
            return read
        if len(latin) == 1:
            return (latin[0] | read[0], *read[1:])
        return latin

    def arabizi_sign(self, word: str) -> bool:
        """A word that shows a sentence is Arabic in Latin letters: "ana", "3al", "ra7", or a
        verb with a pronoun on its end that is no real word ("byedrabni", "bylmesni")."""
        if word not in self._signs:
            if len(self._signs) > 100_000:
                self._signs.clear()
            self._signs[word] = (
                word in self.arabizi_signs or looks_arabizi(word) or self.arabizi_verb(word)
            )
        return self._signs[word]

    def arabizi_verb(self, word: str, protect: bool = True) -> bool:
        """ "bidrabni": an Arabic list word of three consonants or more, and a pronoun."""
        if not word.endswith(ARABIZI_ENDINGS) or not word.isalpha():
            return False
        if protect and word in known_words(ARABIZI):
            return False
        parts = arabizi_parts(word)
        return (
            bool(parts)
            and bool(parts[0][1])
            and any(len(stem) >= 3 and self._arabizi_atoms(stem) for stem in parts[0][0])
        )

    def _arabic_positions(self, text: str) -> list[frozenset[int]]:
        return [
            self._lookup(set(part))
            for sentence in tokenise(text)
            for word in sentence
            for part in arabic_stems(word)
        ]

    def arabizi_positions(self, word: str, protect: bool = True) -> tuple[frozenset[int], ...]:
        """Arabic typed in Latin letters: "bidrabni" as the verb ضرب and the pronoun "me".

        Real English words, and Welsh and Polish words that would look like such a verb
        (`forms/known_arabizi.txt`), are never read so, unless `[arabizi]` in ar.toml says what
        they mean ("ana", "mafi", "fel").
        """
        if word in self.arabizi_words:
            return self.arabizi_words[word]
        if len(word) < 3 or protect and word in known_words(ARABIZI):
            return ()
        for stems, pronoun in arabizi_parts(word):
            atoms = frozenset(atom for stem in stems for atom in self._arabizi_atoms(stem))
            if atoms:
                return (atoms, self._lookup({pronoun})) if pronoun else (atoms,)
        return ()

    def _arabizi_atoms(self, stem: str) -> set[int]:
        """A stem's atoms, forgiving one letter too many or too few in a stem of four or more."""
        found = set(self.arabizi.get(stem, ()))
        if not found and len(stem) >= 4:
            for near in {*_deletions(stem), *self.arabizi_near.get(stem, ())}:
                found.update(self.arabizi.get(near, ()) if len(near) >= 4 else ())
        return found

    def _latin(self, word: str) -> tuple[frozenset[int], ...]:
        variants = unleet(word)
        found = self._spelt(variants)
        if word not in variants:  # "no1", "sum1", "2nite" as a list spells them
            found |= self._lookup({word})
        if not found and is_latin(variants[0]) and len(word) >= SPLIT_SHORTEST:
            split = self._split(variants[0])
            if split:
                return split
        prefixed = set().union(*(self._prefixed(v) for v in variants))
        if found:
            return (frozenset(found | prefixed),)
        clitic = self._welsh_clitic(variants[0])
        if clitic:
            return (clitic | prefixed,)
        near = self._censored(word) if "*" in word else self._fuzzy(variants[0])
        return (near | prefixed,)  # "punchd": punch* and, one slip away, punched

    def _welsh_clitic(self, word: str) -> frozenset[int]:
        """A Welsh word with 'r or 'n stuck on ("dydy'r", "mae'r"): the word without it."""
        if len(word) < 4 or word[-1] not in "rn":
            return frozenset()
        language = self.vocabulary.language
        return frozenset(a for a in self._lookup({word[:-1]}) if language[a] == "cy")

    def _lookup(self, forms: set[str]) -> frozenset[int]:
        index = self.vocabulary.index
        return frozenset(atom for form in forms for atom in index.get(form, ()))

    def _spelt(self, variants: list[str]) -> set[int]:
        """Atoms of a word as typed, or with its doubled letters made single ("hitts")."""
        found = set(self._lookup(set(variants)))
        spelt_in = {self.vocabulary.language[a] for a in found}  # a real list word there
        for variant in variants:
            near = self.vocabulary.skeletons.get(skeleton(variant), set())
            if variant.endswith("in") and len(variant) > 4:  # "hittin", "cuttin"
                near = near | self._lookup({variant + "g"})
            near = {a for a in near if self.vocabulary.language[a] not in spelt_in}
            found |= self.vocabulary.unless_known(variant, near)
        return found

    def _prefixed(self, word: str) -> set[int]:
        vocabulary = self.vocabulary
        if word[:2] not in vocabulary.prefix_starts:
            return set()
        by_prefix = vocabulary.by_prefix
        return {atom for size in vocabulary.prefix_sizes for atom in by_prefix.get(word[:size], ())}

    def _fuzzy(self, word: str) -> frozenset[int]:
        if len(word) < FUZZY_SHORTEST or not is_latin(word):
            return frozenset()
        return frozenset(
            self.vocabulary.unless_known(word, self._lookup(self.vocabulary.fuzzy(word)))
        )

    def _censored(self, word: str) -> frozenset[int]:
        """ "k*ll", "su*cide": a star stands for the letters a child left out."""
        shape = re.compile("^" + ".{1,2}".join(map(re.escape, word.split("*"))) + "$")
        return self._lookup({form for form in self.vocabulary.index if shape.match(form)})

    def _split(self, word: str) -> tuple[frozenset[int], ...] | None:
        """A word typed without spaces that spells a whole pattern: "killmyself", "hitme"."""
        pieces = _segment(word, self.vocabulary.index)
        if not pieces or len(pieces) < 2:
            return None
        positions = [self._lookup({piece}) for piece in pieces]
        text = rules.Text.build([positions])
        for name in LISTS:
            for rule in self._candidates(name, text):
                if any(_covers_two(m) for m in rules.rule_matches(rule, text)):
                    return tuple(positions)
        return None

    def _candidates(self, name: str, text: rules.Text) -> list[rules.Rule]:
        present = frozenset(text.where)  # a set: isdisjoint then walks the smaller side
        by_anchor = self.by_anchor[name]
        found = {id(rule): rule for atom in present & by_anchor.keys() for rule in by_anchor[atom]}
        return [rule for rule in found.values() if rule.worth_trying(present)]

    def text(self, text: str) -> rules.Text:
        sentences = []
        for sentence in tokenise(text):
            arabizi = any(map(self.arabizi_sign, sentence))
            sentences.append([found for word in sentence for found in self.analyse(word, arabizi)])
        return rules.Text.build(sentences)

    def matches(self, text: str) -> list[tuple[str, str]]:
        """Every concept that matches, and the first pattern that matched it (for tuning)."""
        return self.read(text)[0]

    def read(self, text: str) -> tuple[list[tuple[str, str]], bool]:
        """Every concept that matches with its first pattern, and whether a "calm" pattern
        covered words that would otherwise have matched ("beat me at FIFA")."""
        seen = self.text(text)
        calm = [
            span
            for rule in self._candidates(CALM, seen)
            for found in rules.rule_matches(rule, seen)
            for span in found
        ]
        out = []
        for name in LISTS:
            rule = self._first_match(name, seen, calm)
            if rule:
                out.append((name, rule.source))
        calmed = (
            bool(calm)
            and not out
            and any(
                next(rules.rule_matches(rule, seen), None) is not None
                for name in LISTS
                for rule in self._candidates(name, seen)
            )
        )
        return out, calmed

    def _first_match(
        self, name: str, seen: rules.Text, calm: list[rules.Span]
    ) -> rules.Rule | None:
        for rule in self._candidates(name, seen):
            for found in rules.rule_matches(rule, seen):
                if rule.firm or not rules.overlaps(found, calm):
                    return rule
        return None


def _arabizi_index(index: dict[str, set[int]]) -> dict[str, set[int]]:
    """The atoms of every Arabic list form, by its consonant key (ضرب: drb)."""
    out: dict[str, set[int]] = {}
    for form, atoms in index.items():
        for key in arabic_keys(form) if "\u0600" <= form[:1] <= "\u06ff" else ():
            if len(key) >= 2:
                out.setdefault(key, set()).update(atoms)
    return out


def _by_anchor(found: list[rules.Rule]) -> dict[int, list[rules.Rule]]:
    out: dict[int, list[rules.Rule]] = {}
    for rule in found:
        for atom in rule.anchors:
            out.setdefault(atom, []).append(rule)
    return out


def _covers_two(spans: list[rules.Span]) -> bool:
    return max(end for _, end in spans) > min(start for start, _ in spans)


# A beginning spelled by list words counts only from this many letters: "głośnik" (a speaker)
# must not be read as "głoś" and a Welsh "ni".
PREFIX_LETTERS = 8


def _segment(word: str, index: dict[str, set[int]]) -> list[str] | None:
    """Split a word into the fewest list words that spell it, if there is a way; else the
    longest beginning of it, PREFIX_LETTERS or more, that list words spell ("mojtatamniebije"
    of "mojtatamniebijejakjestzly": the rest, "jak jest zły", is in no list)."""
    best: dict[int, list[str]] = {0: []}
    for start in range(len(word)):
        if start not in best:
            continue
        for end in range(start + 1, min(len(word), start + 24) + 1):
            piece = word[start:end]
            if piece in index and (end not in best or len(best[start]) + 1 < len(best[end])):
                best[end] = [*best[start], piece]
    end = max(best)  # the whole word, when list words spell all of it
    return best[end] if end == len(word) or end >= PREFIX_LETTERS else None


@lru_cache(maxsize=1)
def compiled() -> Matcher:
    return Matcher(_files())


def list_matches(text: str | None) -> list[str]:
    """The concepts the lists alone find in a text, in a stable order."""
    if not text:
        return []
    return [name for name, _ in compiled().matches(text)]


def matching_lists(text: str | None) -> list[str]:
    """Return the names of the concepts the text matches, in a stable order.

    The lists read it first. The model (`model.py`) then has a second look: when the lists
    found nothing, it raises the flag if it is sure enough ("threshold"), naming the concept;
    when they found something, the flag stands unless the model is sure that the text, and
    every part of it, is calm ("veto": a story, a game, a joke the lists have no calm pattern
    for yet; never thanks around a disclosure), and surer still for four to six words
    ("short_veto": "cut my finger chopping onions"). When a calm pattern knowingly set words
    aside ("beat me at FIFA"), the model must be surer to overrule that judgement ("set_aside",
    at or above the threshold: "he bites me when he plays, I bleed" is no game). For fewer than
    four words ("stop", "please stop now") the lists decide alone."""
    if not text:
        return []
    found, calmed = compiled().read(text)
    names = [name for name, _ in found]
    if not model.reads(text):
        return names
    facts = model.facts()
    if names:
        veto = facts["veto"] if model.may_overrule(text) else facts["short_veto"]
        return [] if model.strongest(text) < veto else names
    cut = facts["set_aside"] if calmed else facts["threshold"]
    second = model.concept(text) if model.probability(text) >= cut else None
    return [second] if second else []
