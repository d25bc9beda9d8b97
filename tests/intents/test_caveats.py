"""Caveats exactly where the sheet puts them: a footnote marks the figures it governs;
computed figures are said to be computed; a sheet is named by its Dutch title; no
answer template states a coverage fact of its own.

Figures are written out by hand from data/sources/*.txt ("2020.txt:43" is line 43 of
fedasil-vrijwillige-terugkeer-2020.txt); derived figures are worked out by hand."""
import re

import pytest

from intents.resources import load_toml


def first_line_with(reply, needle):
    return next(line for line in reply.text.splitlines() if needle in line)


def test_other_years_covid_only_on_2020(ask):
    # "Andere jaren": March 2020 (112, 2020.txt:43) has the COVID-19 note, March 2019
    # (260, same line) not; Dublin governs both and is marked once, at the end.
    reply = ask("de meest recente cijfers voor maart")
    assert reply.answer.footnotes == ("dublin", "covid_2020")  # ¹ Dublin, ² COVID-19
    assert first_line_with(reply, "Andere jaren") == "Andere jaren: maart 2020: 112² · maart 2019: 260.¹"


def test_compare_dublin_only_on_2013(ask):
    # 2013: 4.585* (2020.txt:82), 2012: 5.656 without a mark (2020.txt:84)
    line = first_line_with(ask("compare 2013 and 2012"), "4,585")
    assert "4,585¹ in 2013 against 5,656 in 2012" in line
    assert not line.endswith("¹")


def test_fedasil_part_has_no_dublin_mark(ask):
    # 2020: 1.827 Fedasil + 20 DVZ = 1.847* (2020.txt:63); Dublin departures are DVZ's,
    # COVID-19 governs the whole line
    reply = ask("hoeveel terugkeerders in 2020")
    assert reply.answer.footnotes == ("dublin", "covid_2020")
    assert reply.text.splitlines()[0] == ("In 2020 keerden 1.847¹ personen vrijwillig terug uit België: "
                                          "1.827 via Fedasil en 20¹ via de Dienst Vreemdelingenzaken.²")


def test_marks_on_figures_in_html(ask):
    html = ask("compare 2013 and 2012").html
    assert "<b>4,585</b><sup>1</sup> in 2013" in html and "<b>5,656</b> in 2012" in html


@pytest.mark.parametrize("question,kind", [
    ("top 5 nationalities 2025", "shares of the total"),  # 685 of 2.397 = 28.6 %
    ("compare 2019 and 2020", "differences and changes in %"),  # 2.426 - 1.847 = 579; (1.847 - 2.426) / 2.426 = -23.9 %
    ("average per year", "averages"),
])
def test_computed_figures_are_said_to_be_computed(ask, question, kind):
    text = ask(question).text
    assert f"Calculated from the published figures (not published as such): {kind}." in text


def test_share_reads_of_the_total(ask):
    assert "1. Brazil: 685 (28.6% of the total)" in ask("top 5 nationalities 2025").text  # 2025.txt:252, 240
    assert "1. Brazilië: 480 (26,0% van het totaal)" in ask("top 5 landen 2020").text  # 2020.txt:107, 63
    assert "685 (28,6 % du total)" in ask("top 5 des nationalités 2025").text.replace("\u202f", " ").replace("\u00a0", " ")


def test_printed_figures_are_not_said_to_be_computed(ask):
    text = ask("categories 2020").text  # 367, 441, 1.039 and 20, 24, 56 % as printed (2020.txt:136-140)
    assert "Calculated" not in text


U2020 = "http://fedasil.be/fr/actualites/retour-volontaire/1847-retours-volontaires-en-2020"


@pytest.mark.parametrize("question,source", [
    # The sheet's credit line in the publisher's names of each language; the 2020 sheet with the
    # page Fedasil attached it to (data/sources.csv), the 2025 one without a known link.
    ("how many returns in March 2020", 'Source: Fedasil/IOM/Immigration Office, fact sheet "Vrijwillige terugkeer in '
                                       '2020" (voluntary return in 2020), %s.' % U2020),
    ("combien de retours en mars 2025 ?", "Source\u00a0: Fedasil/OIM/Office des étrangers, fiche «\u00a0Vrijwillige "
                                          "terugkeer in 2025\u00a0» (retour volontaire en 2025)."),
    ("hoeveel terugkeerders in maart 2020", 'Bron: Fedasil/IOM/DVZ, factsheet "Vrijwillige terugkeer in 2020", %s.' % U2020),
])
def test_sheet_named_by_its_dutch_title(ask, question, source):
    assert ask(question).text.splitlines()[-1] == source


# Years that would make a template state coverage by hand. Example questions in quotes
# and the help and welcome texts (lists of examples) may name years.
EXAMPLE_KEYS = {"help", "greeting", "examples", "cli"}
QUOTED = re.compile(r'"[^"]*"|«[^»]*»|\\"[^"]*\\"')


def _strings(node, path=()):
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in EXAMPLE_KEYS:
                yield from _strings(value, path + (key,))


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_no_template_states_coverage_by_hand(lang):
    answers = load_toml(lang, "answers.toml")
    found = [(".".join(path), text) for path, text in _strings(answers)
             if re.search(r"\b(19|20)\d\d\b", QUOTED.sub("", text))]
    assert found == []
