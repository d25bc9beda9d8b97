"""The glossary (data/glossary.csv): what the terms of the publications mean, in their own
words where they define a term and said to be theirs only then, each with where it was read.

Written out by hand from the publications:
- release of 20 January 2020 (nl:p3): "De meesten van hen (63%) zijn personen zonder
  verblijfsvergunning die geen asiel hebben aangevraagd in België. De asielzoekers, met een
  lopende procedure of van wie het verzoek verworpen werd, vertegenwoordigen 37%".
- fact sheet 2020, lines 99-100: the Dublin departures (to an EU country where the migrant had
  already applied for asylum, organised by the DVZ) are not in the figures.
- fact sheet 2025, line 21: "De Dienst Vreemdelingenzaken organiseert ook vrijwillige
  terugkeer" (the only thing the sheets say of the DVZ, with the Dublin note).
- release of 3 February 2026 (fr:p12): reintegration support after the arrival, not for every
  returnee, e.g. a micro-business, a home, medical costs, a job or a training.
"""
import datetime as dt
import re

import pytest

TODAY = dt.date(2026, 12, 7)
RELEASE_2020 = "https://www.fedasil.be/nl/nieuws/vrijwillige-terugkeer/2500-personen-keerden-vrijwillig-terug-2019"


def flat(text):
    return re.sub(r"[\u00a0\u202f]", " ", text)


@pytest.mark.parametrize("question,lang,words", [
    ("what does 'rejected applicants' mean?", "en",
     ["Rejected applicants, in the words of the press release of 20 January 2020", "application was rejected"]),
    ("wat betekent uitgeprocedeerde verzoekers", "nl",
     ["Uitgeprocedeerde verzoekers, in de woorden van het persbericht van 20 januari 2020", "verzoek verworpen werd"]),
    ("que veut dire « personnes en fin de procédure » ?", "fr",
     ["Demandeurs déboutés, selon le communiqué du 20 janvier 2020", "demande a été rejetée"]),
    ("what are irregular migrants?", "en", ["without a residence permit who have not applied for asylum in Belgium"]),
    ("wat zijn verzoekers om internationale bescherming?", "nl", ["procedure nog loopt"]),
])
def test_a_category_is_defined_in_the_releases_words_not_answered_with_its_share(pipeline, question, lang, words):
    reply = pipeline.ask(question, today=TODAY)
    text = flat(reply.text)
    assert reply.lang == lang and reply.status == "ok" and reply.answer.slots.intent == "info", reply.text
    for w in words:
        assert w in text, text
    assert "%" not in text and not reply.answer.figures, text   # no share, no figure
    assert reply.answer.sources == ("release-2020-01-20",)


@pytest.mark.parametrize("question,lang,words", [
    ("Wat is de DVZ?", "nl", ["Dienst Vreemdelingenzaken: de factsheet \"Vrijwillige terugkeer in 2025\" gebruikt de "
                              "term zonder hem te definiëren", "organiseert ook vrijwillige terugkeer"]),
    ("c'est quoi l'Office des étrangers ?", "fr", ["emploie ce terme sans le définir", "organise aussi des retours"]),
    ("what is the Immigration Office?", "en", ["uses the term without defining it", "also organises voluntary returns"]),
])
def test_a_term_the_sources_do_not_define_is_not_given_a_definition_of_theirs(pipeline, question, lang, words):
    reply = pipeline.ask(question, today=TODAY)
    text = flat(reply.text)
    assert reply.lang == lang, text
    for w in words:
        assert w in text, text
    # The definition the bot used to give was no publication's: it is gone.
    assert not re.search(r"access to the territory|toegang tot het grondgebied|accès au territoire", text), text


@pytest.mark.parametrize("question,words,source", [
    ("que veut dire Dublin ?", ["selon la fiche", "déjà demandé l'asile", "organisé par l'Office des étrangers"],
     "factsheet-2020"),
    ("what does reintegration support mean?", ["press release of 3 February 2026", "micro-business",
                                               "Not every returnee is entitled to it"], "release-2026-02-03"),
    ("wat betekent nationaliteit?", ["zonder hem te definiëren", "landen van bestemming"], "factsheet-2025"),
    ("what is a country of destination?", ["without defining it", "the 2025 one gives nationalities"],
     "factsheet-2020"),
    ("what is voluntary return?", ["country of origin", "competent authority"], "factsheet-2020"),
])
def test_each_entry_cites_where_it_was_read(pipeline, question, words, source):
    reply = pipeline.ask(question, today=TODAY)
    for w in words:
        assert w in flat(reply.text), reply.text
    assert reply.answer.sources == (source,)


@pytest.mark.parametrize("question", [
    "what is the share of rejected applicants in 2020",   # 441 of 1,847 (24%), 2020.txt:138
    "how many rejected applicants in 2020",
    "what was the mean number of rejected applicants",
    "uitgeprocedeerde verzoekers 2020",
])
def test_a_question_about_the_figures_of_a_term_is_not_a_glossary_question(pipeline, question):
    reply = pipeline.ask(question, today=TODAY)
    assert not (reply.answer.request.topic or "").startswith("term:"), reply.text


@pytest.mark.parametrize("question,lang,first,count", [
    ("glossary", "en", "voluntary return", 11), ("woordenlijst", "nl", "vrijwillige terugkeer", 11),
    ("glossaire", "fr", "retour volontaire", 11),
])
def test_the_glossary_lists_every_entry(pipeline, question, lang, first, count):
    reply = pipeline.ask(question, today=TODAY)
    assert reply.lang == lang and first in reply.text, reply.text
    from intents.data import load

    assert len(load().glossary) == count


def test_every_entry_is_read_in_a_publication_and_quotes_it(pipeline):
    dataset = pipeline.engine.dataset
    for row in dataset.glossary:
        assert row["source"] in dataset.sources and row["refs"], row["id"]
        source = dataset.sources[row["source"]]
        if source.file:   # the quote is printed on one of the lines cited
            lines = (dataset.directory / "sources" / source.file).read_text(encoding="utf-8").split("\n")
            assert any(row["quote"] in lines[int(ref.rpartition(":")[2]) - 1] for ref in row["refs"]), row["id"]
