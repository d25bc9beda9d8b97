"""Charts (bot/charts/): every chart type in every language is drawn, is a valid PNG of
a size a phone shows sharply, and carries its caveats; answers that are no series, list
or profile have none. Figures are written out by hand from data/sources/*.txt."""
from __future__ import annotations

import math

import pytest

from bot.charts.drawing import _Drawing, chart_png, chart_svg
from bot.charts.kinds import chart_kind
from fixture_sheet import add_third_sheet
from intents.pipeline import Pipeline

QUESTIONS = {
    "years": {"nl": "evolutie sinds 2007", "fr": "évolution depuis 2007", "en": "trend since 2007"},
    "months": {"nl": "per maand 2020", "fr": "évolution mensuelle 2020", "en": "per month 2020"},
    "overlay": {"nl": "maandelijks 2025 en 2020", "fr": "par mois 2025 et 2020", "en": "per month 2025 and 2020"},
    "timeline": {"nl": "per maand sinds 2019", "fr": "par mois depuis 2019", "en": "monthly since 2019"},
    "quarters": {"nl": "per kwartaal 2020", "fr": "par trimestre 2020", "en": "quarterly 2020"},
    "top": {"nl": "top 5 landen 2020", "fr": "top 5 pays 2020", "en": "top 5 countries 2020"},
    "profile": {"nl": "profiel 2020", "fr": "profil 2020", "en": "profile 2020"},
}
KINDS = {"years": "years", "months": "months", "overlay": "months", "timeline": "months", "quarters": "quarters",
         "top": "top", "profile": "profile"}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.load()


def drawing(pipeline, question):
    reply = pipeline.ask(question)
    kind = chart_kind(reply.answer)
    assert kind is not None, question
    return reply, _Drawing(reply.answer, pipeline.renderer(reply.lang), kind)


def texts(fig) -> list[str]:
    """Every text drawn on the figure: title, ticks, labels, legends, notes."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


@pytest.mark.parametrize("name", QUESTIONS)
@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_every_chart_type_is_a_sensible_png_in_every_language(pipeline, name, lang):
    reply = pipeline.ask(QUESTIONS[name][lang])
    assert (reply.status, reply.lang, chart_kind(reply.answer)) == ("ok", lang, KINDS[name])
    png = chart_png(reply.answer, pipeline.renderer(lang))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    # The plot is 1080 x 672; the footnotes, the calculated note and the source add their lines under it.
    assert width == 1080 and 672 < height < 1100
    assert 20_000 < len(png) < 400_000


def test_answers_without_a_chart(pipeline):
    for question in ["hoeveel terugkeerders in maart 2020", "compare 2019 and 2020", "top 1 countries 2020",
                     "combien de retours en décembre 2025 ?", "how many deportations in 2020", "help",
                     "top 5 countries 2020 and 2025"]:
        assert chart_kind(pipeline.ask(question).answer) is None, question


def test_yearly_chart_marks_the_partial_year_and_the_footnoted_years(data_copy):
    # The made-up third sheet (tests/support/fixture_sheet.py) gives 2026 for January-March only.
    pipeline = Pipeline.load(add_third_sheet(data_copy))
    reply, draw = drawing(pipeline, "evolutie sinds 2007")
    fig = draw.figure()
    shown = texts(fig)
    assert "Vrijwillige terugkeer uit België per jaar, 2007-2026" in shown
    assert "januari-maart 2026: geen volledig jaar" in shown
    assert "780" in shown and "5.656" in shown   # the fixture's line 10; 2020.txt:84, 2012
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    numbers = {fid: n for n, fid in enumerate(reply.answer.footnotes, start=1)}
    balkan = "¹²³⁴"[numbers["balkan_bus_2011"] - 1]
    assert ticks[0] == "2007" and ticks[4] == "2011" + balkan
    bars = fig.axes[0].patches
    assert bars[-1].get_hatch() == "//" and not bars[0].get_hatch()
    assert any("\nBronnen: Fedasil/IOM/DVZ" in t for t in shown)   # under the notes line


def test_monthly_timeline_leaves_a_named_gap_without_figures(pipeline):
    _, draw = drawing(pipeline, "per maand sinds 2019")
    fig = draw.figure()
    line = fig.axes[0].get_lines()[0]
    values = list(line.get_ydata())
    # 2019-01 .. 2025-09 is 81 months; 2021-2024 (48 months) have no figures: gaps, no line across.
    assert len(values) == 81 and sum(math.isnan(v) for v in values) == 48
    assert values[0] == 197 and values[-1] == 237   # January 2019 (2020.txt:40), September 2025 (2025.txt:142)
    assert "geen maandcijfers\n2021-2024" in texts(fig)


def test_month_names_and_numbers_follow_the_language(pipeline):
    for question, months, number in [("per maand 2020", ["jan", "feb", "mrt"], "223"),
                                     ("évolution mensuelle 2020", ["janv.", "févr.", "mars"], "223"),
                                     ("per month 2020", ["Jan", "Feb", "Mar"], "223")]:
        _, draw = drawing(pipeline, question)
        fig = draw.figure()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert ticks[:3] == months, question
        assert number + "¹" in texts(fig)   # January 2020, 2020.txt:40, with the Dublin note's mark
    _, draw = drawing(pipeline, "évolution depuis 2007")
    assert "5\u202f656" in texts(draw.figure())   # French groups thousands with a narrow no-break space


def test_overlay_draws_one_line_per_year_named_in_the_title(pipeline):
    _, draw = drawing(pipeline, "per month 2025 and 2020")
    fig = draw.figure()
    lines = fig.axes[0].get_lines()
    assert [entry.get_label() for entry in lines] == ["2025¹", "2020¹\u00a0²"]   # Dublin on both, COVID-19 on 2020
    assert list(lines[1].get_ydata())[3] == 61   # April 2020, 2020.txt:45
    assert sum(math.isnan(v) for v in lines[0].get_ydata()) == 3   # 2025: no October-December
    assert fig.texts[0].get_text().startswith("Voluntary returns from Belgium per month, 2025 and 2020")


def test_top_and_profile_name_countries_and_categories_in_the_language(pipeline):
    _, draw = drawing(pipeline, "top 5 pays 2020")
    fig = draw.figure()
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert names[0] == "Brésil" and "480 (26,0\u00a0%)" in texts(fig)   # 2020.txt: Brazil 480 of 1,847
    _, draw = drawing(pipeline, "profiel januari tot september 2025")
    fig = draw.figure()
    assert "43,4%" in " ".join(texts(fig)).replace("\u00a0", "")   # 2025.txt: irregular residence 43.4%


def test_a_saved_chart_carries_its_caveats_and_its_exact_period(pipeline):
    """The top 5 of 2025 is the fact sheet's January-September list (2025.txt:252-260: Brazil
    685 ...): its title says so, and the footnotes' texts are on the image, in the language."""
    reply, draw = drawing(pipeline, "top 5 nationalities 2025")
    fig = draw.figure()
    shown = texts(fig)
    title = fig.texts[0].get_text().replace("\n", " ")
    assert "from January to September 2025" in title and "fact sheet" in title
    notes = next(t for t in shown if "Excludes voluntary departures under the Dublin Regulation" in t)
    assert "cover January-September 2025 only" in notes and "are nationalities, not countries of destination" in notes
    assert "Source: Fedasil/IOM/Immigration Office" in notes and "see the notes" not in " ".join(shown)
    # The release's list of places (Brazil ... Türkiye, no counts) is not drawn, nor named as a source.
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][0] == "Brazil" and "685 (28.6%)" in shown
    assert "3.122 retours volontaires" not in notes
    _, draw = drawing(pipeline, "top 5 nationaliteiten 2025")
    notes = next(t for t in texts(draw.figure()) if "Dublin-conventie" in t)
    assert "gaan alleen over januari-september 2025" in notes and notes.splitlines()[0].startswith("¹ Zonder")


def test_a_top_list_shows_other_countries_as_the_bar_it_is(pipeline):
    _, draw = drawing(pipeline, "top 10 2020")
    fig = draw.figure()
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # 2020.txt: Brazil 480 ... Russia 58, "Andere 618", total 1.847: the largest group of all
    assert names[0] == "Brazil" and names[-1] == "Other countries" and len(names) == 11
    widths = [bar.get_width() for bar in fig.axes[0].patches]
    assert widths[-1] == 618 and widths[0] == 480
    assert "618 (33.5%)" in texts(fig)
    _, draw = drawing(pipeline, "top 10 pays 2020")
    assert [t.get_text() for t in draw.figure().axes[0].get_yticklabels()][-1] == "Autres pays"


def test_profiles_of_2020_and_2025_side_by_side(pipeline):
    """2020 (2020.txt:136-140: 20, 24, 56%), 2025 from the release of 3 February 2026 (p9: 27%,
    27%, about half) and January-September 2025 (2025.txt:274-284: 27.2, 28.7, 43.4%)."""
    reply, draw = drawing(pipeline, "profile 2020 and 2025")
    assert chart_kind(reply.answer) == "profile"
    fig = draw.figure()
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["2020", "2025", "January-September 2025"]
    widths = [round(bar.get_width(), 3) for bar in fig.axes[0].patches]
    assert widths == [0.2, 0.24, 0.56, 0.27, 0.27, 0.5, 0.272, 0.287, 0.434]
    assert "about 50%" in texts(fig)
    assert fig.texts[0].get_text().startswith("Profile of voluntary returnees: 2020, 2025 and January")


def test_a_vector_chart_for_print(pipeline, tmp_path):
    reply = pipeline.ask("top 10 2020")
    svg = chart_svg(reply.answer, pipeline.renderer("en"))
    assert svg.startswith(b"<?xml") and b"<svg" in svg[:400] and b"<dc:date>" not in svg
    assert chart_svg(reply.answer, pipeline.renderer("en")) == svg   # the same chart, the same file
    from conftest import run_cli

    target = tmp_path / "chart.svg"
    result = run_cli("ask", "--chart", str(target), "top 10 2020")
    assert result.returncode == 0 and target.read_bytes().startswith(b"<?xml")



@pytest.mark.parametrize("name", QUESTIONS)
@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_every_note_under_the_plot_is_marked_on_it(pipeline, name, lang):
    """A note's text under the plot, its mark on the title or on what it governs."""
    _, draw = drawing(pipeline, QUESTIONS[name][lang])
    fig = draw.figure()
    notes = next(t for t in texts(fig) if t.startswith("¹")) if draw.answer.footnotes else ""
    marked = " ".join(t for t in texts(fig) if t != notes)
    for n in range(1, len(draw.answer.footnotes) + 1):
        mark = str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        assert f"\n{mark} " in "\n" + notes and mark in marked, (name, lang, n, marked)
