"""What the publications after the fact sheets add, asked as a reader would on 7 December
2026: the full-year 2025 release beside the January-September fact sheet, the releases of
earlier years, and the register of sources.

Figures written out by hand from the publications:
- release of 3 February 2026 (https://fedasil.be/fr/node/12902): p3 "3.122 personnes ...
  dont 219 Syriens"; p6 top 5 of destinations Brazil, Moldova, Syria, Colombia, Turkey.
- fact sheet 2025 (fedasil-vrijwillige-terugkeer-2025.txt): line 161 January-September
  2,397 = Fedasil 2,351 + DVZ 46; line 240 the 2025 total 2,397; lines 252-260 Brazil 685,
  Moldova 265, Syria 187, Türkiye 118, Colombia 100.
- release of 31 January 2025: p3-p4 Brazil first with 1,000.
- release of 10 February 2023, p9: 1,970 returnees (74%) with reintegration support in 2022;
  release of 6 February 2024, p10: "contre 73% en 2022".
"""
import datetime as dt
import re

import pytest

TODAY = dt.date(2026, 12, 7)
RELEASE_2026 = "https://fedasil.be/fr/node/12902#p3"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
SPACES = re.compile(r"[\u00a0\u202f ]")


def ask(pipeline, question):
    return pipeline.ask(question, today=TODAY)


def flat(text):
    return SPACES.sub(" ", text).replace("\u2212", "-")


def figures(reply):
    return {(round(f.value, 4), f.sources) for f in reply.answer.figures}


@pytest.mark.parametrize("question,words", [
    ("how many returned in 2025?", ["3,122", "January-September 2025: 2,397", "2,351 through Fedasil"]),
    ("hoeveel mensen keerden terug in 2025?", ["3.122", "januari-september 2025: 2.397", "2.351 via Fedasil"]),
    ("combien de retours en 2025 ?", ["3 122", "janvier-septembre 2025 : 2 397", "2 351 via Fedasil"]),
])
def test_the_year_2025_is_the_release_with_the_sheet_beside_it(pipeline, question, words):
    reply = ask(pipeline, question)
    assert reply.status == "ok", reply.text
    assert {(3122, (RELEASE_2026,)), (2397, (f"{S25}:240",)), (2351, (f"{S25}:161",)),
            (46, (f"{S25}:161",))} <= figures(reply), reply.text
    for w in words:
        assert w in flat(reply.text), reply.text
    assert "https://fedasil.be/fr/node/12902" in reply.text  # the release named with its link


@pytest.mark.parametrize("question", ["how many Syrians in 2025?", "hoeveel Syriërs in 2025?",
                                      "combien de Syriens en 2025 ?"])
def test_syrians_2025_for_the_year_and_for_january_september(pipeline, question):
    reply = ask(pipeline, question)
    assert {(219, (RELEASE_2026,)), (187, (f"{S25}:256",))} <= figures(reply), reply.text


def test_top_5_2025_names_each_list_for_what_it_is(pipeline):
    reply = ask(pipeline, "top 5 2025")
    text = flat(reply.text)
    assert "countries of destination of voluntary returnees in 2025" in text, text
    assert "nationalities of voluntary returnees from January to September 2025" in text, text
    order = [text.index(name) for name in ("1. Brazil\n", "2. Moldova\n", "3. Syria: 219", "4. Colombia\n",
                                           "5. Türkiye\n")]
    assert order == sorted(order), text
    assert "1. Brazil: 685 (28.6% of the total)" in text, text  # 685 / 2,397
    # No January-September count is a share of the full year: 685 / 3,122 would be 21.9%.
    assert "21.9%" not in text
    shares = [f for f in reply.answer.figures if f.kind == "share"]
    assert shares and all(f"{S25}:240" in f.sources for f in shares), shares


def test_top_5_2024_is_what_the_2024_release_printed(pipeline):
    reply = ask(pipeline, "top 5 2024")
    text = flat(reply.text)
    assert text.index("1. Brazil: 1,000") < text.index("2. Moldova"), text
    assert "press release of 31 January 2025" in text, text


@pytest.mark.parametrize("question,words", [
    ("reintegration support 2022", ["1,970", "about 74%", "73%"]),
    ("aide à la réintégration 2022", ["1 970", "environ 74 %", "73 %"]),
    ("re-integratiesteun 2022", ["1.970", "ongeveer 74%", "73%"]),
])
def test_reintegration_2022_with_the_later_release_named(pipeline, question, words):
    reply = ask(pipeline, question)
    text = flat(reply.text)
    for w in words:
        assert w in text, text
    assert (1970, ("http://www.fedasil.be/nl/nieuws/vrijwillige-terugkeer/2673-vrijwillige-terugkeerders-2022#p9",)) \
        in figures(reply), reply.text


def test_a_month_after_september_2025_has_no_figure_but_the_rest_of_the_year_is_calculated(pipeline):
    october = ask(pipeline, "how many returns in October 2025?")
    assert october.status == "no_data" and "725" not in october.text, october.text
    q4 = ask(pipeline, "how many returns in Q4 2025?")
    assert q4.status == "ok", q4.text
    # 725 = 3,122 (the release) less 2,397 (the sheet's January-September), labelled as calculated
    assert (725, (RELEASE_2026, f"{S25}:240")) in figures(q4), q4.text
    assert "no publication gives this figure" in q4.text


@pytest.mark.parametrize("question,kind,date", [
    ("sources", "Press release", "3 February 2026"),
    ("bronnen", "Persbericht", "3 februari 2026"),
    ("sources ?", "Communiqué", "3 février 2026"),
])
def test_sources_name_kind_title_date_and_link_in_the_readers_language(pipeline, question, kind, date):
    reply = pipeline.ask(question, today=TODAY, lang_hint="fr" if question.endswith("?") else None)
    first = reply.text.splitlines()[1]
    assert first.startswith(kind), reply.text
    assert "3.122 retours volontaires en 2025" in first and date in first, reply.text
    assert "https://fedasil.be/fr/node/12902" in first, reply.text


# The page Fedasil attached the 2020 fact sheet to: the release "1.847 retours volontaires en 2020"
# (stored page, its attachment "Les retours volontaires en 2020"); no page is known for the 2025 sheet.
SHEET_2020_PAGE = "http://fedasil.be/fr/actualites/retour-volontaire/1847-retours-volontaires-en-2020"


@pytest.mark.parametrize("question,lang,unknown,website", [
    ("waar vind ik de factsheet?", "nl", "de link is niet bekend", "Meer info: www.vrijwilligeterugkeer.be"),
    ("où trouver la fiche ?", "fr", "son lien n'est pas connu", "Plus d'infos : www.vrijwilligeterugkeer.be"),
    ("where is the source?", "en", "its link is not known", "More information: www.vrijwilligeterugkeer.be"),
])
def test_where_is_the_fact_sheet_gives_the_links(pipeline, question, lang, unknown, website):
    reply = ask(pipeline, question)
    lines = flat(reply.text).splitlines()
    assert reply.lang == lang and reply.status == "ok", reply.text
    # the fact sheets first, the newest first: 2025 (no link known), then 2020 with its page
    assert "Vrijwillige terugkeer in 2025" in lines[1] and unknown in lines[1], reply.text
    assert "Vrijwillige terugkeer in 2020" in lines[2] and lines[2].endswith(SHEET_2020_PAGE), reply.text
    # then the latest release, with its link
    assert "https://fedasil.be/fr/node/12902" in lines[3] or "3.122" in lines[3], reply.text
    assert website in lines, reply.text


@pytest.mark.parametrize("lang,credit", [
    ("nl", "Fedasil/IOM/DVZ"), ("fr", "Fedasil/OIM/Office des étrangers"), ("en", "Fedasil/IOM/Immigration Office"),
])
def test_the_sheets_credit_line_in_the_publishers_names_of_each_language(pipeline, lang, credit):
    reply = pipeline.ask("how many returns in March 2020", lang=lang, today=TODAY)   # 2020.txt:43
    assert flat(reply.text).splitlines()[-1].split(":", 1)[1].strip().startswith(credit), reply.text
    assert reply.to_json()["sources"][0]["publisher"] == credit


# The latest publication of the register is the release of 3 February 2026 (fedasil.be/fr/node/12902),
# which gives the whole of 2025 (p3); the latest monthly figures are September 2025 (2025.txt:141).
@pytest.mark.parametrize("question,words", [
    ("what is the latest publication?", ["3.122 retours volontaires en 2025", "3 February 2026",
                                         "up to December 2025 (month by month up to September 2025)"]),
    ("when were the figures last updated?", ["3 February 2026", "up to December 2025"]),
    ("wat is de laatste publicatie?", ["3 februari 2026", "tot december 2025 (per maand tot september 2025)"]),
    ("wanneer werden de cijfers bijgewerkt?", ["3 februari 2026", "tot december 2025"]),
    ("quelle est la dernière publication ?", ["3 février 2026", "jusqu'à décembre 2025"]),
    ("quand les chiffres ont-ils été mis à jour ?", ["3 février 2026", "mois par mois jusqu'à septembre 2025"]),
])
def test_how_current_the_figures_are_from_the_register(pipeline, question, words):
    reply = ask(pipeline, question)
    assert reply.status == "ok" and reply.answer.slots.intent == "info", reply.text
    for w in words:
        assert w in flat(reply.text), reply.text
    assert "https://fedasil.be/fr/node/12902" in reply.text.splitlines()[0]
