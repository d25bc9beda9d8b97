"""Every word accounted for: a complete question plus one more recognised entity (a
country, a month, an organisation, a category, a negation, a comparison) gives an
answer that used that entity, or an answer whose status is not ok. Never the answer
to the question without it."""
import datetime as dt
import itertools

import pytest

TODAY = dt.date(2026, 12, 2)

# Complete questions, each answered ok on its own.
BASES = {
    "en": ["how many returns in 2020", "returns in March 2025", "top 3 countries 2020", "how many rejected applicants in 2020"],
    "nl": ["hoeveel terugkeerders in 2020", "terugkeerders in maart 2025", "top 3 landen 2020", "hoeveel uitgeprocedeerden in 2020"],
    "fr": ["combien de retours en 2020", "retours en mars 2025", "top 3 des pays 2020", "combien de déboutés en 2020"],
}

# One more entity, and how to see that the answer used it.
EXTRAS = {
    "en": {"country": "to Brazil", "month": "in June", "org": "through the Immigration Office",
           "category": "without legal residence", "negation": "not through Fedasil", "comparison": "compared with 2019"},
    "nl": {"country": "naar Brazilië", "month": "in juni", "org": "via de DVZ",
           "category": "zonder wettig verblijf", "negation": "niet via Fedasil", "comparison": "vergeleken met 2019"},
    "fr": {"country": "vers le Brésil", "month": "en juin", "org": "via l'Office des étrangers",
           "category": "en séjour irrégulier", "negation": "sauf Fedasil", "comparison": "par rapport à 2019"},
}


def _used(kind, query, base):
    if kind == "country":
        return "BR" in query.countries
    if kind == "month":
        return any(p.start[1] == 6 and p.end[1] == 6 for p in query.periods)
    if kind in ("org", "negation"):
        return query.orgs == ("dvz",)
    if kind == "category":
        return "irregular" in query.categories
    if kind == "comparison":
        return query.intent == "compare" or any(p.first_year == 2019 for p in query.periods)
    raise AssertionError(kind)


CASES = [pytest.param(lang, base, kind, extra, id=f"{lang}-{base[:25]}-{kind}")
         for lang in BASES for base, (kind, extra) in itertools.product(BASES[lang], EXTRAS[lang].items())]


@pytest.mark.parametrize("lang,base", [(lang, b) for lang in BASES for b in BASES[lang]])
def test_bases_are_answered(pipeline, lang, base):
    assert pipeline.ask(base, lang=lang, today=TODAY).status == "ok"


@pytest.mark.parametrize("lang,base,kind,extra", CASES)
def test_an_extra_entity_is_used_or_the_answer_is_not_ok(pipeline, lang, base, kind, extra):
    plain = pipeline.ask(base, lang=lang, today=TODAY).answer.slots
    reply = pipeline.ask(f"{base} {extra}", lang=lang, today=TODAY)
    assert reply.status != "ok" or _used(kind, reply.answer.slots, plain), reply.text
