"""Rendering: numbers and months per locale, footnotes, source line, HTML, length.

Answers are built from programs (not parsed text) so that these tests do not
depend on the parser; figures are written out by hand from data/sources/*.txt.
"""
import datetime as dt
import re

import pytest

from intents.data import Source
from intents.models import Answer, Line, Num, Period
from intents.program import Compare, Each, Group, Mean, Pick, Request, Select
from intents.render import Renderer

TODAY = dt.date(2026, 11, 22)
NBSP, NNBSP = "\u00a0", "\u202f"
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def run(pipeline, program):
    request = program if isinstance(program, Request) else Request("figures", program)
    return pipeline.engine.run(request, TODAY)


def render(pipeline, program, lang, html=False):
    return pipeline.renderer(lang).render(run(pipeline, program), as_html=html)


# January-September 2025: the 2025 fact sheet's figures (a later publication gives the whole year).
YEAR_2025 = Select(Period((2025, 1), (2025, 9)))
MARCH_2020 = Select(Period.month(2020, 3))
AUGUST_2025 = Select(Period.month(2025, 8))
CATS_2025 = Group(Select(Period.year(2025)), "category")
CATS_2020 = Group(Select(Period.year(2020)), "category")
COMPARE = Compare(Select(Period.year(2019)), Select(Period.year(2020)))
SERIES = Group(Select(Period.years(2007, 2025)), "year")
SERIES_2024 = Group(Select(Period.years(2007, 2024)), "year")
AVERAGE_2025 = Mean(Group(Select(Period((2025, 1), (2025, 9)))))
TOP_2025 = Pick(Group(Select(Period.year(2025)), "country"), "max", 1, 2)

# (query, lang, text that must appear) - formats of nl_BE, fr_BE and en_GB
FORMATS = [
    # 2025.txt:240 "2 397", 2025.txt:161 "2351"
    (YEAR_2025, "nl", "2.397"), (YEAR_2025, "fr", f"2{NNBSP}397"), (YEAR_2025, "en", "2,397"),
    (YEAR_2025, "nl", "2.351"), (YEAR_2025, "fr", f"2{NNBSP}351"), (YEAR_2025, "en", "2,351"),
    # 2020.txt:84 "2012: 5.656"
    (SERIES, "nl", "5.656"), (SERIES, "fr", f"5{NNBSP}656"), (SERIES, "en", "5,656"),
    # percentages as printed: 2025.txt:274 "27,2%", 2020.txt:136 "367 20"
    (CATS_2025, "nl", "27,2%"), (CATS_2025, "fr", f"27,2{NBSP}%"), (CATS_2025, "en", "27.2%"),
    (CATS_2020, "nl", "20%"), (CATS_2020, "fr", f"20{NBSP}%"), (CATS_2020, "en", "20%"),
    (CATS_2020, "nl", "1.039"), (CATS_2020, "fr", f"1{NNBSP}039"), (CATS_2020, "en", "1,039"),
    # change 2019 -> 2020: -579 / 2426 = -23.9 %; 2007 -> 2024: +674 / 2593 = +26.0 %
    # a fall is signed with the minus sign U+2212, a rise with "+"
    (COMPARE, "nl", "\u221223,9%"), (COMPARE, "fr", f"\u221223,9{NBSP}%"), (COMPARE, "en", "\u221223.9%"),
    (SERIES_2024, "nl", "+26,0%"), (SERIES_2024, "fr", f"+26,0{NBSP}%"), (SERIES_2024, "en", "+26.0%"),
    # share: Brazil 685 of 2 397 = 28.6 %
    (TOP_2025, "nl", "28,6%"), (TOP_2025, "fr", f"28,6{NBSP}%"), (TOP_2025, "en", "28.6%"),
    # average: 2 397 / 9 = 266.3
    (AVERAGE_2025, "nl", "266,3"), (AVERAGE_2025, "fr", "266,3"), (AVERAGE_2025, "en", "266.3"),
    # month names
    (MARCH_2020, "nl", "maart 2020"), (MARCH_2020, "fr", "mars 2020"), (MARCH_2020, "en", "March 2020"),
    (AUGUST_2025, "nl", "augustus 2025"), (AUGUST_2025, "fr", "août 2025"), (AUGUST_2025, "en", "August 2025"),
    (YEAR_2025, "nl", "januari"), (YEAR_2025, "fr", "janvier"), (YEAR_2025, "en", "January"),
    (YEAR_2025, "nl", "september 2025"), (YEAR_2025, "fr", "septembre 2025"), (YEAR_2025, "en", "September 2025"),
]


@pytest.mark.parametrize("query,lang,expected", FORMATS)
def test_locale_formats(pipeline, query, lang, expected):
    text = render(pipeline, query, lang)
    assert expected in text, text


@pytest.mark.parametrize("lang,wrong", [("nl", ["2,397", "2 397"]), ("fr", ["2.397", "2,397", "2 397"]),
                                        ("en", ["2.397", "2 397"])])
def test_no_foreign_number_format(pipeline, lang, wrong):
    text = render(pipeline, YEAR_2025, lang)
    for w in wrong:
        assert w not in text


# ---- footnotes -----------------------------------------------------------------------------
# (query, footnote ids in order, a phrase of each note as the nl text prints it)
PARTIAL_2025 = "partial_factsheet-2025_2025-01..2025-09"
NOTE_PHRASE = {"dublin": "Dublin-conventie", "balkan_bus_2011": "busreizen naar de Balkan",
               "covid_2020": "COVID-19", PARTIAL_2025: "gaan alleen over januari-september 2025",
               "basis_factsheet-2020_destination": "landen van bestemming, geen nationaliteiten",
               "basis_factsheet-2025_nationality": "nationaliteiten, geen", "percent_sum_2025": "99,3"}
FOOTNOTES = [
    pytest.param(Select(Period.year(2016)), ["dublin"], id="2016-dublin"),
    pytest.param(Select(Period.year(2010)), [], id="2010-none"),
    pytest.param(Select(Period.year(2011)), ["balkan_bus_2011"], id="2011-balkan-not-dublin"),
    pytest.param(Select(Period.year(2018)), ["dublin"], id="2018-dublin"),
    pytest.param(MARCH_2020, ["dublin", "covid_2020"], id="march-2020"),
    pytest.param(Select(Period.month(2019, 3)), ["dublin"], id="march-2019"),
    pytest.param(Select(Period.month(2025, 3), "fedasil"), [], id="fedasil-only-march-2025"),
    pytest.param(Select(Period.month(2025, 3), "dvz"), ["dublin"], id="dvz-march-2025"),
    pytest.param(YEAR_2025, ["dublin", PARTIAL_2025], id="2025-january-september"),
    pytest.param(Pick(Group(Select(Period.year(2020)), "country"), "max", 1, None),
                 ["dublin", "covid_2020", "basis_factsheet-2020_destination"], id="top-2020"),
    pytest.param(Group(Select(Period((2025, 1), (2025, 9))), "category"), ["dublin", "percent_sum_2025", PARTIAL_2025],
                 id="categories-2025"),
]


@pytest.mark.parametrize("query,ids", FOOTNOTES)
def test_footnotes_only_where_they_apply(pipeline, query, ids):
    answer = run(pipeline, query)
    assert list(answer.footnotes) == ids
    text = pipeline.renderer("nl").render(answer)
    for fid, phrase in NOTE_PHRASE.items():
        if fid in ids:
            note = text.split("\n\n", 1)[1]  # the footer: footnotes and source
            assert phrase in note, (fid, text)
        elif fid not in (PARTIAL_2025, "basis_factsheet-2025_nationality"):  # phrases that can also appear in the body
            assert phrase not in text, (fid, text)
    if not ids:
        assert not any(c in text for c in SUPERSCRIPTS)


def test_footnote_numbering_follows_first_use(pipeline):
    lines = render(pipeline, SERIES_2024, "nl").splitlines()

    def year_line(figure):
        (line,) = [x for x in lines if figure in x]
        return line

    # body: each year carries the marks of its own notes
    assert year_line("2.957").endswith("2.957")  # 2020.txt:88 "2010: 2.957", no note
    assert year_line("3.358").endswith("3.358¹")  # 2020.txt:86 "2011: 3.358**": Balkan bus, numbered first
    assert year_line("5.656").endswith("5.656")  # 2020.txt:84 "2012: 5.656", no note
    assert year_line("4.585").endswith("4.585²")  # 2020.txt:82 "2013: 4.585*": Dublin
    assert year_line("1.847").endswith("1.847² ³")  # 2020.txt:63: Dublin, COVID-19
    footer = [line for line in lines if line and line[0] in SUPERSCRIPTS]
    assert [line[:1] for line in footer] == ["¹", "²", "³"]
    assert "Balkan" in footer[0] and "Dublin" in footer[1] and "COVID-19" in footer[2]


def test_marks_on_a_line_are_in_ascending_order(pipeline):
    # Fedasil's March 2020 (covid only) comes first, so COVID-19 is ¹ and Dublin ². On the
    # total's line COVID-19 governs every figure (¹ at the end), Dublin only the total and
    # DVZ's part (² on each), not Fedasil's own 111.
    query = Each((Select(Period.month(2020, 3), "fedasil"), Select(Period.month(2020, 3))))
    lines = render(pipeline, query, "nl").splitlines()
    assert "111" in lines[0] and lines[0].endswith("¹")  # 2020.txt:43 "Maart 111 1 112 260"
    assert "112² personen" in lines[1] and "111 via Fedasil" in lines[1] and "1² via" in lines[1]
    assert lines[1].endswith("¹")
    assert lines[3].startswith("¹ ") and "COVID-19" in lines[3]
    assert lines[4].startswith("² ") and "Dublin" in lines[4]
    html = render(pipeline, query, "nl", html=True).splitlines()
    assert html[0].endswith("<sup>1</sup>") and html[1].endswith("<sup>1</sup>")
    assert "<b>112</b><sup>2</sup>" in html[1] and "<b>111</b> via" in html[1]


MARCH_2020_AND_2025 = Each((Select(Period.month(2020, 3)), Select(Period.month(2025, 3))))
# The page Fedasil attached the 2020 sheet to (data/sources.csv); no link is known for the 2025 one.
U2020 = "http://fedasil.be/fr/actualites/retour-volontaire/1847-retours-volontaires-en-2020"
# The credit line "Fedasil/IOM/DVZ" in the publisher's own names of each language (data/credits.csv).
CREDIT = {"nl": "Fedasil/IOM/DVZ", "fr": "Fedasil/OIM/Office des étrangers", "en": "Fedasil/IOM/Immigration Office"}
SOURCE_LINES = [
    ("nl", MARCH_2020, f'Bron: Fedasil/IOM/DVZ, factsheet "Vrijwillige terugkeer in 2020", {U2020}.'),
    ("fr", MARCH_2020, f"Source{NBSP}: Fedasil/OIM/Office des étrangers, fiche «{NBSP}Vrijwillige terugkeer in "
                       f"2020{NBSP}» (retour volontaire en 2020), {U2020}."),
    ("en", MARCH_2020, 'Source: Fedasil/IOM/Immigration Office, fact sheet "Vrijwillige terugkeer in 2020" (voluntary '
                       f'return in 2020), {U2020}.'),
    ("nl", YEAR_2025, 'Bron: Fedasil/IOM/DVZ, factsheet "Vrijwillige terugkeer in 2025".'),
    ("en", MARCH_2020_AND_2025, 'Sources: Fedasil/IOM/Immigration Office, fact sheet "Vrijwillige terugkeer in 2020" '
                               f'(voluntary return in 2020), {U2020} and fact sheet "Vrijwillige terugkeer in 2025" '
                               '(voluntary return in 2025).'),
    ("nl", MARCH_2020_AND_2025, f'Bronnen: Fedasil/IOM/DVZ, factsheet "Vrijwillige terugkeer in 2020", {U2020} en '
                               'factsheet "Vrijwillige terugkeer in 2025".'),
]


@pytest.mark.parametrize("lang,query,expected", SOURCE_LINES)
def test_source_line(pipeline, lang, query, expected):
    assert render(pipeline, query, lang).splitlines()[-1] == expected


# ---- HTML ------------------------------------------------------------------------------------
ALLOWED_TAG = re.compile(r"</?(b|i|sup)>")


def assert_telegram_html(html):
    """Only <b>, <i>, <sup>; every other <, > and & escaped."""
    stripped = ALLOWED_TAG.sub("", html)
    assert "<" not in stripped and ">" not in stripped, html
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;|#39;)", stripped), html
    for tag in ("b", "i", "sup"):
        assert html.count(f"<{tag}>") == html.count(f"</{tag}>")


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_html_march_2020(pipeline, lang):
    html = render(pipeline, MARCH_2020, lang, html=True)
    assert_telegram_html(html)
    assert "<b>112</b>" in html and "<b>111</b>" in html and "<b>1</b>" in html  # 2020.txt:43
    assert "<sup>1</sup>" in html and "<sup>2</sup>" in html
    last = html.splitlines()[-1]
    assert last.startswith("<i>") and last.endswith("</i>") and CREDIT[lang] in last
    assert '"' not in html  # the quoted title is escaped


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
@pytest.mark.parametrize("query", [SERIES, CATS_2025, TOP_2025, COMPARE, Request("help"), Request("unknown")],
                         ids=["series", "categories", "top", "compare", "help", "unknown"])
def test_html_is_telegram_safe(pipeline, query, lang):
    assert_telegram_html(render(pipeline, query, lang, html=True))


def test_html_escapes_data_text():
    sheet = Source("sheet", "fact_sheet", 2020, "P", "P & Q", None, "sheet.txt", {"nl": "A <b>bold</b> title"}, {})
    renderer = Renderer("en", {"x": {"nl": "-", "fr": "-", "en": "Tom & Jerry <script>"}}, {"sheet": sheet}, {})
    answer = Answer("ok", Request("figures", Select(Period.year(2020))),
                    (Line("count.total", {"period": Period.year(2020), "total": Num(1847)}, notes=("x",)),),
                    footnotes=("x",), sources=("sheet",))
    html = renderer.render(answer, as_html=True)
    assert_telegram_html(html)
    assert "<b>1,847</b>" in html and "<sup>1</sup>" in html
    assert "Tom &amp; Jerry &lt;script&gt;" in html
    assert "A &lt;b&gt;bold&lt;/b&gt; title" in html and "P &amp; Q" in html
    plain = renderer.render(answer)
    assert "Tom & Jerry <script>" in plain and "<b>" not in plain.replace("A <b>bold</b> title", "")


# ---- length ----------------------------------------------------------------------------------
LONG = [
    pytest.param(SERIES, id="years-2007-2025"),
    pytest.param(Group(Select(Period((2019, 1), (2025, 12))), "month"), id="all-months-2019-2025"),
    pytest.param(Each(tuple(Group(Select(Period.year(y)), "month") for y in range(2007, 2026))),
                 id="monthly-series-each-year-2007-2025"),
    pytest.param(Each(tuple(Select(Period.month(y, m)) for y in (2019, 2020, 2025) for m in range(1, 13))),
                 id="36-months"),
    pytest.param(Each(tuple(Select(Period.year(y), country=c) for c in ("BR", "SV", "GE", "MN", "RO", "UA", "CO", "AL",
                                                                        "BY", "RU", "MD", "SY", "TR")
                            for y in (2020, 2025))),
                 id="13-countries-2-years"),
    pytest.param(Each(tuple(Pick(Group(Select(Period.year(y)), "country"), "max", 1, 50) for y in (2020, 2025))), id="top-50-two-years"),
    pytest.param(Request("help"), id="help"),
    pytest.param(Request("unknown"), id="unknown"),
]


@pytest.mark.parametrize("html", [False, True], ids=["text", "html"])
@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
@pytest.mark.parametrize("query", LONG)
def test_answers_fit_telegram(pipeline, query, lang, html):
    text = render(pipeline, query, lang, html)
    assert 0 < len(text) < 4096


def test_years_2007_2025_are_all_listed(pipeline):
    # the longest ordinary answer is not cut: every year is there
    text = render(pipeline, SERIES, "en", html=True)
    assert "…" not in text
    assert "<b>2,593</b>" in text and "<b>3,267</b>" in text  # 2020.txt:94 (2007), 2025.txt:242 (2024)
    assert len(re.findall(r"(?m)^(?:\d{4}|[A-Z][a-z]+-[A-Z][a-z]+ \d{4}): <b>", text)) == 19  # 2007-2025
    months = render(pipeline, Group(Select(Period((2019, 1), (2025, 12))), "month"), "nl", html=True)
    assert "…" not in months and "<b>197</b>" in months  # 2020.txt:39 January 2019
    assert "<b>237</b>" in months  # 2025.txt:141 September 2025
