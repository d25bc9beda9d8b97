"""Every figure of both fact sheets, found through the query layer.

Each test builds a program (intents.program), runs it with `pipeline.engine.run(request,
today)` and checks the figures of the `Answer`: value and source reference
(file:line). No test reads the CSV tables back: every expected value below is written
out by hand from data/sources/*.txt (the printed line is quoted in a comment), and
every derived value (sums, differences, shares, averages) is computed by hand.
"""
import datetime as dt
from collections import Counter

import pytest

from intents.models import Period
from intents.program import Compare, Group, Mean, Pick, Request, Select, Share

TODAY = dt.date(2026, 11, 22)
S20 = "fedasil-vrijwillige-terugkeer-2020.txt"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
TOL = 1e-5  # hand-written ratios carry 5 decimals


def l20(*lines):
    return tuple(f"{S20}:{n}" for n in lines)


def l25(*lines):
    return tuple(f"{S25}:{n}" for n in lines)


# The releases' pages, cited by paragraph (data/sources.csv gives their URLs).
ANNUAL_REPORT_2012 = "https://www.fedasil.be/fr/node/3563"          # release-2013-10-16, "Jaarverslag 2012"
HALF_YEAR_2012 = "http://fedasil.be/fr/actualites/2400-migrants-sont-retournes-volontairement-en-2012"
HALF_YEAR_2013 = "https://fedasil.be/fr/node/2927"                   # release-nd-2013-h1
HALF_YEAR_2014 = "https://fedasil.be/fr/node/3100"                   # release-2014-07-15
FIGURES_2017 = "https://www.fedasil.be/nl/cijfers"                   # release-nd-2017-cijfers-12
ANNUAL_REPORT_2020 = "http://fedasil.be/nl/nieuws/opvang-asielzoekers/jaarverslag-2020"  # release-2021-05-21
# 2020's total: the latest publication that prints it, the annual report (2020.txt:63 prints it too).
A2020 = (f"{ANNUAL_REPORT_2020}#p9",)
# The 2025 fact sheet's figures are of January-September 2025 (a later release gives the
# whole year): the tests of its figures ask for those months.
JAN_SEP_2025 = Period((2025, 1), (2025, 9))
PERIOD_OF = {2025: JAN_SEP_2025}


# ---- helpers ---------------------------------------------------------------------------
def run(pipeline, program, today=TODAY):
    return pipeline.engine.run(Request("figures", program), today)


def org_of(orgs):
    """The organisation of a program's selection: the one named, else both together."""
    return orgs[0] if orgs else "total"


def compare(periods, orgs):
    """Two periods of one organisation, or one period of two organisations."""
    if len(periods) == 2:
        return Compare(Select(periods[0], org_of(orgs)), Select(periods[1], org_of(orgs)))
    return Compare(Select(periods[0], orgs[0]), Select(periods[0], orgs[1]))


def describe(answer):
    return f"status={answer.status} lines={[line.key for line in answer.lines]} figures=" + \
        str([(f.value, f.kind, f.sources) for f in answer.figures])


def find(answer, value, sources):
    return [f for f in answer.figures
            if abs(f.value - value) <= TOL and sorted(f.sources) == sorted(sources)]


def has(answer, value, sources):
    assert find(answer, value, sources), f"no figure {value} from {sources}: {describe(answer)}"


def exactly(answer, expected):
    """The answer states exactly these figures (value, sources), no more, no fewer."""
    got = Counter((round(f.value, 5), tuple(sorted(f.sources))) for f in answer.figures)
    want = Counter((round(v, 5), tuple(sorted(s))) for v, s in expected)
    assert got == want, describe(answer)


def keys(answer):
    return [line.key for line in answer.lines]


def counts(answer):
    """The count figures in the order the answer states them."""
    return [(f.value, f.sources) for f in answer.figures if f.kind == "count"]


# ---- 2019 monthly totals: 2020 sheet, column "totaal 2019 (fedasil+dvz)" -------------
MONTHS_2019 = [
    (1, 197, 39),   # 2020.txt:39 "Januari 222 1 223 197"
    (2, 235, 41),   # 2020.txt:41 "Februari 222 0 222 235"
    (3, 260, 43),   # 2020.txt:43 "Maart 111 1 112 260"
    (4, 185, 45),   # 2020.txt:45 "April 61 0 61 185"
    (5, 207, 47),   # 2020.txt:47 "Mei 67 0 67 207"
    (6, 163, 49),   # 2020.txt:49 "Juni 130 0 130 163"
    (7, 258, 51),   # 2020.txt:51 "Juli 151 2 153 258"
    (8, 231, 53),   # 2020.txt:53 "Augustus 147 2 149 231"
    (9, 173, 55),   # 2020.txt:55 "September 179 0 179 173"
    (10, 166, 57),  # 2020.txt:57 "Oktober 130 0 130 166"
    (11, 170, 59),  # 2020.txt:59 "November 204 12 216 170"
    (12, 181, 61),  # 2020.txt:61 "December 203 2 205 181"
]

# ---- 2020 monthly: (month, fedasil, dvz, total, line), same lines of the 2020 sheet ----
MONTHS_2020 = [
    (1, 222, 1, 223, 39),
    (2, 222, 0, 222, 41),
    (3, 111, 1, 112, 43),
    (4, 61, 0, 61, 45),
    (5, 67, 0, 67, 47),
    (6, 130, 0, 130, 49),
    (7, 151, 2, 153, 51),
    (8, 147, 2, 149, 53),
    (9, 179, 0, 179, 55),
    (10, 130, 0, 130, 57),
    (11, 204, 12, 216, 59),
    (12, 203, 2, 205, 61),
]

# ---- 2025 monthly: (month, fedasil, fedasil line, dvz, total, line of "dvz total") ------
MONTHS_2025 = [
    (1, 227, 90, 2, 229, 93),     # 2025.txt:90 "227", :93 "2 229"
    (2, 304, 96, 2, 306, 99),     # :96 "304", :99 "2 306"
    (3, 260, 102, 10, 270, 105),  # :102 "260", :105 "10 270"
    (4, 275, 108, 1, 276, 111),   # :108 "275", :111 "1 276"
    (5, 272, 114, 1, 273, 117),   # :114 "272", :117 "1 273"
    (6, 232, 120, 8, 240, 123),   # :120 "232", :123 "8 240"
    (7, 275, 126, 2, 277, 129),   # :126 "275", :129 "2 277"
    (8, 275, 132, 14, 289, 135),  # :132 "275", :135 "14 289"
    (9, 231, 138, 6, 237, 141),   # :138 "231", :141 "6 237"
]

# ---- yearly totals: (year, returns, source) ---------------------------------------------
YEARLY = [
    (2007, 2593, l20(94)),   # 2020.txt:94 "2007: 2.593"
    (2008, 2669, l20(92)),   # 2020.txt:92 "2008: 2.669"
    (2009, 2659, l20(90)),   # 2020.txt:90 "2009: 2.659"
    (2010, 2957, l20(88)),   # 2020.txt:88 "2010: 2.957"
    (2011, 3358, l20(86)),   # 2020.txt:86 "2011: 3.358**"
    (2012, 5656, l20(84)),   # 2020.txt:84 "2012: 5.656"
    (2013, 4585, l20(82)),   # 2020.txt:82 "2013: 4.585*"
    (2014, 3587, l20(80)),   # 2020.txt:80 "2014: 3.587*"
    (2015, 4053, l20(78)),   # 2020.txt:78 "2015: 4.053*"
    (2016, 4267, l20(76)),   # 2020.txt:76 "2016: 4.267*"
    (2017, 3827, l20(74)),   # 2020.txt:74 "2017: 3.827*"
    (2018, 2994, l20(72)),   # 2020.txt:72 "2018: 2.994*"
    (2019, 2426, l20(70)),   # 2020.txt:70 "2019: 2.426*"
    # 2020.txt:63 "totaal 1.827 20 1.847* 2.426*"; the annual report 2020 (published later) prints it too
    (2020, 1847, (f"{ANNUAL_REPORT_2020}#p9",)),
    (2021, 1965, l25(248)),  # 2025.txt:248 "2021: 1 965"
    (2022, 2673, l25(246)),  # 2025.txt:246 "2022: 2 673"
    (2023, 2952, l25(244)),  # 2025.txt:244 "2023: 2 952"
    (2024, 3267, l25(242)),  # 2025.txt:242 "2024: 3 267"
    (2025, 2397, l25(240)),  # 2025.txt:240 "2025: 2 397 (jan-sept)"
]

# ---- organisation totals: (year, organisation, returns, source) ------------------------
ORG_TOTALS = [
    (2020, "fedasil", 1827, l20(63)),  # 2020.txt:63 "totaal 1.827 20 1.847* 2.426*"
    (2020, "dvz", 20, l20(63)),
    (2025, "fedasil", 2351, l25(161)),  # 2025.txt:161 "Totaal 2351 46 2397"
    (2025, "dvz", 46, l25(161)),
]

# ---- countries: (rank, iso, returns, line, share of the year's total) -------------------
TOP_2020 = [  # countries of destination; share = returns / 1847
    (1, "BR", 480, 107, 0.25988),  # 2020.txt:107 "Brazilië 480"
    (2, "SV", 134, 109, 0.07255),  # :109 "El Salvador 134"
    (3, "GE", 104, 111, 0.05631),  # :111 "Georgië 104"
    (4, "MN", 96, 113, 0.05198),   # :113 "Mongolië 96"
    (5, "RO", 87, 115, 0.04710),   # :115 "Roemenië 87"
    (6, "UA", 83, 117, 0.04494),   # :117 "Oekraïne 83"
    (7, "CO", 68, 119, 0.03682),   # :119 "Colombia 68"
    (8, "AL", 60, 121, 0.03249),   # :121 "Albanië 60"
    (9, "BY", 59, 123, 0.03194),   # :123 "Wit-Rusland 59"
    (10, "RU", 58, 125, 0.03140),  # :125 "Rusland 58"
]
OTHER_2020 = (618, 127, 0.33460)  # 2020.txt:127 "Andere 618"; 618 / 1847
TOP_2025 = [  # nationalities; share = returns / 2397 (January-September)
    (1, "BR", 685, 252, 0.28577),  # 2025.txt:252 "Brazilië  685"
    (2, "MD", 265, 254, 0.11055),  # :254 "Moldavië 265"
    (3, "SY", 187, 256, 0.07801),  # :256 "Syrië 187"
    (4, "TR", 118, 258, 0.04923),  # :258 "Turkije  118"
    (5, "CO", 100, 260, 0.04172),  # :260 "Colombia 100"
    (6, "GE", 99, 262, 0.04130),   # :262 "Georgië 99"
]

# ---- categories --------------------------------------------------------------------------
CATEGORIES_2020 = [  # (category, returns, percent as printed / 100, line); total 1.847 at :142
    ("applicants", 367, 0.20, 136),  # 2020.txt:136 "367 20"
    ("rejected", 441, 0.24, 138),    # 2020.txt:138 "Uitgeprocedeerde verzoekers 441 24"
    ("irregular", 1039, 0.56, 140),  # 2020.txt:140 "Migranten zonder wettig verblijf 1.039 56"
]
CATEGORIES_2025 = [  # (category, percent / 100, line): no counts printed
    ("applicants", 0.272, 274),  # 2025.txt:274 "27,2%"
    ("rejected", 0.287, 279),    # 2025.txt:279 "Uitgeprocedeerde verzoekers 28,7%"
    ("irregular", 0.434, 284),   # 2025.txt:284 "Migranten zonder wettig verblijf 43,4%"
]


# =========================================================================================
# 1. Every printed figure
# =========================================================================================
@pytest.mark.parametrize("month,total,line", MONTHS_2019)
def test_month_2019_total(pipeline, month, total, line):
    answer = run(pipeline, Select(Period.month(2019, month)))
    assert answer.status == "ok"
    exactly(answer, [(total, l20(line))])  # 2019 has no Fedasil/DVZ split


@pytest.mark.parametrize("month,fedasil,dvz,total,line", MONTHS_2020)
def test_month_2020_split(pipeline, month, fedasil, dvz, total, line):
    answer = run(pipeline, Select(Period.month(2020, month)))
    assert answer.status == "ok"
    exactly(answer, [(total, l20(line)), (fedasil, l20(line)), (dvz, l20(line))])


@pytest.mark.parametrize("month,fedasil,dvz,total,line", MONTHS_2020)
@pytest.mark.parametrize("org", ["fedasil", "dvz"])
def test_month_2020_by_organisation(pipeline, org, month, fedasil, dvz, total, line):
    answer = run(pipeline, Select(Period.month(2020, month), org))
    assert answer.status == "ok"
    exactly(answer, [({"fedasil": fedasil, "dvz": dvz}[org], l20(line))])


@pytest.mark.parametrize("month,fedasil,fline,dvz,total,line", MONTHS_2025)
def test_month_2025_split(pipeline, month, fedasil, fline, dvz, total, line):
    answer = run(pipeline, Select(Period.month(2025, month)))
    assert answer.status == "ok"
    exactly(answer, [(total, l25(line)), (fedasil, l25(fline)), (dvz, l25(line))])


@pytest.mark.parametrize("month,fedasil,fline,dvz,total,line", MONTHS_2025)
@pytest.mark.parametrize("org", ["fedasil", "dvz"])
def test_month_2025_by_organisation(pipeline, org, month, fedasil, fline, dvz, total, line):
    answer = run(pipeline, Select(Period.month(2025, month), org))
    assert answer.status == "ok"
    expected = (fedasil, l25(fline)) if org == "fedasil" else (dvz, l25(line))
    exactly(answer, [expected])


# What a year's answer gives beside its total: its split where a publication gives one, and
# another publication's figure over part of the year.
BESIDE = {
    2012: [(4694, (f"{ANNUAL_REPORT_2012}#p3",)), (962, (f"{ANNUAL_REPORT_2012}#p3",)),  # Fedasil + DVZ
           (2400, (f"{HALF_YEAR_2012}#p3",))],  # January-June
    2013: [(2544, (f"{HALF_YEAR_2013}#p2",))],  # January-June
    2014: [(1769, (f"{HALF_YEAR_2014}#p3",))],  # January-June
    2017: [(3531, (f"{FIGURES_2017}#p5",))],    # January-November
    # Other publications' round figures for the same total, named beside it:
    2018: [(3000, ("https://www.fedasil.be/nl/nieuws/vrijwillige-terugkeer/2018-keerden-3000-mensen-vrijwillig-terug#p1",)),
           (3000, ("https://fedasil.prezly.com/jaarverslag-2018#p12",))],  # the headline; the annual report 2018
    2019: [(2500, ("https://www.fedasil.be/nl/nieuws/vrijwillige-terugkeer/2500-personen-keerden-vrijwillig-terug-2019#p1",)),
           (2500, ("https://www.fedasil.be/nl/nieuws/opvang-asielzoekers/jaarverslag-2019#p8",))],  # "zo'n 2500"
    2021: [(2000, ("http://www.fedasil.be/nl/nieuws/vrijwillige-terugkeer/1965-vrijwillige-terugkeren-2021#p2",))],  # "bijna"
    2023: [(3000, ("https://fedasil.be/nl/node/11817#p1",))],  # the headline
}


@pytest.mark.parametrize("year,returns,source", YEARLY)
def test_year_total(pipeline, year, returns, source):
    answer = run(pipeline, Select(PERIOD_OF.get(year, Period.year(year))))
    assert answer.status == "ok"
    split = [(v, s) for y, _, v, s in ORG_TOTALS if y == year]  # only 2020 and 2025
    exactly(answer, [(returns, source), *split, *BESIDE.get(year, [])])


@pytest.mark.parametrize("year,org,returns,source", ORG_TOTALS)
def test_organisation_total(pipeline, year, org, returns, source):
    answer = run(pipeline, Select(Period.year(year), org))
    # 2025's split covers January-September only (2025.txt:161): the year's figure is not published
    assert answer.status == ("no_data" if year == 2025 else "ok")
    exactly(answer, [(returns, source)])


def test_top_10_2020_with_other(pipeline):
    answer = run(pipeline, Pick(Group(Select(Period.year(2020)), "country"), "max", 1, None))
    assert answer.status == "ok"
    expected = [(v, l20(line)) for _, _, v, line, _ in TOP_2020]
    expected += [(OTHER_2020[0], l20(OTHER_2020[1])), (1847, l20(63))]  # "Andere 618", year total
    assert counts(answer) == expected, describe(answer)
    for _, _, _, line, share in TOP_2020:
        has(answer, share, l20(line, 63))
    has(answer, OTHER_2020[2], l20(OTHER_2020[1], 63))


def test_top_6_2025(pipeline):
    answer = run(pipeline, Pick(Group(Select(JAN_SEP_2025), "country"), "max", 1, None))
    assert answer.status == "ok"
    expected = [(v, l25(line)) for _, _, v, line, _ in TOP_2025] + [(2397, l25(240))]
    assert counts(answer) == expected, describe(answer)  # no "other" row in 2025
    for _, _, _, line, share in TOP_2025:
        has(answer, share, l25(line, 240))


# (year, its top list, the year's total the shares are taken of with its line, how many the sheet lists)
COUNTRY_YEARS = [(2020, TOP_2020, 1847, 63, 10),   # 1.847 (2020.txt:63)
                 (2025, TOP_2025, 2397, 240, 6)]   # 2 397 (2025.txt:240)


@pytest.mark.parametrize("year,rank,iso,returns,line,share,total,total_line,listed", [
    (year, *row, total, total_line, listed) for year, rows, total, total_line, listed in COUNTRY_YEARS for row in rows])
def test_country(pipeline, year, rank, iso, returns, line, share, total, total_line, listed):
    ref = l20 if year == 2020 else l25
    answer = run(pipeline, Select(PERIOD_OF.get(year, Period.year(year)), country=iso))
    assert answer.status == "ok"
    exactly(answer, [(returns, ref(line)), (share, ref(line, total_line)), (total, ref(total_line))])
    (figure,) = [x for x in answer.lines if x.key == "country.figure"]
    assert figure.params["rank"] == rank
    assert figure.params["n"].value == listed


@pytest.mark.parametrize("rank,iso,returns,line,share", [TOP_2025[2]])
def test_country_share(pipeline, rank, iso, returns, line, share):
    answer = run(pipeline, Share(Select(JAN_SEP_2025, country=iso), Select(JAN_SEP_2025)))
    assert answer.status == "ok"
    exactly(answer, [(returns, l25(line)), (share, l25(line, 240)), (2397, l25(240))])
    assert keys(answer) == ["share.country"]


def test_categories_2020(pipeline):
    answer = run(pipeline, Group(Select(Period.year(2020)), "category"))
    assert answer.status == "ok"
    for _, returns, pct, line in CATEGORIES_2020:
        has(answer, returns, l20(line))
        has(answer, pct, l20(line))
    has(answer, 1847, l20(142))  # 2020.txt:142 "totaal 1.847"
    stated = sorted(f.value for f in answer.figures if f.kind == "count" and f.value != 1847)
    assert stated == [367, 441, 1039]


@pytest.mark.parametrize("category,returns,pct,line", CATEGORIES_2020)
def test_one_category_2020(pipeline, category, returns, pct, line):
    answer = run(pipeline, Select(Period.year(2020), category=category))
    assert answer.status == "ok"
    exactly(answer, [(returns, l20(line)), (pct, l20(line)), (1847, l20(142))])


def test_categories_2025_percentages_only(pipeline):
    answer = run(pipeline, Group(Select(JAN_SEP_2025), "category"))
    assert answer.status == "ok"
    exactly(answer, [(pct, l25(line)) for _, pct, line in CATEGORIES_2025])
    assert not [f for f in answer.figures if f.kind == "count"]  # no counts in the 2025 sheet
    assert "categories.pct_only" in keys(answer)


# =========================================================================================
# 2. The query functions
# =========================================================================================
COUNTS = [
    pytest.param(Period((2020, 1), (2020, 3)),  # 223+222+112 / 222+222+111 / 1+0+1
                 (), [(557, l20(39, 41, 43)), (555, l20(39, 41, 43)), (2, l20(39, 41, 43))], id="range-jan-mar-2020"),
    pytest.param(Period.quarter(2019, 1),  # 197+235+260
                 (), [(692, l20(39, 41, 43))], id="q1-2019"),
    pytest.param(Period.quarter(2019, 4),  # 166+170+181
                 (), [(517, l20(57, 59, 61))], id="q4-2019"),
    pytest.param(Period.quarter(2025, 3),  # 277+289+237 / 275+275+231 / 2+14+6
                 (), [(803, l25(129, 135, 141)), (781, l25(126, 132, 138)), (22, l25(129, 135, 141))], id="q3-2025"),
    pytest.param(Period.half(2020, 2),  # 153+149+179+130+216+205 / 151+147+179+130+204+203 / 2+2+0+0+12+2
                 (), [(1032, l20(51, 53, 55, 57, 59, 61)), (1014, l20(51, 53, 55, 57, 59, 61)),
                      (18, l20(51, 53, 55, 57, 59, 61))], id="h2-2020"),
    pytest.param(Period.half(2025, 1),  # 229+306+270+276+273+240 / 227+304+260+275+272+232 / 2+2+10+1+1+8
                 (), [(1594, l25(93, 99, 105, 111, 117, 123)), (1570, l25(90, 96, 102, 108, 114, 120)),
                      (24, l25(93, 99, 105, 111, 117, 123))], id="h1-2025"),
    pytest.param(Period.years(2021, 2024),  # 1965+2673+2952+3267, then each year
                 (), [(10857, l25(248, 246, 244, 242)), (1965, l25(248)), (2673, l25(246)), (2952, l25(244)),
                      (3267, l25(242))], id="years-2021-2024"),
    pytest.param(Period.quarter(2025, 1),  # dvz 2+2+10
                 ("dvz",), [(14, l25(93, 99, 105))], id="dvz-q1-2025"),
    pytest.param(Period.half(2020, 1),  # fedasil 222+222+111+61+67+130
                 ("fedasil",), [(813, l20(39, 41, 43, 45, 47, 49))], id="fedasil-h1-2020"),
    pytest.param(Period.year(2020), ("dvz",), [(20, l20(63))], id="dvz-2020"),
]


@pytest.mark.parametrize("period,orgs,expected", COUNTS)
def test_count(pipeline, period, orgs, expected):
    answer = run(pipeline, Select(period, org_of(orgs)))
    assert answer.status == "ok"
    exactly(answer, expected)


def test_fedasil_2025_is_the_published_part_and_no_figure_for_the_year(pipeline):
    answer = run(pipeline, Select(Period.year(2025), "fedasil"))
    assert answer.status == "no_data"
    exactly(answer, [(2351, l25(161))])
    assert "count.clipped" in keys(answer)


def test_count_second_half_2025_is_clipped_to_september(pipeline):
    answer = run(pipeline, Select(Period.half(2025, 2)))
    assert answer.status == "no_data"
    exactly(answer, [(803, l25(129, 135, 141)), (781, l25(126, 132, 138)), (22, l25(129, 135, 141))])
    assert "count.clipped" in keys(answer)


def test_split_adds_up_for_a_range_across_2019_and_2020(pipeline):
    # Nov 2019-Feb 2020: 170+181+223+222 = 796 (2020.txt:59,61,39,41); 2019 has no split, so
    # a Fedasil/DVZ split of the 2020 months only (444 + 1) must not stand beside it.
    answer = run(pipeline, Select(Period((2019, 11), (2020, 2))))
    assert answer.status == "ok"
    has(answer, 796, l20(59, 61, 39, 41))
    for line in answer.lines:
        if {"fedasil", "dvz", "total"} <= set(line.params):
            p = line.params
            assert p["fedasil"].value + p["dvz"].value == p["total"].value, describe(answer)


def test_range_over_years_without_months_is_not_undercounted(pipeline):
    # Summing only the published months would give 216+205+229+306 = 956 for the whole span.
    # Nov-Dec 2020: 216+205 = 421; 2021-2024: 1965+2673+2952+3267 = 10857; Jan-Feb 2025: 229+306 = 535
    answer = run(pipeline, Select(Period((2020, 11), (2025, 2))))
    assert answer.status != "ok" or find(answer, 11813, l20(59, 61) + l25(248, 246, 244, 242, 93, 99)) \
        or "count.clipped" in keys(answer), describe(answer)
    assert not find(answer, 956, l20(59, 61) + l25(93, 99))


# The change a publication prints for the same two years, beside the calculated one.
JAARVERSLAG_2020_P9 = "http://fedasil.be/nl/nieuws/opvang-asielzoekers/jaarverslag-2020#p9"
RELEASE_2025_01_31_P3 = "https://fedasil.be/fr/actualites/retour-volontaire/3267-retours-volontaires-en-2024#p3"

COMPARES = [
    # 1847 (2020.txt:63) against 2426 (2020.txt:70): 579 fewer, -579/2426; "-24%" printed in the
    # 2020 annual report (p9) and the 2020 release (p2): named once, from the newer (21 May 2021)
    pytest.param((Period.year(2019), Period.year(2020)), (), 1847, A2020, 2426, l20(70), 579, -0.23866,
                 [(-0.24, (JAARVERSLAG_2020_P9,))], "compare.less", id="2020-vs-2019"),
    # March: 112 (2020.txt:43 col 3) against 260 (2020.txt:43 col 4): 148 fewer, -148/260
    pytest.param((Period.month(2020, 3), Period.month(2019, 3)), (), 112, l20(43), 260, l20(43), 148, -0.56923,
                 [], "compare.less", id="march-2020-vs-2019"),
    # 3267 (2025.txt:242) against 2952 (2025.txt:244): 315 more, 315/2952; the release of
    # 31 January 2025 (p3) prints "quelque 11%"
    pytest.param((Period.year(2023), Period.year(2024)), (), 3267, l25(242), 2952, l25(244), 315, 0.10671,
                 [(0.11, (RELEASE_2025_01_31_P3,))], "compare.more", id="2024-vs-2023"),
    # Fedasil 1827 against DVZ 20 in 2020 (2020.txt:63): 1807 more, 1807/20
    pytest.param((Period.year(2020),), ("fedasil", "dvz"), 1827, l20(63), 20, l20(63), 1807, 90.35,
                 [], "compare_orgs.more", id="fedasil-vs-dvz-2020"),
    # Fedasil 2351 against DVZ 46 in 2025 (2025.txt:161): 2305 more, 2305/46
    pytest.param((Period.year(2025),), ("fedasil", "dvz"), 2351, l25(161), 46, l25(161), 2305, 50.10870,
                 [], "compare_orgs.more", id="fedasil-vs-dvz-2025"),
]


@pytest.mark.parametrize("periods,orgs,a,a_src,b,b_src,diff,pct,printed,key", COMPARES)
def test_compare(pipeline, periods, orgs, a, a_src, b, b_src, diff, pct, printed, key):
    answer = run(pipeline, compare(periods, orgs))
    assert answer.status == "ok"
    exactly(answer, [(a, a_src), (b, b_src), (diff, a_src + b_src), (pct, a_src + b_src), *printed])
    assert keys(answer) == [key] + ["compare.published"] * len(printed)


def test_series_of_years(pipeline):
    answer = run(pipeline, Group(Select(Period.years(2015, 2020)), "year"))
    assert answer.status == "ok"
    expected = [(v, s) for y, v, s in YEARLY if 2015 <= y <= 2020]
    assert counts(answer) == expected, describe(answer)
    has(answer, -0.54429, l20(78) + A2020)  # (1847 - 4053) / 4053


def test_series_2007_2024(pipeline):
    answer = run(pipeline, Group(Select(Period.years(2007, 2024)), "year"))
    assert counts(answer) == [(v, s) for y, v, s in YEARLY if y <= 2024], describe(answer)
    has(answer, 0.25993, l20(94) + l25(242))  # 2007 -> 2024: (3267 - 2593) / 2593


def test_series_of_months_2019(pipeline):
    answer = run(pipeline, Group(Select(Period.year(2019)), "month"))
    assert answer.status == "ok"
    assert counts(answer) == [(v, l20(line)) for _, v, line in MONTHS_2019], describe(answer)


def test_series_of_months_2025(pipeline):
    answer = run(pipeline, Group(Select(Period.year(2025)), "month"))
    assert answer.status == "ok"
    expected = []
    for _, fedasil, fline, dvz, total, line in MONTHS_2025:
        expected += [(total, l25(line)), (fedasil, l25(fline)), (dvz, l25(line))]
    assert counts(answer) == expected, describe(answer)


EXTREMES = [
    pytest.param(Period.year(2019), "max", (), "month", 260, l20(43), id="max-month-2019"),  # March
    pytest.param(Period.year(2019), "min", (), "month", 163, l20(49), id="min-month-2019"),  # June
    pytest.param(Period.year(2020), "max", (), "month", 223, l20(39), id="max-month-2020"),  # January
    pytest.param(Period.year(2020), "min", (), "month", 61, l20(45), id="min-month-2020"),  # April
    pytest.param(JAN_SEP_2025, "max", (), "month", 306, l25(99), id="max-month-2025"),  # February
    pytest.param(JAN_SEP_2025, "min", (), "month", 229, l25(93), id="min-month-2025"),  # January
    pytest.param(JAN_SEP_2025, "max", ("dvz",), "month", 14, l25(135), id="max-month-dvz-2025"),  # August
    # Fedasil 2020: January and February both 222
    pytest.param(Period.year(2020), "max", ("fedasil",), "month", 222, l20(39, 41), id="max-month-fedasil-2020-tie"),
    pytest.param(Period.years(2007, 2025), "max", (), "year", 5656, l20(84), id="max-year-2007-2025"),  # 2012
    pytest.param(Period.years(2007, 2025), "min", (), "year", 1847, A2020, id="min-year-2007-2025"),
    pytest.param(Period.years(2021, 2025), "max", (), "year", 3267, l25(242), id="max-year-2021-2025"),  # 2024
    pytest.param(Period.years(2021, 2025), "min", (), "year", 1965, l25(248), id="min-year-2021-2025"),  # 2021
]


@pytest.mark.parametrize("period,extreme,orgs,grain,value,sources", EXTREMES)
def test_extreme(pipeline, period, extreme, orgs, grain, value, sources):
    answer = run(pipeline, Pick(Group(Select(period, org_of(orgs))), extreme))
    assert answer.status == "ok"
    exactly(answer, [(value, sources)])
    assert keys(answer)[0] == f"extreme.{grain}_{extreme}"


def test_extreme_of_a_whole_year_published_in_part_is_not_the_years(pipeline):
    # "the record month of the whole of 2025": 2025 has months for January-September only, so the year's
    # record month is not known; February (306) is shown as that of those months
    answer = run(pipeline, Pick(Group(Select(Period.year(2025), whole=True), "month"), "max"))
    assert answer.status == "no_data"
    assert keys(answer)[:2] == ["count.clipped", "extreme.month_max"]
    exactly(answer, [(306, l25(99))])


AVERAGES = [
    # 2025: 2 397 over January-September = 2397 / 9
    pytest.param(JAN_SEP_2025, 266.33333, 2397, l25(240), 9, id="jan-sep-2025-per-month"),
    pytest.param(Period.year(2019), 202.16667, 2426, l20(70), 12, id="2019-per-month"),  # 2426 / 12
    pytest.param(Period.year(2020), 153.91667, 1847, A2020, 12, id="2020-per-month"),  # 1847 / 12
    pytest.param(Period.quarter(2020, 1), 185.66667, 557, l20(39, 41, 43), 3, id="q1-2020-per-month"),  # 557 / 3
    # 2019-2024 per year: (2426+1847+1965+2673+2952+3267) / 6
    pytest.param(Period.years(2019, 2024), 2521.66667, 15130, l20(70) + A2020 + l25(248, 246, 244, 242), 6,
                 id="2019-2024-per-year"),
]


@pytest.mark.parametrize("period,avg,total,sources,count", AVERAGES)
def test_average(pipeline, period, avg, total, sources, count):
    answer = run(pipeline, Mean(Group(Select(period))))
    assert answer.status == "ok"
    exactly(answer, [(avg, sources), (total, sources)])
    assert answer.lines[0].params["count"].value == count


TOPS = [
    pytest.param(Period.year(2020), 3, [(480, l20(107)), (134, l20(109)), (104, l20(111)), (1847, l20(63))],
                 id="top3-2020"),
    pytest.param(JAN_SEP_2025, 2, [(685, l25(252)), (265, l25(254)), (2397, l25(240))], id="top2-2025"),
    pytest.param(JAN_SEP_2025, 20, [(v, l25(line)) for _, _, v, line, _ in TOP_2025] + [(2397, l25(240))],
                 id="top20-2025"),
]


@pytest.mark.parametrize("period,n,expected", TOPS)
def test_top_n(pipeline, period, n, expected):
    answer = run(pipeline, Pick(Group(Select(period), "country"), "max", 1, n))
    assert answer.status == "ok"
    assert counts(answer) == expected, describe(answer)  # no "other" line for a cut list
    assert ("top.capped" in keys(answer)) == (n > 6 and period == JAN_SEP_2025)


SHARES = [
    pytest.param(Period.year(2020), "dvz", 0.01083, 20, l20(63), 1847, A2020, id="dvz-2020"),  # 20 / 1847
    pytest.param(JAN_SEP_2025, "fedasil", 0.98081, 2351, l25(161), 2397, l25(240), id="fedasil-2025"),  # 2351 / 2397
]


@pytest.mark.parametrize("period,org,share,value,v_src,total,t_src", SHARES)
def test_share_of_organisation(pipeline, period, org, share, value, v_src, total, t_src):
    answer = run(pipeline, Share(Select(period, org), Select(period)))
    assert answer.status == "ok"
    exactly(answer, [(share, v_src + t_src), (value, v_src), (total, t_src)])


# =========================================================================================
# 3. Typed no_data answers
# =========================================================================================
NO_DATA = [
    pytest.param(Select(Period.year(2006)), "nodata.period", [], id="year-not-covered"),
    pytest.param(Select(Period.month(2015, 3)), "nodata.no_monthly",
                 [(4053, l20(78))], id="month-without-monthly-data"),  # the year's total instead
    # December 2025: no month of it published; the answer gives the year's total of the latest publication
    pytest.param(Select(Period.month(2025, 12)), "nodata.unpublished", None, id="dec-2025"),
    pytest.param(Select(Period.year(2019), "dvz"), "nodata.org_split",
                 [(2426, l20(70))], id="org-split-2019"),
    pytest.param(Select(Period.year(2015), "fedasil"), "nodata.org_split",
                 [(4053, l20(78))], id="org-split-2015"),
    pytest.param(Select(Period.month(2019, 5), "fedasil"), "nodata.org_split",
                 [(207, l20(47))], id="org-split-may-2019"),  # 2020.txt:47 "Mei 67 0 67 207"
    pytest.param(Select(Period.year(2020), country="FR"), "nodata.country_not_listed",
                 [(618, l20(127))], id="country-not-listed-2020-other"),  # "Andere 618"
    pytest.param(Select(Period.year(2025), country="FR"), "nodata.country_not_listed",
                 [], id="country-not-listed-2025"),
    pytest.param(Select(Period.year(2010), country="BR"), "nodata.country_year",
                 [], id="country-year-not-covered"),
    pytest.param(Pick(Group(Select(Period.year(2010)), "country"), "max", 1, None), "nodata.country_year", [],
                 id="top-year-not-covered"),
    pytest.param(Group(Select(Period.year(2010)), "category"), "nodata.categories_year", [], id="categories-2010"),
    pytest.param(Select(Period.year(2027)), "nodata.future", [], id="future-year"),
    pytest.param(Select(Period.month(2026, 12)), "nodata.future", [], id="future-month"),
]


@pytest.mark.parametrize("program,key,expected", NO_DATA)
def test_no_data(pipeline, program, key, expected):
    answer = run(pipeline, program)
    assert answer.status == "no_data", describe(answer)
    assert key in keys(answer), describe(answer)
    if expected is not None:
        exactly(answer, expected)


def test_country_not_listed_gives_the_other_figure_and_line(pipeline):
    answer = run(pipeline, Select(Period.year(2020), country="FR"))
    assert keys(answer) == ["nodata.country_not_listed", "nodata.country_other"]

