"""A made-up third fact sheet, added to a copy of data/ by the procedure of data/README.md.

TEST FIXTURE: the sheet below and every figure in it are fictional. It stands for a
sheet that completes 2025 (October-December) and starts 2026 (January-March). Its
figures are chosen by hand so that the sums hold and 2025 agrees with Fedasil's release of
3 February 2026: 2.397 (2025.txt:240) + 250 + 240 + 235 = 3.122 (Fedasil 2.351 + 705 =
3.056, DVZ 46 + 20 = 66); 2026 is 250 + 260 + 270 = 780 (Fedasil 762, DVZ 18).
"""
import csv

FIXTURE = "test-fixture-vrijwillige-terugkeer-2026.txt"
TITLE = "Vrijwillige terugkeer in 2026 (TEST FIXTURE)"
S25 = "fedasil-vrijwillige-terugkeer-2025.txt"
SHEET = [
    "TEST FIXTURE: fictional figures, not a Fedasil publication (tests/intents/test_next_sheet.py)",  # 1
    "VRIJWILLIGE TERUGKEER IN 2026",  # 2
    "Oktober 2025 245 5 250",  # 3
    "November 2025 230 10 240",  # 4
    "December 2025 230 5 235",  # 5
    "Totaal 2025 3056 66 3122*",  # 6
    "Januari 2026 245 5 250",  # 7
    "Februari 2026 255 5 260",  # 8
    "Maart 2026 262 8 270",  # 9
    "Totaal 2026 (jan-maart) 762 18 780*",  # 10
    "Brazilië 200",  # 11
    "Moldavië 100",  # 12
    "Syrië 50",  # 13
    "* Dit cijfer omvat niet het vrijwillig vertrek in het kader van de Dublin-conventie",  # 14
]
MONTHS = [(2025, 10, 245, 5, 250, 3), (2025, 11, 230, 10, 240, 4), (2025, 12, 230, 5, 235, 5),
          (2026, 1, 245, 5, 250, 7), (2026, 2, 255, 5, 260, 8), (2026, 3, 262, 8, 270, 9)]


def _append(directory, table, rows):
    with (directory / f"{table}.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _rewrite(directory, table, change):
    path = directory / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows = [r for r in (change(r) for r in rows) if r is not None]
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _footnote(row):
    """The procedure's footnote step: the notes that ran to 2025 now run to 2026."""
    row[2] = row[2].replace("2013-2025", "2013-2026").replace("2019-2025", "2019-2026") \
        .replace("2020-2025", "2020-2026").replace("countries:2025", "countries:2025-2026")
    return row


SOURCE = "test-fixture-2026"


def _observation(start, end, value, line, org="total", country="", basis="", mark="", label=""):
    return ["returns", start, end, org, country, basis, "", "count", value, "", "", mark, label, SOURCE, line, ""]


def add_third_sheet(data_copy):
    """The procedure of data/README.md ("Adding a publication"), followed for the made-up sheet."""
    (data_copy / "sources" / FIXTURE).write_text("\n".join(SHEET) + "\n", encoding="utf-8")
    _append(data_copy, "sources", [[SOURCE, "fact_sheet", 2026, "Fedasil", "Fedasil/IOM/DVZ", "", FIXTURE, TITLE,
                                    "", "", "", "", ""]])
    _append(data_copy, "observations", [
        _observation("2025-01", "2025-12", 3122, 6, mark="*"), _observation("2025-01", "2025-12", 3056, 6, "fedasil"),
        _observation("2025-01", "2025-12", 66, 6, "dvz"),
        _observation("2026-01", "2026-03", 780, 10, mark="*"), _observation("2026-01", "2026-03", 762, 10, "fedasil"),
        _observation("2026-01", "2026-03", 18, 10, "dvz"),
        *[_observation(f"{y}-{m:02d}", f"{y}-{m:02d}", v, line, org) for y, m, f, d, t, line in MONTHS
          for org, v in (("fedasil", f), ("dvz", d), ("total", t))],
        *[_observation("2026-01", "2026-03", v, line, country=iso, basis="nationality", label=name)
          for iso, name, v, line in (("BR", "Brazilië", 200, 11), ("MD", "Moldavië", 100, 12), ("SY", "Syrië", 50, 13))],
    ])
    _rewrite(data_copy, "footnotes", _footnote)
    return data_copy
