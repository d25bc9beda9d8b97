"""Answer -> text in the reader's language. babel formats every number, month and
country; the sentences come from intents/locales/<lang>/answers.toml."""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from .data import Source
from .models import Answer, Num, Period, Ref
from .resources import load_toml

LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT = str.maketrans("0123456789", SUPERSCRIPT_DIGITS)
# Footnote marks on a figure inside a sentence are written between these (private
# use) characters and turned into superscripts or <sup> once the sentence is escaped.
MARK = re.compile("\ue000([0-9,]+)\ue001")
MAX_CHARS = 4096
MAX_CACHED_NUMBERS = 4096
FOOTER_BUDGET = 1500


def _text(value: Any) -> str:
    """A text of answers.toml or one babel gives: tomllib and babel return them untyped."""
    return cast(str, value)


@dataclass(frozen=True)
class Parts:
    """A rendered answer in parts: body lines, (number, text) notes, the calculated-figures
    note, the source line, and the publications cited as data."""

    body: tuple[str, ...]
    notes: tuple[tuple[int, str], ...]
    computed: str | None
    source: str | None
    publications: tuple[dict[str, str | None], ...]


class Renderer:
    def __init__(self, lang: str, footnotes: dict[str, dict[str, str]], sources: dict[str, Source],
                 statements: dict[str, dict[str, str]], partials: dict[str, tuple[str, Period]] | None = None,
                 bases: dict[str, tuple[str, str, Period]] | None = None,
                 credits: dict[str, dict[str, str]] | None = None, glossary: tuple[dict[str, Any], ...] = ()):
        self.lang = lang
        # The glossary's entries: the name of each term, and its text, in the reader's language.
        self.terms: dict[str, str] = {row["id"]: row["terms"][lang][0] for row in glossary}
        self.glosses: dict[str, str] = {row["id"]: row[lang] for row in glossary}
        # A publisher's credit line in the reader's language ("Fedasil/OIM/Office des étrangers").
        self.credits = {credit: names[lang] for credit, names in (credits or {}).items()}
        self.locale = Locale.parse(LOCALES[lang])
        self.t = load_toml(lang, "answers.toml")
        self.footnotes = {fid: texts[lang] for fid, texts in footnotes.items()}
        # Notes made from the data: a figure over part of a year, and the publication that gives it.
        self.partials = partials or {}
        self.bases = bases or {}
        self.statements = {sid: texts[lang] for sid, texts in statements.items()}
        self.sources = sources
        self.months = dict(self.locale.months["format"]["wide"])  # a plain dict: babel's looks up on each read
        self._dates: dict[str, str | None] = {}
        self._numbers: dict[tuple[float, str], str] = {}
        self.territories = self.locale.territories
        pattern = self.locale.percent_formats[None].pattern
        # The locale's own percent pattern ("#,##0 %" in fr) with one decimal added.
        self.pct1 = re.sub(r"0(?=[^0]*$)", "0.0", pattern, count=1)
        self.pct0 = pattern

    # ---- values -------------------------------------------------------------------
    def template(self, key: str) -> Any:
        if key.startswith("statement."):
            # What a sheet says in words: the text is data (statements.csv).
            return self.statements[key.removeprefix("statement.")]
        node: Any = self.t
        for part in key.split("."):
            node = node[part]
        return node

    def number(self, num: Num) -> str:
        text = self._number(num)
        if num.qualifier:
            return _text(self.t["format"]["qualifier"][num.qualifier]).format(text)
        return text

    def _number(self, num: Num) -> str:
        # babel reads its pattern at every call: the few figures an answer states recur
        key = (num.value, num.style)
        text = self._numbers.get(key)
        if text is None:
            if len(self._numbers) > MAX_CACHED_NUMBERS:
                self._numbers.clear()  # numbers users quote are unbounded; the data's few recur
            text = self._numbers[key] = self._format(num)
        return text

    def _format(self, num: Num) -> str:
        v = num.value
        if num.style == "count":
            return format_decimal(int(v), locale=self.locale)
        if num.style == "decimal":
            # Half up, as statistics are read (babel would round half to even).
            rounded = Decimal(str(v)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return format_decimal(rounded, format="#,##0.0", locale=self.locale)
        if num.style == "ratio":
            # "1.77 times": two decimals, so that a claim near its threshold reads clearly.
            rounded = Decimal(str(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            return format_decimal(rounded, format="#,##0.##", locale=self.locale)
        if num.style in ("printed_percent", "printed_change"):
            # As the publication prints it: "20" stays "20 %", "27.2" stays "27,2 %".
            pattern = self.pct0 if round(v * 100, 6).is_integer() else self.pct1
            text = format_decimal(v, format=pattern, locale=self.locale)
            return self._signed(text, v) if num.style == "printed_change" else text
        if num.style in ("percent", "change"):
            text = format_decimal(v, format=self.pct1, locale=self.locale)
            return self._signed(text, v) if num.style == "change" else text
        raise ValueError(num.style)

    @staticmethod
    def _signed(text: str, v: float) -> str:
        return "+" + text if v > 0 else text.replace("-", "\u2212", 1)

    def period(self, p: Period, form: str) -> str:
        f: dict[str, str] = self.t["period"][form]
        (y1, m1), (y2, m2) = p.start, p.end
        names = {"m1": self.months[m1], "m2": self.months[m2], "y1": y1, "y2": y2}
        if p.single_month:
            return f["month"].format(**names)
        if p.whole_years:
            return f["year" if p.single_year else "years"].format(**names)
        return f["months" if p.single_year else "range"].format(**names)

    def title(self, sid: str) -> str:
        """A publication as the reader can find it: what it is, its title (in the reader's
        language where the publisher has one, else glossed), its date and its link."""
        source = self.sources[sid]
        f = self.t["format"]
        title, title_lang = source.title(self.lang)
        text = f["publication"].format(kind=f["kind"][source.kind], title=title)
        gloss = f["gloss"].get(source.kind) if title_lang != self.lang else None
        if gloss:
            text = f["glossed"].format(publication=text, gloss=gloss.format(year=source.year))
        date = self.published(sid)
        if date:
            text = f["dated"].format(publication=text, date=date)
        url = source.urls.get(self.lang) or next(iter(source.urls.values()), None)
        return _text(f["linked"]).format(publication=text, url=url) if url else text

    def credit(self, credit: str) -> str:
        return self.credits.get(credit, credit)

    def the_source(self, sid: str, article: str = "the_kind") -> str:
        """A publication named in a sentence: "the press release of 3 February 2026"; with
        `article` "of_kind", after "of" ("du communiqué" in French)."""
        source = self.sources[sid]
        f = self.t["format"]
        kind = f[article][source.kind]
        if source.published and len(source.published) == 3:
            return _text(f["the_dated"]).format(kind=kind, date=format_date(dt.date(*source.published), "long",
                                                                     locale=self.locale))
        return _text(f["the_titled"]).format(kind=kind, title=source.title(self.lang)[0])

    def ref(self, r: Ref) -> str:
        if r.kind == "title":
            return self.title(r.code)
        if r.kind == "source":
            return self.the_source(r.code)
        if r.kind == "of_source":
            return self.the_source(r.code, "of_kind")
        if r.kind == "footnote":
            return self.note(r.code)
        if r.kind == "credit":
            return self.credit(r.code)
        if r.kind == "term":
            return self.terms[r.code]
        if r.kind == "gloss":
            return self.glosses[r.code]
        if r.kind == "list_size":
            n, basis, period = r.code
            return _text(self.t["format"]["list_size"]).format(n=self.number(Num(n)),
                                                               basis=self.t["names"]["basis"][basis],
                                                               year=self.period(period, "bare"))
        if r.kind == "country":
            return _text(self.t["names"]["country"].get(r.code) or self.territories.get(r.code, r.code))
        if r.kind == "region":
            return _text(self.territories[r.code])
        if r.kind == "ordinal" and r.code not in self.t["names"]["ordinal"]:
            return _text(self.t["format"]["ordinal_number"]).format(n=r.code)
        return _text(self.t["names"][r.kind][r.code])

    def note(self, fid: str) -> str:
        if fid in self.partials:
            source, period = self.partials[fid]
            text = _text(self.t["notes"]["partial"]).format(of_source=self.the_source(source, "of_kind"),
                                                     period=self.period(period, "bare"))
            return text[:1].upper() + text[1:]
        if fid in self.bases:
            source, basis, _ = self.bases[fid]
            text = _text(self.t["notes"]["basis"][basis]).format(of_source=self.the_source(source, "of_kind"))
            return text[:1].upper() + text[1:]
        return self.footnotes[fid]

    @staticmethod
    def marks(notes: tuple[str, ...], numbers: dict[str, int]) -> str:
        found = sorted(numbers[f] for f in notes if f in numbers)
        return "\ue000" + ",".join(map(str, found)) + "\ue001" if found else ""

    def value(self, v: Any, form: str = "bare", numbers: dict[str, int] | None = None) -> str:
        numbers = numbers or {}
        if isinstance(v, Num):
            return self.number(v) + self.marks(v.notes, numbers)
        if isinstance(v, Period):
            return self.period(v, form)
        if isinstance(v, Ref):
            return self.ref(v)
        if isinstance(v, tuple):
            if v and isinstance(v[0], tuple):
                return _text(self.t["format"]["pair_separator"]).join(
                    self.t["format"]["pair"].format(self.value(a, numbers=numbers), self.value(b, numbers=numbers))
                    for a, b in v)
            return format_list([self.value(x, numbers=numbers) for x in v], locale=self.locale) if v else "-"
        return str(v)

    @staticmethod
    def _resolve_marks(text: str, as_html: bool) -> str:
        if as_html:
            return MARK.sub(lambda m: "".join(f"<sup>{n}</sup>" for n in m.group(1).split(",")), text)
        return MARK.sub(lambda m: " ".join(n.translate(SUPERSCRIPT) for n in m.group(1).split(",")), text)

    def sentence(self, key: str, params: dict[str, Any], bold: bool, numbers: dict[str, int] | None = None) -> str:
        template = self.template(key)
        if isinstance(template, dict):
            count = params[template["n"]]
            plural = self.locale.plural_form(abs(count.value if isinstance(count, Num) else count))
            template = template.get(plural, template["other"])
        fields: dict[str, str] = {}
        for name, v in params.items():
            if isinstance(v, Period) and "{" + name + "_in}" in template:
                fields[name + "_in"] = html.escape(self.value(v, "in")) if bold else self.value(v, "in")
            if "{" + name + "}" not in template:
                continue  # (a period said only with its preposition, a count the plural form needed)
            text = self.value(v, numbers=numbers) if not isinstance(v, Num) else self.number(v)
            if bold:
                text = html.escape(text)
                if isinstance(v, Num):
                    text = f"<b>{text}</b>"
            if isinstance(v, Num):
                text += self.marks(v.notes, numbers or {})
            fields[name] = text
        if bold:
            template = html.escape(template, quote=False)
        text = self._resolve_marks(template.format(**fields), bold)
        return text[:1].upper() + text[1:]

    # ---- whole answer ---------------------------------------------------------------
    @staticmethod
    def _fit(body: list[str], footer: int = FOOTER_BUDGET) -> list[str]:
        """Drop trailing lines past the budget left for footnotes and source (a last
        guard: the rules already cap how much one question can ask for)."""
        budget = MAX_CHARS - max(footer, FOOTER_BUDGET)
        if sum(len(line) + 1 for line in body) <= budget:
            return body
        kept: list[str] = []
        for line in body:
            if sum(len(x) + 1 for x in kept) + len(line) + 1 > budget - 2:
                break
            kept.append(line)
        return kept + ["…"]

    def source(self, answer: Answer) -> str:
        """The source line of an answer that has sources: its publications, by publisher."""
        credits: dict[str, list[str]] = {}
        for sid in answer.sources:
            credits.setdefault(self.credit(self.sources[sid].credit), []).append(self.title(sid))
        entries = self.t["format"]["source_separator"].join(
            self.t["format"]["source_entry"].format(credit=credit, titles=format_list(titles, locale=self.locale))
            for credit, titles in credits.items())
        return _text(self.t["source" if len(answer.sources) == 1 else "sources"]).format(entries=entries)

    def parts(self, answer: Answer, as_html: bool = False) -> Parts:
        """The answer's parts as data, for a front end that lays them out itself: the body's
        lines (figures marked with their footnote numbers), the numbered notes, the note on
        what is calculated, the source line, and each publication with its link."""
        numbers = {fid: i for i, fid in enumerate(answer.footnotes, start=1)}
        body = []
        for line in answer.lines:
            text = self.sentence(line.key, line.params, as_html, numbers)
            marks = sorted(numbers[f] for f in line.notes)
            if marks:
                text += "".join(f"<sup>{n}</sup>" for n in marks) if as_html else \
                    " ".join(str(n).translate(SUPERSCRIPT) for n in marks)
            body.append(text)
        if answer.examples:
            examples = [self.t["format"]["quote"].format(self.t["examples"][e]) for e in answer.examples]
            body.append(self.sentence("try", {}, as_html) + " "
                        + (html.escape(" ".join(examples)) if as_html else " ".join(examples)))
        esc = html.escape if as_html else str
        notes = tuple((n, esc(self.note(fid))) for fid, n in numbers.items())
        made = {f.kind for f in answer.figures}
        kinds = [kind for kind in self.t["names"]["computed"] if kind in made]
        computed = self.t["computed"].format(kinds=format_list([self.t["names"]["computed"][k] for k in kinds],
                                                               locale=self.locale)) if kinds else None
        return Parts(tuple(body), notes, esc(computed) if computed else None,
                     esc(self.source(answer)) if answer.sources else None,
                     tuple(self.publication(sid) for sid in answer.sources))

    def publication(self, sid: str) -> dict[str, str | None]:
        """A publication as data: its kind, title and date in the reader's language, its link."""
        source = self.sources[sid]
        f = self.t["format"]
        return {"id": sid, "kind": f["kind"][source.kind], "title": source.title(self.lang)[0],
                "date": self.published(sid),
                "publisher": self.credit(source.credit),
                "url": source.urls.get(self.lang) or next(iter(source.urls.values()), None)}

    def published(self, sid: str) -> str | None:
        """A publication's date in the reader's long format, when its day is known
        (memoised: babel takes longer to format it than the rest of an answer's source line)."""
        if sid not in self._dates:
            published = self.sources[sid].published
            self._dates[sid] = format_date(dt.date(*published), "long", locale=self.locale) \
                if published and len(published) == 3 else None
        return self._dates[sid]

    def render(self, answer: Answer, as_html: bool = False) -> str:
        p = self.parts(answer, as_html)
        notes = [f"{str(n).translate(SUPERSCRIPT)} {text}" for n, text in p.notes]
        if p.computed:
            notes.append(p.computed)
        if p.source:
            notes.append(f"<i>{p.source}</i>" if as_html else p.source)
        blocks = ["\n".join(self._fit(list(p.body), sum(len(note) + 1 for note in notes) + 2))]
        if notes:
            blocks.append("\n".join(notes))
        return "\n\n".join(blocks)
