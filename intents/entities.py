"""Tokens -> entities, using the per-language lexicons plus babel's month and
country names. Exact phrases first (longest first), with each unknown word that is an
inflected form of a lexicon word (locales/<lang>/forms.txt) read as that word;
rapidfuzz only for the words left over, only on words long enough to be safe, and
only above a cutoff."""
from __future__ import annotations

import calendar
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import sys
import tempfile
import tomllib
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import babel
from babel import Locale

from . import normalize
from .models import LANGS, MAX_YEAR, MIN_YEAR, first_language
from .normalize import Token, fold, words
from .resources import LOCALE_DIR, load_toml

YEARS = range(MIN_YEAR, MAX_YEAR + 1)
PARTS = {"quarter": 4, "half": 2}
FUZZY_MIN_LEN = 4
# The shortest part of a compound word that is read on its own ("land" in "bestemmingsland").
MIN_PART = 4
# A word that completes a phrase may be further off ("how meny", "how mayn"): the rest
# of the phrase vouches for it.
REPAIR_CUTOFF = 75
STOP_WEIGHT = 0.5
# general_words.txt holds the 40,000 most frequent words, most frequent first: any of them
# is passed over when unread; only the head of the list is spelled right for sure.
COMMON_RANK = 10000
# How close a common word must be to another to be read as its misspelling.
COMMON_CUTOFF = 88
# The lexicon cache: a pickle signed with a key of the state directory (see _cache_key).
CACHE_MAGIC = b"returnbot lexicon cache 6\n"
CACHE_KEY_BYTES = 32
CACHE_SIGNATURE_BYTES = 32
# Territory codes that are not countries a person returns to.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB", "AQ", "BV", "HM", "TF", "UM", "IO", "CP", "DG", "EA", "IC",
                 "TA", "AC"}

log = logging.getLogger("returnbot.cache")


@dataclass(frozen=True)
class Unread:
    """A word no lexicon read: `slot` when it stands where a slot would go ("how many
    cats"), `passable` when it is a function word or a word of talk ("btw", "eigenlijk")."""

    text: str
    slot: bool
    passable: bool


@dataclass(frozen=True)
class Entity:
    type: str
    value: Any
    start: int
    end: int
    fuzzy: bool = False
    text: str = ""  # the words as read, for replies that quote them
    # A time word's other meaning ([also] in the lexicon), taken where the time grammar does not use it.
    also: tuple[str, Any] | None = None
    particle: int | None = None  # where the particle of a separable verb stands ("tel ... op")


def keywords(e: Entity) -> frozenset[str]:
    """The keywords of an entity ("kw:max+year_word"), none for another kind."""
    return _keywords(str(e.value)) if e.type == "kw" else frozenset()


@cache
def _keywords(value: str) -> frozenset[str]:
    """"max+year_word": its keywords (asked of every keyword entity, again and again)."""
    return frozenset(value.split("+"))


# What Lexicon.entities reads in a question: its entities in token order, the content words nothing read (with
# their places), and the vocabulary words misspelled words were read as.
Reading = tuple[list[Entity], list[tuple[int, str]], list[str]]


@cache
def _general_words(lang: str) -> list[str]:
    """general_words.txt of a language, most frequent first."""
    text = (LOCALE_DIR / lang / "general_words.txt").read_text(encoding="utf-8")
    return [w for w in text.split("\n") if w and not w.startswith("#")]


# Entities that ask something: a sentence that holds none of them ("Ik ben journalist en
# schrijf over terugkeer.", "Alvast bedankt!") is context, and its unread words are talk.
ASKING_TYPES = {"kw", "info", "oos", "org", "category", "country", "month", "weak_month", "year", "ym", "day_ym",
                "yq", "yh", "quarter", "half", "decade", "season", "num", "neg", "claim", "ordinal", "grain", "finer",
                "asylum_people", "ratio", "bad_date"}


# Who returned: a sentence of what the asker was told keeps them when the one that asks names none.
TOPIC_TYPES = {"country", "category", "measure"}

# Keywords that ask ("how many", "which month", "what is"): a sentence holding one asks, whoever says it.
ASKING_WORDS = {"how_many", "which_units", "what_is", "one_country", "quoted"}

# Time entities: a sentence of context keeps them when the one that asks names no period.
PERIOD_TYPES = {"month", "weak_month", "year", "ym", "day_ym", "yq", "yh", "quarter", "half", "decade", "season"}


def context_sentences(tokens: list[Token], ents: list[Entity], lang: str | None) -> set[int]:
    """The token indexes of the sentences (split at "?", see normalize.mark_sentences) that
    hold no entity asking anything, or that say who the asker is ("I'm an EU researcher
    comparing ... across member states."), when another sentence asks."""
    if not any(t.text in (";", "?") for t in tokens[:-1]):
        return set()  # one sentence and one clause (most questions): nothing beside it
    sentence, ends = [], 0
    for t in tokens:
        sentence.append(ends)
        ends += t.text == "?"
    # a topic named in passing ("ik ben medewerker van...", "étudiant à Namur") asks nothing by itself
    # "Never mind December." asks nothing: it drops what it names
    # ("Iets anders: hoeveel ... in 2022?" asks, with a keyword after its new topic)
    dropped = {sentence[e.start] for e in ents if (e.type, e.value) == ("kw", "new_topic") and e.start < len(sentence)
               and not any(x.type == "kw" and x.start > e.start and sentence[x.start] == sentence[e.start]
                           for x in ents if x.start < len(sentence))}
    # (a topic outside the figures named in passing asks nothing; a cut of them, "enkel de vrouwen graag", does)
    # (a measure other than the returns names what is counted: "were some of them on a special flight? how many?")
    asking = {sentence[e.start] for e in ents
              if (e.type in ASKING_TYPES - {"oos"} or (e.type, e.value) == ("oos", "breakdown")
                  or e.type == "measure" and e.value != "returns")
              and e.start < len(sentence) and not _chat_word(e, ents, sentence)} - dropped
    selves = {sentence[e.start] for e in ents if e.type == "self" and _says_who(tokens, e, lang)}
    # "hoi, journalist bij de VRT hier, deadline over twintig minuten...", "EU researcher here, comparing
    # member states.": a sentence with a word of who asks or what for (work.txt) and no word of asking
    # says who asks
    work = words_of(lang, WORK_WORDS) if lang is not None else frozenset()
    selves |= {sentence[i] for i, t in enumerate(tokens) if t.text in work} \
        - {sentence[e.start] for e in ents if e.start < len(sentence) and ASKING_WORDS & keywords(e)}
    # "The sheet gives 187 Syrians for Jan-Sep 2025 and the press release a figure for the year.": what a
    # publication says, beside a sentence that asks, is what the asker was told
    sourced = {sentence[e.start] for e in ents if (e.type, e.value) == ("info", "sources") and e.start < len(sentence)}
    # "Combien de retours en novembre 2020 ? J'ai lu qu'il y avait eu un vol spécial vers le Salvador.": what
    # the asker read or heard, beside a sentence that asks, is what they were told
    # (so is a claim quoted with no figure to check: "J'ai lu qu'il y avait eu un vol spécial")
    heard = {sentence[e.start] for e in ents if e.start < len(sentence) and (
        (e.type, e.value) == ("self", "told") or (e.type, e.value) == ("kw", "quoted")
        and not any(n.type in NUMBER_TYPES and sentence[n.start] == sentence[e.start] for n in ents
                    if n.start < len(sentence)))}
    if asking - selves - sourced - heard:
        asking -= selves | sourced | heard
    if not asking:
        return set()
    context = {i for i, n in enumerate(sentence) if n not in asking} | _about_the_asker(tokens, ents, lang)
    if not any(e.type in PERIOD_TYPES and e.start not in context for e in ents):
        # "I'm writing about 2020. How many went to Brazil?": the period is the question's
        context -= {i for e in ents if e.type in PERIOD_TYPES for i in range(e.start, e.end)}
    # (told before the question, not after it: "Combien en novembre 2020 ? J'ai lu qu'il y avait eu un vol
    # spécial vers le Salvador." asks for the month)
    told = {n for n in heard - asking | (sourced - asking) if n < min(asking)}
    if told and not any(e.type in TOPIC_TYPES and e.start not in context for e in ents):
        # "Ik hoorde dat het aantal Syriërs gestegen is. Hoeveel waren het er in 2025?": what the asker was
        # told is about what the question asks
        context -= {i for e in ents if e.type in TOPIC_TYPES and e.start < len(sentence) and sentence[e.start] in told
                    for i in range(e.start, e.end)}
    return context


def asides(tokens: list[Token], ents: list[Entity], lang: str | None) -> set[int]:
    """"wat was de drukste maand in 2020, snel aub ik zit op de trein": a clause in the first
    person that names nothing and wants nothing (wanting.txt: "..., I want the ones who flew"
    asks for more), beside a clause that asks, says where the asker is: its tokens are context.
    "gemeenteraadslid in Antwerpen", "a journo in Brussels": a place right after a word of who
    asks (work.txt) is where the asker works, no cut of the figures."""
    if lang is None:
        return set()
    out: set[int] = set()
    persons, wanting, work = words_of(lang, FIRST_PERSON), words_of(lang, WANTING_WORDS), words_of(lang, WORK_WORDS)
    remarks = words_of(lang, REMARKS)
    said = {t.text for t in tokens}
    ends = [i for i, t in enumerate(tokens) if t.kind == "sym" and t.text in CLAUSE_ENDS]
    out |= _restated(ents, ends, len(tokens))
    if said.isdisjoint(persons) and said.isdisjoint(work) and said.isdisjoint(remarks):
        return out  # most questions: no one says who they are
    passable = _passable_words(lang)
    for start, end in zip([0, *(e + 1 for e in ends)], [*ends, len(tokens)]):
        words = {t.text for t in tokens[start:end]}
        named = [e for e in ents if start <= e.start < end]
        # ("et chez nos voisins allemands, ...": a first-person word before a word no list holds names what it
        # owns, a topic, not where the asker is)
        owned = any(t.text in persons and nxt.kind == "word" and nxt.text not in passable | persons
                    and not any(e.start <= i + 1 < e.end for e in named)
                    for i, (t, nxt) in enumerate(zip(tokens[start:end - 1], tokens[start + 1:end]), start))
        about_the_asker = words & persons and not words & wanting and not owned \
            and all(e.type in ASIDE_TYPES for e in named)
        # ("amai dat moet laag geweest zijn", "desole pour les accents": a remark opens with its word, and may
        # point back at what was asked)
        remark = start < end and tokens[start].text in remarks and all(e.type in REMARK_TYPES for e in named)
        if (about_the_asker or remark) and any(e.type in ASKING_TYPES and not start <= e.start < end for e in ents):
            out |= set(range(start, end))
    for e in ents:
        if (e.type, e.value) != ("oos", "breakdown"):
            continue
        asker = next((j for j in range(e.start - 1, max(-1, e.start - 1 - ASKER_PLACE_REACH), -1)
                      if tokens[j].text in work), None)
        if asker is not None and not any(asker < x.start < e.start for x in ents):
            out |= set(range(e.start, e.end))
    return out


def _publishers(found: list[Entity], tokens: list[Token], passable: frozenset[str]) -> list[Entity]:
    """"selon la fiche de Fedasil", "Fedasil's fact sheet", "het persbericht van Fedasil": an organisation
    said of a publication is its publisher, not the returns through it."""
    def joined(a: Entity, b: Entity) -> bool:
        return all(t.text in passable or t.kind == "sym" or t.text == "s" for t in tokens[a.end:b.start])

    sources = [x for x in found if (x.type, x.value) == ("info", "sources")]
    return [e for e in found if not (e.type == "org" and any(
        joined(*sorted((x, e), key=lambda y: y.start)) for x in sources))]


def _restated(ents: list[Entity], ends: list[int], n: int) -> set[int]:
    """"irregular migrants, i.e. people who never had legal stay": a clause that "i.e." opens right
    after a thing named says that thing again, to the end of the clause; it adds nothing to ask."""
    out: set[int] = set()
    for i, e in enumerate(ents):
        named = next((x for x in reversed(ents[:i]) if x.type != "conj"), None)
        if e.type == "restate" and named is not None and named.type in RESTATABLE and e.start - named.end <= 1:
            out |= set(range(e.start, next((end for end in ends if end > e.start), n)))
    return out


# What a clause that says a thing again may follow.
RESTATABLE = {"category", "country", "org", "asylum_people", "year", "ym", "yq", "yh", "month", "quarter", "half",
              "region", "measure", "info"}


# What an aside about the asker may hold: no period, only words that join ("moet in mijn stuk voor morgen").
ASIDE_TYPES = {"conj", "range", "self"}
# ... and what a remark may hold: those, and a word pointing back ("dat moet laag geweest zijn").
REMARK_TYPES = ASIDE_TYPES | {"anaphor"}


# How far before a place a word of who asks may stand ("prof de géo à Liège").
ASKER_PLACE_REACH = 4


# What a clause about the asker may name and still ask nothing: a period, its range words or a number ("my paper is due
# in September:"), who the asker is, a number that names no figure.
ASKER_CLAUSE_TYPES = PERIOD_TYPES | {"num", "self", "ident", "conj", "range"}


def _about_the_asker(tokens: list[Token], ents: list[Entity], lang: str | None) -> set[int]:
    """"Aangezien ik in september een paper moet inleveren: hoeveel ... in 2018?": a clause in
    the first person that a colon or semicolon closes before a clause that asks says why the
    asker asks: its tokens are context, so long as it names nothing the figures are cut by."""
    if lang is None:
        return set()
    persons, work = words_of(lang, FIRST_PERSON), words_of(lang, WORK_WORDS)
    out: set[int] = set()
    start = 0
    for end in (i for i, t in enumerate(tokens) if t.kind == "sym" and t.text in (";", "?")):
        words = {t.text for t in tokens[start:end]}
        named = [e for e in ents if start <= e.start < end]
        # "Pour une animation en classe :": what the figures are for, whatever its words may also mean
        # ("classe" is "ranked" too), so long as it names no one counted and asks nothing
        purpose = bool(words & work) and not any(
            e.type in PURPOSE_BLOCKERS or ASKING_WORDS & keywords(e) for e in named)
        if tokens[end].text == ";" and (words & persons and all(e.type in ASKER_CLAUSE_TYPES for e in named)
                                        or purpose) \
                and any(e.start > end and e.type in ASKING_TYPES for e in ents):
            out |= set(range(start, end + 1))
        start = end + 1
    return out


# What a clause of what the figures are for may not name and still ask nothing.
PURPOSE_BLOCKERS = TOPIC_TYPES | {"org", "oos", "info", "asylum_people"}


# What a clause describing a period names ("in 2016, when Iraq was the main destination"): no filter.
DESCRIBED = {"country", "category", "ordinal"}
# ... and what a clause that names its period counts ("février 2025, le mois où Fedasil a dépassé les 300")
DESCRIBED_NAMED = DESCRIBED | {"org", "claim", "num"}
RANKING = {"max", "min", "top", "rank", "countries", "one_country"}


# Meanings that say least of what a phrase could: the measure every question has unless it names
# another ("sont rentrées"), and a bare "for every" that is a ratio only before a group. A phrase
# of these gives way to an overlapping phrase that reaches further (Lexicon._overtaken).
YIELDING = {("measure", "returns"), ("ratio", "per")}


# How far after a year a word of range and the year that ends its span may stand ("over 2020 through 2025").
SPAN_REACH = 4

# Numbers that may be years or figures.
NUMBER_TYPES = {"year", "num", "year_or_figure"}
CLAUSE_ENDS = {",", "?", ";", ":"}


def _round_threshold(claim: Entity, number: Entity) -> bool:
    """"under 2000", "boven de 3000": a relation that compares nothing ("under", not "less than")
    before a round hundred sets a threshold; no one says a total stayed under a year."""
    return not str(claim.value).endswith("_compare") and number.value % 100 == 0


def _identifiers(ents: list[Entity], tokens: list[Token], glue: set[str]) -> tuple[list[Entity], list[Entity]]:
    """A number beside a word of `ident` ("extension 2024", "au 1847 chaussée de Waterloo")
    names a house, a telephone or a page: neither a year nor a figure, it asks nothing.
    Returns the entities, and apart the words of `ident` that name no number ("par heure")."""
    out = list(ents)
    naming: set[int] = set()
    for i, e in enumerate(out):
        if e.type not in NUMBER_TYPES:
            continue
        before = out[i - 1] if i > 0 else None
        after = out[i + 1] if i + 1 < len(out) else None
        if before is not None and before.type == "ident" \
                and all(t.text in glue for t in tokens[before.end:e.start]):
            naming.add(i - 1)
        elif after is not None and after.type == "ident" and after.start == e.end:
            naming.add(i + 1)
        else:
            continue
        out[i] = Entity("ident", e.value, e.start, e.end, text=e.text)
    lone = {i for i, e in enumerate(out) if e.type == "ident" and e.value is None and i not in naming}
    return [e for i, e in enumerate(out) if i not in lone], [out[i] for i in sorted(lone)]


def _negations_read(ents: list[Entity], tokens: list[Token]) -> list[Entity]:
    """A negation word alone between a comma and the end of a sentence is a tag asking for
    agreement ("une poignée de Syriens, non ?"): it negates nothing. "Geen" right before a
    category negates the category ("waren géén migranten zonder wettig verblijf"), no count of zero."""
    out = []
    for e, nxt in zip(ents, [*ents[1:], None]):
        if e.type == "neg" and e.value is None and e.start > 0 and tokens[e.start - 1].text == "," \
                and (e.end == len(tokens) or tokens[e.end].text == "?"):
            continue
        if (e.type, e.value) == ("neg", "none") and nxt is not None and nxt.type == "category" and nxt.start == e.end:
            e = replace(e, value=None)
        out.append(e)
    return out


def _school_years(ents: list[Entity], tokens: list[Token], lang: str | None) -> list[Entity]:
    """"in het zesde middelbaar", "en 6e secondaire": an ordinal before a word of work.txt
    names a school year or a grade, not a place in a ranking."""
    if lang is None:
        return ents
    work = words_of(lang, WORK_WORDS)
    return [Entity("ident", e.value, e.start, e.end, text=e.text)
            if e.type == "ordinal" and e.end < len(tokens) and tokens[e.end].text in work else e for e in ents]


def _singular_places(ents: list[Entity], tokens: list[Token], lang: str | None) -> list[Entity]:
    """"le premier pays de destination": a place after a determiner in the singular is one
    country, where the noun is the same in the plural ("les premiers pays" is the list)."""
    if lang is None:
        return ents
    singular = words_of(lang, SINGULAR_DETERMINERS)
    places = {e.end for e in ents if e.type == "ordinal" and e.start > 0 and tokens[e.start - 1].text in singular}
    return [replace(e, value="+".join("one_country" if kw == "countries" else kw for kw in e.value.split("+")))
            if e.type == "kw" and e.start in places else e for e in ents]


def _names_of_streets(ents: list[Entity], tokens: list[Token], unknown: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """"au 1847 chaussée de Waterloo": the words after a word of `ident` and its glue name
    the street or the page, up to the end of the clause; no rule need read them."""
    named: set[int] = set()
    for e in ents:
        if e.type != "ident" or e.value is not None:
            continue
        for i in range(e.end, len(tokens)):
            if tokens[i].text in CLAUSE_ENDS or tokens[i].kind != "word" \
                    or any(x.start == i and x.type in ASKING_TYPES for x in ents):
                break
            named.add(i)
    return [(i, text) for i, text in unknown if i not in named]


def _apposed(ents: list[Entity]) -> list[Entity]:
    """"En 2012, l'année record, combien ...", "2020, the worst year, how many ...": a superlative
    set between commas after a year describes it; the question asks the rest."""
    if not any("how_many" in keywords(e) for e in ents):
        return ents
    return [e for i, e in enumerate(ents)
            if not ({"max", "min"} & keywords(e) and 2 <= i < len(ents) - 1
                    and ents[i - 2].type == "year" and ents[i - 1].text == "," == ents[i + 1].text)]


def _after_a_year(ents: list[Entity], i: int) -> bool:
    before = [x for x in ents[max(0, i - 2):i] if not (x.type == "conj" and x.text == ",")]
    return bool(before) and before[-1].type in ("year", "ym")


def described(ents: list[Entity]) -> list[Entity]:
    """"Hoeveel terugkeerders in 2016, toen Irak de belangrijkste bestemming was?": the countries,
    categories and places named after a clause word that follows a year describe the year and
    are left out of the question, with the words of rank of that clause."""
    # ("the month of 2020 when DVZ had its most returns": the clause says which month, it asks)
    ents = _apposed(ents)
    # (the clause word right after the year, over a comma: in "in maart 2020, hoeveel vertrokken er toen
    # richting Georgië?" "toen" is "then", and Georgia is asked)
    at = next((i for i, e in enumerate(ents) if e.type == "subclause"
               and _after_a_year(ents, i) and not any(x.type == "grain" for x in ents[:i])), None)
    if at is None:
        # "Name the month that comes second in 2025": with no period before it to describe, a clause
        # that names its grain asks for one of that grain
        return [Entity("grain", str(e.value).removeprefix("named_"), e.start, e.end, text=e.text)
                if e.type == "subclause" and str(e.value).startswith("named_") else e
                for e in ents if e.type != "subclause" or str(e.value).startswith("named_")]
    clause = ents[at + 1:]
    kinds = DESCRIBED_NAMED if str(ents[at].value).startswith("named_") else DESCRIBED
    return ents[:at] + [e for e in clause if e.type not in kinds
                        and not keywords(e) & RANKING]


def _chat_word(e: Entity, ents: list[Entity], sentence: list[int]) -> bool:
    """"Ok top. Iets anders: ...": "top" alone in its sentence is praise, not a ranking."""
    return (e.type, e.value) == ("kw", "top") and all(
        x is e for x in ents if x.start < len(sentence) and sentence[x.start] == sentence[e.start])


def _says_who(tokens: list[Token], e: Entity, lang: str | None) -> bool:
    """"I'm an ...", "je travaille ...", and "ik ben" before a word of work.txt ("ik ben journalist"),
    never "ik ben op zoek naar cijfers over Brazilië" or "I'm interested in Brazil"."""
    return e.value != "be" or (lang is not None and e.end < len(tokens)
                               and tokens[e.end].text in words_of(lang, WORK_WORDS))


# The word lists of locales/<lang>/ that rules read by name.
FUNCTION_WORDS, FIRST_PERSON, SINGULAR_DETERMINERS, WORK_WORDS, WANTING_WORDS, REMARKS = \
    "function_words.txt", "first_person.txt", "singular_determiners.txt", "work.txt", "wanting.txt", "remarks.txt"


@cache
def _passable_words(lang: str) -> frozenset[str]:
    """The words a question may hold without any rule reading them: the closed classes of
    function_words.txt, the words of talk of talk.txt, the verbs of asking and telling (asking.txt) and
    what the figures are for (work.txt)."""
    return words_of(lang, FUNCTION_WORDS) | words_of(lang, "talk.txt") | words_of(lang, "asking.txt") \
        | words_of(lang, WORK_WORDS)


@cache
def words_of(lang: str, name: str) -> frozenset[str]:
    return frozenset(w for line in (LOCALE_DIR / lang / name).read_text(encoding="utf-8").split("\n")
                     if not line.startswith("#") for w in line.split())


def _cutoff(length: int) -> float:
    return 85 if length <= 5 else 80


@cache
def _rapidfuzz() -> tuple[Any, Any]:
    """rapidfuzz's scorers, imported at the first misspelling (most questions have none); once,
    as `from ... import` of a package costs a walk of the import machinery at every call."""
    from rapidfuzz import fuzz, process
    return fuzz, process


def _cache_path(key: bytes) -> Path:
    """Where the built lexicon is kept between runs: a one-shot `returnbot ask` would
    otherwise spend more time tokenizing 4,000 phrases than answering. The name
    carries a hash of everything the build reads, so a stale file is never used, and one
    of the key that signs it: processes with other state directories (other keys) share
    the cache directory without taking each other's files for tampered ones."""
    digest = hashlib.sha256(babel.__version__.encode())
    for path in sorted(LOCALE_DIR.glob("*/lexicon.toml")) + sorted(LOCALE_DIR.glob("*/general_words.txt")) \
            + sorted(LOCALE_DIR.glob("*/forms.txt")) + [REGIONS_FILE, Path(__file__), Path(normalize.__file__)]:
        digest.update(path.read_bytes())
    root = Path(os.environ.get("RETURNBOT_CACHE")
                or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "returnbot")
    return root / f"lexicon-{digest.hexdigest()[:16]}-{_signature(key, b'name').hex()[:8]}.pickle"


def _read_key(path: Path) -> bytes | None:
    """The key, if the file is ours and no one else can read or write it."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        key = fh.read(CACHE_KEY_BYTES + 1)
    ours = info.st_uid == os.geteuid() and not info.st_mode & 0o077
    return key if ours and len(key) == CACHE_KEY_BYTES else None


def _cache_key() -> bytes | None:
    """The key that signs the lexicon cache. It is kept in the state directory, outside the
    cache directory, so that whoever can write the cache cannot sign what they put there.
    Made on first use; None (no cache at all) where it can be neither read nor made."""
    from bot.paths import state_dir  # standard library only; the state directory is the front ends' too

    path = state_dir(os.environ) / "lexicon-cache.key"
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent)   # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(CACHE_KEY_BYTES))
            try:
                os.link(temporary, path)   # never over a key another process has just made: theirs is used
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
        return _read_key(path)
    except OSError:
        return None


def _signature(key: bytes, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=key, digest_size=CACHE_SIGNATURE_BYTES).digest()


def _unpickle_signed(blob: bytes, key: bytes) -> Lexicon | None:
    """The lexicon in `blob` if its signature is right; nothing in it is unpickled otherwise."""
    head = len(CACHE_MAGIC) + CACHE_SIGNATURE_BYTES
    signature, payload = blob[len(CACHE_MAGIC):head], blob[head:]
    if not blob.startswith(CACHE_MAGIC) or not hmac.compare_digest(signature, _signature(key, payload)):
        return None
    try:
        lexicon = pickle.loads(payload)
    except Exception:   # signed by us, yet not loadable by this code: built again like any bad cache
        return None
    return lexicon if isinstance(lexicon, Lexicon) else None


def load_lexicon() -> Lexicon:
    """The lexicon from the cache when it is there and signed with our key, else built (and
    the cache written anew, atomically). A cache that cannot be used is logged in one line."""
    key = _cache_key()
    if key is None:
        return Lexicon()
    path = _cache_path(key)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        blob = None
    except OSError:
        blob = b""
    if blob is not None:
        lexicon = _unpickle_signed(blob, key)
        if lexicon is not None:
            return lexicon
        log.warning("the lexicon cache %s is unreadable, damaged or not ours: ignored, and built again", path)
    lexicon = Lexicon()
    payload = pickle.dumps(lexicon, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(CACHE_MAGIC + _signature(key, payload) + payload)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a read-only home only costs the time of building it again
    return lexicon


def _read_forms(lang: str) -> dict[str, str]:
    """Inflected form -> the lexicon word it stands for (locales/<lang>/forms.txt, made
    from simplemma's dictionary by scripts/make_forms.py). The words are interned: a few
    hundred of them stand for thousands of forms, and the pickled lexicon stores each once."""
    table = {}
    for line in (LOCALE_DIR / lang / "forms.txt").read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            form, word = line.split(" ")
            table[form] = sys.intern(word)
    return table


def _meaning_of(key: str) -> tuple[str, Any]:
    """A lexicon key ("ago:post", "shift:-1", "stop") as the entity type and value; a region
    keeps its code as written ("region:005")."""
    kind, _, value = key.partition(":")
    return kind, int(value) if value.lstrip("-").isdigit() and kind != "region" else (value or None)


# The topic of a question off the subject altogether ("what's the weather tomorrow?"): not understood as
# one about the figures, where a neighbouring topic (forced returns, costs) is understood and not in them.
OFF_TOPIC = "offtopic"


# The countries of each region (UN M49, and the EU), by code; CLDR names the regions.
REGIONS_FILE = LOCALE_DIR / "regions.toml"


@cache
def region_members() -> dict[str, frozenset[str]]:
    with REGIONS_FILE.open("rb") as fh:
        return {code: frozenset(members) for code, members in tomllib.load(fh)["members"].items()}


def day_exists(day: int, month: int, year: int | None) -> bool:
    """Whether the date is on the calendar; without a year, 29 February is allowed."""
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 2020, month)[1]


class Lexicon:
    def __init__(self) -> None:
        # phrase (token texts) -> {lang: (type, value)}
        self.phrases: dict[tuple[str, ...], dict[str, tuple[str, Any]]] = {}
        # word -> weight per language: a word that means something on its own there
        # counts more than a function word or a piece of a longer phrase ("en" is
        # "and" in Dutch, but only "in" or part of "en cours" in French).
        self.vocab: dict[str, dict[str, float]] = {lang: {} for lang in LANGS}
        self.weak_months: set[str] = set()
        self.month_anchors: set[str] = set()
        self.count_nouns: set[str] = set()
        self.determiners: dict[str, set[str]] = {}
        self.slot_markers: dict[str, set[str]] = {}
        self.attribution: set[str] = set()
        self.compounding: set[str] = set()
        self.glue: dict[str, set[str]] = {}
        # Inflected forms of the lexicon's words, per language ("dropped" -> "drop").
        self.forms: dict[str, dict[str, str]] = {}
        self.also: dict[tuple[tuple[str, ...], str], tuple[str, Any]] = {}
        self.also_glue: dict[str, set[str]] = {}
        self.day_glue: dict[str, set[str]] = {}
        self.naming_glue: set[str] = set()
        self.subject_verbs: dict[str, set[str]] = {}
        # Verbs whose particle may stand further in the clause ("tel ... op"): verb -> particles.
        self.separable: dict[str, dict[str, set[str]]] = {}
        for lang in LANGS:
            lex = load_toml(lang, "lexicon.toml")
            self.weak_months |= {fold(w) for w in lex["weak_months"]}
            self.month_anchors |= {fold(w) for w in lex["month_anchors"]}
            self.count_nouns |= {fold(w) for w in lex["count_nouns"]}
            self.determiners[lang] = {fold(w) for w in lex["determiners"]}
            self.slot_markers[lang] = {fold(w) for w in lex["slot_markers"]}
            self.attribution |= {fold(w) for w in lex["attribution"]}
            if lex.get("compounds"):
                self.compounding.add(lang)
            self.glue[lang] = {fold(w) for w in lex["glue"]}
            self.forms[lang] = _read_forms(lang)
            self.also_glue[lang] = {fold(w) for w in lex.get("also_glue", [])}
            self.day_glue[lang] = {fold(w) for w in lex["day_glue"]}
            self.naming_glue |= {fold(w) for w in lex["naming_glue"]}
            self.subject_verbs[lang] = {fold(w) for w in lex.get("subject_verbs", [])}
            for phrase in lex.get("separable", []):
                verb, particle = words(phrase)
                self.separable.setdefault(lang, {}).setdefault(verb, set()).add(particle)
            for phrase, other in lex.get("also", {}).items():
                self.also[(words(phrase), lang)] = _meaning_of(other)
            # [time] holds the words of the time grammar (intents/when.py), same format.
            for key, phrases in (lex["entities"] | lex["time"]).items():
                kind, parsed = _meaning_of(key)
                for phrase in phrases:
                    self._add(lang, phrase, kind, parsed)
            for word in lex["stop"] + lex["fillers"]:
                self._add(lang, word, "stop", None, override=False)
            self._add_cldr(lang)
        self.max_len = max(len(p) for p in self.phrases)
        # The longest phrase each word starts: the lengths worth looking up from there.
        self.longest: dict[str, int] = {}
        for key in self.phrases:
            self.longest[key[0]] = max(self.longest.get(key[0], 0), len(key))
        # Fuzzy candidates per language: a misspelled French word must not be read
        # as an English one ("compte" is not "come").
        self.by_length: dict[str | None, dict[int, list[str]]] = {lang: {} for lang in (*LANGS, None)}
        # Country names are the exception: "Brazlie" in an English question is still Brazil.
        for phrase, meanings in sorted(self.phrases.items()):
            word = phrase[0]
            if len(phrase) == 1 and len(word) >= FUZZY_MIN_LEN and word.isalpha():
                is_country = any(kind == "country" for kind, _ in meanings.values())
                for reader in ((*LANGS, None) if is_country else (*meanings, None)):
                    self.by_length[reader].setdefault(len(word), []).append(word)
        # Words of longer phrases ("wettig" in "zonder wettig verblijf", "many" in "how
        # many"): a misspelling of one is corrected only where that completes the phrase.
        inner_words: dict[str, dict[int, set[str]]] = {lang: {} for lang in LANGS}
        for phrase, meanings in self.phrases.items():
            if len(phrase) > 1:
                for lang in meanings:
                    for word in phrase:
                        if len(word) >= FUZZY_MIN_LEN and word.isalpha():
                            inner_words[lang].setdefault(len(word), set()).add(word)
        self.inner_words = {lang: {n: sorted(ws) for n, ws in lengths.items()}
                            for lang, lengths in inner_words.items()}
        # Every word some lexicon knows, in any language.
        self.known = frozenset(w for lang in LANGS for w in self.vocab[lang])
        # What each word tells of the question's language (see `detect`), worked out once:
        # an inflected form votes as the lexicon word it stands for; a word of every language tells nothing.
        self.votes: dict[str, tuple[tuple[str, float], ...]] = {}
        for text in {w for lang in LANGS for w in (*self.vocab[lang], *self.forms[lang])}:
            stands_for = {lang: text for lang in LANGS if text in self.vocab[lang]} \
                or {lang: self.forms[lang][text] for lang in LANGS if text in self.forms[lang]}
            if len(stands_for) < len(LANGS):
                # (.get: a forms table made before its word left the lexicon votes for nothing)
                self.votes[text] = tuple((lang, self.vocab[lang].get(word, 0.0) / len(stands_for))
                                         for lang, word in stands_for.items())

    def _add(self, lang: str, phrase: str, kind: str, value: Any, override: bool = True) -> None:
        key = words(phrase)
        if not key:
            return
        meanings = self.phrases.setdefault(key, {})
        if override or lang not in meanings:
            meanings[lang] = (kind, value)
        weight = 1.0 if kind != "stop" and len(key) == 1 else STOP_WEIGHT
        for token in key:
            if token.isalpha():
                self.vocab[lang][token] = max(weight, self.vocab[lang].get(token, 0.0))

    def _add_cldr(self, lang: str) -> None:
        locale = Locale.parse(lang)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in locale.months[context][width].items():
                    self._add(lang, name, "month", number, override=False)
        stops = {p for p, m in self.phrases.items() if m.get(lang, ("",))[0] == "stop"}
        regions = region_members()
        for code, name in locale.territories.items():
            if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES and words(name) not in stops:
                self._add(lang, name, "country", code, override=False)
            elif code in regions:
                self._add(lang, name, "region", code, override=False)

    # ---- language ---------------------------------------------------------------------
    def detect(self, texts: list[str], hint: str | None) -> tuple[str | None, dict[str, float]]:
        """The question's language by its words; None when no word tells."""
        scores = {lang: 0.0 for lang in LANGS}
        for text in texts:
            for lang, weight in self.votes.get(text, ()):
                scores[lang] += weight
        best = max(scores.values())
        if best == 0:
            return None, scores
        leaders = [lang for lang in LANGS if scores[lang] == best]
        if len(leaders) == 1:
            return leaders[0], scores
        return (hint if hint in leaders else None), scores

    # ---- entities ---------------------------------------------------------------------
    # Common words of the three languages (a question may mix them: "btw, hoeveel..."),
    # read from their files on first use and never pickled: most questions leave no word
    # unread and need no fuzzy match, and the 120,000 words would double the cache.
    @cached_property
    def passable(self) -> frozenset[str]:
        """Words that carry nothing for these figures, in any of the languages (a question
        may mix them: "btw, hoeveel..."): function words and talk."""
        words = frozenset(w for lang in LANGS for w in _passable_words(lang))
        # and their inflected forms ("les élèves demandent": talk as "demande" is)
        return words | {form for lang in LANGS for form, word in self.forms[lang].items() if word in words}

    @cached_property
    def common(self) -> frozenset[str]:
        """The most frequent of them: spelled right for sure."""
        return frozenset(w for lang in LANGS for w in _general_words(lang)[:COMMON_RANK])

    @cached_property
    def words(self) -> frozenset[str]:
        """Every word of the general lists: a word of the language, not a misspelling."""
        return frozenset().union(*self.words_of_language.values())

    @cached_property
    def words_of_language(self) -> dict[str, frozenset[str]]:
        """The general list of each language."""
        return {lang: frozenset(_general_words(lang)) for lang in LANGS}

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()
                if k not in ("passable", "common", "words", "words_of_language", "_windows")}

    def _source(self, key: tuple[str, ...], lang: str) -> str | None:
        """The lexicon a phrase is read from: the question's language, else the first that has it."""
        meanings = self.phrases.get(key, {})
        return lang if lang in meanings else next((other for other in LANGS if other in meanings), None)

    def meaning(self, key: tuple[str, ...], lang: str) -> tuple[str, Any] | None:
        meanings = self.phrases.get(key)
        if not meanings:
            return None  # most keys tried are no phrase: answered without looking for a language
        if lang in meanings:
            return meanings[lang]
        source = self._source(key, lang)
        return None if source is None else meanings[source]

    def other(self, key: tuple[str, ...], lang: str) -> tuple[str, Any] | None:
        """The other meaning of a time word, from the lexicon `meaning` reads it from."""
        source = self._source(key, lang)
        return None if source is None else self.also.get((key, source))

    def entities(self, tokens: list[Token], lang: str | None, hint: str | None = None) -> Reading:
        """Entities in token order, the content words nothing could read, and the
        vocabulary words that misspelled words were read as. With no language known,
        phrases and inflected forms take the hint's meaning and misspellings are looked up
        in all three."""
        reading = first_language(lang, hint)
        said = tokens
        tokens, inflected = self._as_lexicon_words(tokens, reading)
        texts = [t.text for t in tokens]
        found: list[Entity] = []
        unknown: list[tuple[int, str]] = []
        matched: list[str] = []
        particles: set[int | None] = set()  # where the particles of verbs found earlier stand
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            # A number is read as a number unless it starts a phrase ("1er semestre").
            number = self._numeric(tok, i)
            if number and number.type in ("year", "num") and i + 1 < len(tokens) \
                    and tokens[i + 1].text in self.count_nouns \
                    and not (found and found[-1].end == i and found[-1].type in ("month", "quarter", "half")):
                # "2000 people" is a figure; "the 2020 returnees" a year: rules decide by the rest.
                kind = "year_or_figure" if number.type == "year" else "num"
                number = Entity(kind, number.value, i, i + 1, fuzzy=True)
            if number and number.type == "year" and found and found[-1].type == "claim" and found[-1].end == i \
                    and (not any(f.type in ("year", "ym", "yq", "yh", "year_or_figure") for f in found)
                         or _round_threshold(
                        found[-1], number)) \
                    and not self._starts_year_span(tokens, i, reading):
                # "more than 2000 in 2019": a figure to check, not the year 2000; but in
                # "is 2024 higher than 2023" a year stood before, and 2023 is compared with it
                # (not in "in 2021, did returns stay under 2000?": a round hundred under a relation).
                number = Entity("num", number.value, i, i + 1, fuzzy=True)
            elif number and number.type == "year" and found and found[-1].type == "claim" and found[-1].end == i \
                    and "_" not in str(found[-1].value) and any(f.type in ("year", "year_or_figure") for f in found):
                # "was 2020 below 2019?": a relation between two years compares them, as "lower than" does
                found[-1] = replace(found[-1], value=f"{found[-1].value}_compare")
            split = None if number else self._separated(tokens, i, reading)
            if split is not None:
                found.append(split)
                particles.add(split.particle)
                i += 1
                continue
            if i in particles:
                i += 1  # the particle of a verb before it ("hoe verhoudt die zich tot"): read with the verb
                continue
            shortest = 2 if number else 1
            for length in range(min(self.longest.get(tok.text, 0), len(tokens) - i), shortest - 1, -1):
                key = tuple(texts[i:i + length])
                # Through a form, a phrase means what it means in the form's language only:
                # "paid" is English "pays" ("who pays for the trip"), not French "pays" (countries).
                own = not inflected.isdisjoint(range(i, i + length))
                meaning = self.phrases.get(key, {}).get(reading) if own else self.meaning(key, reading)
                if meaning in YIELDING and self._overtaken(texts, i, length, reading):
                    continue
                if meaning and reading not in self.phrases[key] \
                        and (meaning[0] == "neg" or length == 1 and key[0] in words_of(reading, FUNCTION_WORDS)):
                    # "ni enkel fedasil" in Dutch is a typo, not the French "ni": a negation turns the answer
                    # around, and is read only in the question's language; "telde men toen" has the Dutch
                    # pronoun, not the English "men"
                    continue
                if meaning:
                    kind, value = meaning
                    after = tokens[i + length] if i + length < len(tokens) else None
                    if after is not None and after.kind == "word" and not self._known(after.text):
                        # "how meny": a word no lexicon knows right after may complete a longer phrase.
                        repaired = self._repair(tokens, i, reading)
                        if repaired and repaired.end > i + length:
                            found.append(repaired)
                            matched.extend(t.text for t in tokens[repaired.start:repaired.end])
                            i = repaired.end
                            break
                    if kind == "month" and length == 1 and tok.text in self.weak_months \
                            and not self._anchored(tokens, i):
                        # "may I ask" is no month; "returns march" may be: asked back, never dropped.
                        nxt = tokens[i + 1].text if i + 1 < len(tokens) else None
                        kind, value = ("stop", None) if self._stop(nxt, reading) else ("weak_month", value)
                    if kind != "stop":
                        # The answer quotes the user's words, not the lexicon's ("exceptant", not "excepte");
                        # a number said with what it counts is a figure ("maar één persoon"), as "2000 people" is
                        found.append(Entity(kind, value, i, i + length,
                                            fuzzy=kind == "num" and key[-1] in self.count_nouns,
                                            text=" ".join(t.text for t in said[i:i + length]),
                                            also=self.other(key, reading)))
                    i += length
                    break
            else:
                # A form that starts no phrase is read as written: misspellings and compounds
                # are of the word the user typed.
                tok = said[i]
                repaired = None if number else self._repair(tokens, i, reading)
                if repaired:
                    found.append(repaired)
                    matched.extend(t.text for t in tokens[repaired.start:repaired.end])
                    i = repaired.end
                    continue
                parts = None if number or tok.kind != "word" else self._compound(tok.text, i, reading)
                if parts is not None:
                    found.extend(parts)
                elif number:
                    found.append(number)
                elif tok.kind == "word" and any(tok.text in words_of(x, FUNCTION_WORDS)
                                                for x in ([lang] if lang else LANGS)):
                    pass  # a closed-class word is spelled right and carries nothing: "iets" is no "niets" (nothing)
                elif tok.kind == "word":
                    match = None if self._other_compound(tok.text, reading) else self._fuzzy(tok.text, lang)
                    if match is None:
                        unknown.append((i, tok.text))
                    else:
                        # ("retunrs": as close to "returns" as to "retours", it tells no language)
                        matched.extend(match[3])
                        if match[1] != "stop":
                            found.append(Entity(match[1], match[2], i, i + 1, fuzzy=True, text=tok.text,
                                                also=self.other((match[0],), first_language(lang))))
                i += 1
        # "volgens de reeks op de fiche": after "according to", a word names where a figure was
        # read, not what to do with it
        found = [e for e in found if not (e.type == "kw" and self._attributed(tokens, e.start, lang or "en"))]
        found, lone = _identifiers(found, tokens, self.naming_glue)
        if any(e.type == "org" for e in found) and any((e.type, e.value) == ("info", "sources") for e in found):
            found = _publishers(found, tokens, self.passable)  # (the common words are read only then)
        found = _negations_read(_singular_places(_school_years(found, tokens, lang), tokens, lang), tokens)
        # a word of `ident` that names no number beside it ("par heure", "which page?") is not read
        unknown = sorted(unknown + [(e.start, e.text) for e in lone])
        return found, _names_of_streets(found, tokens, unknown), matched

    def _overtaken(self, texts: list[str], i: int, length: int, lang: str) -> bool:
        """"sont rentrées seules", "for each month": a phrase of YIELDING that a phrase at least
        as long, starting inside it, reaches past gives way, so that the question is read with the
        one that says more ("rentrées seules", "each month"), not the first that starts."""
        for j in range(i + 1, i + length):
            for other in range(min(self.longest.get(texts[j], 0), len(texts) - j), length - 1, -1):
                if j + other > i + length and self.meaning(tuple(texts[j:j + other]), lang):
                    return True
        return False

    def _separated(self, tokens: list[Token], i: int, lang: str) -> Entity | None:
        """"Tel de terugkeerders naar de top 3 eens op": a verb and its particle further in
        the same clause mean what the verb with its particle means ("tel op": a sum)."""
        particles = self.separable.get(lang, {}).get(tokens[i].text)
        if not particles:
            return None
        for j, t in enumerate(tokens[i + 2:], i + 2):
            if t.text in CLAUSE_ENDS and t.text != ",":  # a list's commas end no clause ("Roemenië, Oekraïne en ...")
                return None
            meaning = self.phrases.get((tokens[i].text, t.text), {}).get(lang) if t.text in particles else None
            if meaning:
                return Entity(meaning[0], meaning[1], i, i + 1, text=tokens[i].text, particle=j)
        return None

    def _as_lexicon_words(self, tokens: list[Token], lang: str) -> tuple[list[Token], set[int]]:
        """Each word no lexicon knows that is an inflected form of a word of the question's
        language, as that word ("dropped" -> "drop", "titres" in "sans titres de
        séjour" -> "titre"), so that phrases of several words match too; and where the forms
        stood. A word a lexicon lists is never replaced, even by a table made before it was."""
        forms = self.forms[lang]
        inflected = {i for i, t in enumerate(tokens) if t.text in forms and not self._known(t.text)}
        if not inflected:
            return tokens, inflected  # most questions: no copy
        return [t._replace(text=forms[t.text]) if i in inflected else t for i, t in enumerate(tokens)], inflected

    def unread(self, tokens: list[Token], ents: list[Entity], unknown: list[tuple[int, str]],
               lang: str, context: set[int]) -> list[Unread]:
        """Where each unread word stands: right after "how many", an article or a
        preposition that introduces what is counted ("to", "naar", "parmi"), between a
        name and what is counted ("Syrian cats returned") or before a number other than
        one ("quick one:", "dis une fois" are talk), it would fill a slot."""
        slot_ends = {e.end for e in ents if (e.type, e.value) == ("kw", "how_many")}
        counted_starts = {e.start for e in ents if e.type in ("measure", "category", "asylum_people")}
        ent_ends = {e.end for e in ents} | {j + 1 for j, t in enumerate(tokens) if t.kind != "word"}
        # Before what is counted, "selon le journal" and "merci d'avance" are talk, not slots.
        counting = min((e.start for e in ents if e.start in counted_starts or e.end in slot_ends), default=len(tokens))
        markers = self.slot_markers[lang]
        out = []
        for i, text in unknown:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            # right before what is counted, only inside a noun phrase ("Syrian cats returned");
            # "quickly: returns" and "liet terugkeren" are no slots
            slot = i in slot_ends or (i + 1 in counted_starts and i in ent_ends) \
                or (i > counting and self._after_marker(tokens, i, markers, lang)) \
                or (nxt is not None and nxt.kind not in ("word", "sym") and nxt.value != 1) \
                or self._counted_by_number(tokens, i, lang)  # "ABC 2000", "week 12", "2000 soldiers"
            # ("ni" in a Dutch question: the French negation, or a typo of "niet": never passed over)
            negation = any(kind == "neg" for kind, _ in self.phrases.get((text,), {}).values())
            talk = (text in self.passable and not negation) or self._attributed(tokens, i, lang) or i in context
            out.append(Unread(text, slot and not talk, talk))
        return out

    def _starts_year_span(self, tokens: list[Token], i: int, lang: str) -> bool:
        """"over 2007-2011", "over 2020 through 2025", "over 2021, 2022 and 2023": the first year of a
        span or of a list of years, which no figure is ("over" is "during")."""
        if i + 2 < len(tokens) and tokens[i + 1].text in ("-", "\u2013", "/") and tokens[i + 2].kind == "num" \
                and len(tokens[i + 2].text) == 4:
            return True
        if i + 2 < len(tokens) and (tokens[i + 1].text == "," or (self.meaning((tokens[i + 1].text,), lang)
                                                                   or ("",))[0] == "conj") \
                and tokens[i + 2].kind == "num" and int(tokens[i + 2].value) in YEARS \
                and tokens[i].kind == "num" and int(tokens[i].value) % 100:  # ("more than 2000, 2021 or 2022?")
            return True
        ahead = tokens[i + 1:i + 1 + SPAN_REACH]
        to = next((j for j, t in enumerate(ahead) if (self.meaning((t.text,), lang) or ("",))[0] == "range"), None)
        return to is not None and any(t.kind == "num" and len(t.text) == 4 for t in ahead[to + 1:])

    def _counted_by_number(self, tokens: list[Token], i: int, lang: str) -> bool:
        """A word right after a number is what it counts ("3000 soldiers"), unless the number
        is a year or a period after a preposition ("in 2019 btw")."""
        if i == 0 or tokens[i - 1].kind != "num":
            return False
        if len(tokens[i - 1].text) == 4 and int(tokens[i - 1].value) in YEARS:
            return False  # "top 3 nationalities 2025 btw": the year is the period
        return i < 2 or tokens[i - 2].text not in self.glue[lang] | self.month_anchors

    def _attributed(self, tokens: list[Token], i: int, lang: str) -> bool:
        """A name after "according to", "d'après", "volgens" (over an article or a
        preposition) says where a claim was read: the answer gives the publications' figure."""
        j = i - 1
        while j >= 0 and (tokens[j].text in self.passable or len(tokens[j].text) == 1) \
                and tokens[j].text not in self.attribution:
            j -= 1
        return j >= 0 and tokens[j].text in self.attribution

    def _after_marker(self, tokens: list[Token], i: int, markers: set[str], lang: str) -> bool:
        """A slot marker before the word, over stop words ("to Belgium's neighbours"), but not
        over what is counted: in "le nombre de personnes ayant...", "personnes" filled the slot."""
        j = i - 1
        while j >= 0 and tokens[j].text not in markers \
                and (len(tokens[j].text) == 1 or self._stop(tokens[j].text, lang)):
            if tokens[j].text in self.count_nouns:
                return False
            j -= 1
        return j >= 0 and tokens[j].text in markers

    def _numeric(self, tok: Token, i: int) -> Entity | None:
        if tok.kind == "num":
            v = tok.value
            if not tok.grouped and float(v).is_integer() and len(tok.text) == 4 and int(v) in YEARS:
                return Entity("year", int(v), i, i + 1, text=tok.text)
            return Entity("num", v, i, i + 1, fuzzy=tok.grouped, text=tok.text)
        if tok.kind in ("dmy", "ymd", "my", "ym"):
            parts = tok.value
            if tok.kind == "dmy":
                day, month, year = parts
            elif tok.kind == "ymd":
                year, month, day = parts
            elif tok.kind == "my":
                (month, year), day = parts, 1
            else:
                (year, month), day = parts, 1
            if year in YEARS and day_exists(day, month, year):
                # "1/5/2025" names a day: read, and known to be finer than the figures
                return Entity("day_ym" if tok.kind in ("dmy", "ymd") else "ym", (year, month), i, i + 1, text=tok.text)
            return Entity("bad_date", tok.text, i, i + 1, text=tok.text)
        if tok.kind in ("quarter", "half") and not 1 <= tok.value <= PARTS[tok.kind]:
            return Entity("bad_date", tok.text, i, i + 1, text=tok.text)  # "T5 2020", "H3": no such quarter or half
        if tok.kind in ("quarter", "half", "decade"):
            return Entity(tok.kind, tok.value, i, i + 1, text=tok.text)
        if tok.kind in ("yq", "yh"):
            year, number = tok.value
            if year in YEARS and 1 <= number <= PARTS["quarter" if tok.kind == "yq" else "half"]:
                return Entity(tok.kind, (year, number), i, i + 1, text=tok.text)
            return Entity("bad_date", tok.text, i, i + 1, text=tok.text)
        if tok.kind == "yy":
            return Entity("year", tok.value, i, i + 1, text=tok.text)
        if tok.kind == "ordnum":
            return Entity("ordinal", tok.value, i, i + 1, text=tok.text)
        return None

    def _fuzzy(self, word: str, lang: str | None) -> tuple[str, str, Any, tuple[str, ...]] | None:
        """The lexicon word a misspelling is of, its meaning, and every word of that meaning it is
        as close to (in one language or several)."""
        if len(word) < FUZZY_MIN_LEN or not word.isalpha():
            return None
        fuzz, process = _rapidfuzz()
        best = process.extract(word, self._near_in_length(lang, len(word)), scorer=fuzz.ratio,
                               score_cutoff=_cutoff(len(word)), limit=3)
        if not best:
            return None
        match = best[0]
        meaning = self.meaning((match[0],), first_language(lang))
        assert meaning is not None  # the candidates are words of the lexicon
        kind, value = meaning
        if any(score == match[1] and self.meaning((other,), first_language(lang)) != (kind, value)
               for other, score, _ in best[1:]):
            # Equally close to two different things ("Rumenia": Romania or Armenia): do not guess.
            return None
        if kind == "month" and match[0] in self.weak_months:
            return None
        if kind in ("ordinal", "num"):
            return None  # a number word one letter off is another number ("eleventh" is no "seventh")
        if (kind, value) == ("oos", OFF_TOPIC):
            return None  # a word one letter off the weather is no question about it ("raging" is no "rain")
        if kind == "stop" and word.startswith(match[0]) and word in self.words:
            return None  # a word of the language that extends a stop word is another word ("camel" is no "came")
        if word in self.common and (kind in ("country", "ordinal", "kw") or match[1] < COMMON_CUTOFF):
            # A common word is spelled right, or one letter off ("maat" for "maart"): "soldiers"
            # is no country, "eight" no "eighth", "geachte" no "geslacht", "effectue" no "affecte",
            # "reçu" (received) no "recul" (a decline).
            return None
        return match[0], kind, value, tuple(w for w, score, _ in best if score == match[1])

    def _compound(self, word: str, i: int, lang: str) -> list[Entity] | None:
        """A Dutch compound of two lexicon words ("terugkeercijfers", "bestemmingslanden"),
        with or without a linking s or e: both parts are read ("zomermaanden": a season and
        a grain). A part the lexicon does not know leaves the word unread. A compound is a kind
        of its head: one whose head names what the figures are for ("overzichtsartikel": an
        article) carries nothing, whatever its modifier would ask."""
        if lang not in self.compounding:
            return None
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, modifier = word[cut:], word[:cut]
            head_meaning = self.meaning((head,), lang)
            if head_meaning is None:
                continue
            for mod in (modifier, modifier[:-1]) if modifier[-1] in "se" else (modifier,):
                mod_meaning = self.meaning((mod,), lang) if len(mod) >= MIN_PART else None
                if mod_meaning is not None and head in words_of(lang, WORK_WORDS):
                    return []
                if mod_meaning is not None:
                    return [Entity(kind, value, i, i + 1, text=word, also=self.other((part,), lang))
                            for part, (kind, value) in ((mod, mod_meaning), (head, head_meaning)) if kind != "stop"]
        return None

    def _other_compound(self, word: str, lang: str) -> bool:
        """"terugkeerbeleid" (return policy): a lexicon word joined to a word of the language that
        no lexicon reads is a compound of its own, not a misspelling of one the lexicon knows
        ("terugkeerbalie"); it stays unread."""
        if lang not in self.compounding:
            return False
        for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
            head, modifier = word[cut:], word[:cut]
            if head in self.words_of_language[lang] and any(self.meaning((mod,), lang) is not None for mod in (
                    (modifier, modifier[:-1]) if modifier[-1] in "se" else (modifier,))):
                return True
        return False

    def _stop(self, word: str | None, lang: str) -> bool:
        """Whether the word alone is a stop word of the language."""
        return word is not None and self.phrases.get((word,), {}).get(lang, ("",))[0] == "stop"

    def _known(self, word: str) -> bool:
        return word in self.known

    def _repair(self, tokens: list[Token], i: int, lang: str) -> Entity | None:
        """A phrase from position i with one word misspelled: the word is in no lexicon,
        and one close spelling of a word found only inside phrases completes the phrase."""
        if not any(t.kind == "word" and len(t.text) >= FUZZY_MIN_LEN and not self._known(t.text)
                   for t in tokens[i:i + self.max_len]):
            return None  # no word to repair within reach (most questions): no window is tried
        spellings: dict[str, list[str]] = {}  # each window of one stranger tries the same close spellings
        for length in range(min(self.max_len, len(tokens) - i), 1, -1):
            texts = [t.text for t in tokens[i:i + length]]
            strangers = [j for j, (t, text) in enumerate(zip(tokens[i:i + length], texts))
                         if t.kind == "word" and not self._known(text)]
            if len(strangers) != 1 or len(texts[strangers[0]]) < FUZZY_MIN_LEN:
                continue
            j = strangers[0]
            word = texts[j]
            if word not in spellings:
                spellings[word] = self._close_inner_words(word, lang)
            for candidate in spellings[word]:
                key = tuple(texts[:j] + [candidate] + texts[j + 1:])
                meaning = self.meaning(key, lang)
                if meaning and meaning[0] != "stop":
                    return Entity(meaning[0], meaning[1], i, i + length, fuzzy=True, also=self.other(key, lang))
        return None

    def _close_inner_words(self, word: str, lang: str) -> list[str]:
        """The words found only inside phrases spelled closest to `word`, best first."""
        fuzz, process = _rapidfuzz()
        choices = self._near_in_length(lang, len(word), inner=True)
        return [candidate for candidate, _, _ in process.extract(word, choices, scorer=fuzz.ratio,
                                                                 score_cutoff=REPAIR_CUTOFF, limit=3)]

    def _near_in_length(self, lang: str | None, n: int, inner: bool = False) -> list[str]:
        """The words a misspelling of n letters may be of: two letters shorter to two longer
        (of the lexicon, or found only inside its phrases); made once for each length."""
        key = (lang, n, inner)
        if key not in self._windows:
            lengths = self.inner_words[lang] if inner else self.by_length[lang]  # type: ignore[index]
            self._windows[key] = [w for m in range(n - 2, n + 3) for w in lengths.get(m, ())]
        return self._windows[key]

    @cached_property
    def _windows(self) -> dict[tuple[str | None, int, bool], list[str]]:
        return {}

    def _anchored(self, tokens: list[Token], i: int) -> bool:
        """A weak month word ("may") counts only beside a year, after a day ("1 March"),
        after a preposition, or before "to"/"and" and another month ("March to April")."""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.kind == "num" and len(nxt.text) == 4:
            return True
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if nxt is not None and after is not None and nxt.text in self.month_anchors \
                and any(kind == "month" for kind, _ in self.phrases.get((after.text,), {}).values()):
            return True
        prev = tokens[i - 1] if i > 0 else None
        if prev is not None and prev.kind == "num" and prev.text.isdigit() and 1 <= int(prev.text) <= 31:
            return True
        return prev is not None and prev.text in self.month_anchors
