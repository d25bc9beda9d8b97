"""Answers as programs: a question about the figures becomes a small tree of typed
operators over the observations, and other questions become acts (information, asking
back, not understood, greetings).

Operators (the analytic tasks of Amar, Eagan and Stasko, as NLyze and NL4DV use them):
- `Select`: the figure of one measure over a period, for an organisation, a country or a
  category (the leaves; a period left open is filled from the conversation or the data);
- `Group`: a selection per month, quarter, half, year, country or category (a list);
- `Pick`: the k-th, or the n first, of a list by its figures (the most or the fewest);
- `Where`: the members of a list whose figure passes a threshold;
- `Without`: a list less some of its members;
- `Less`: a figure less some of its parts ("2025 except March");
- `Total`, `Mean`, `Count`: the sum or the average of a list's figures, how many members;
- `Share`: one figure as a share of another;
- `Compare`: two figures against each other (difference, change in %, ratio);
- `Check`: a claim about a figure, a pick or a comparison, checked as stated;
- `Each`: several questions in one, answered in turn.
Every node is frozen and hashable; `to_json` / `from_json` carry it through persistence.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypedDict, TypeVar

from .models import CATEGORIES, ORGS, Period

TIME_GRAINS = ("month", "quarter", "half", "year")
DIMENSIONS = (*TIME_GRAINS, "country", "category")


@dataclass(frozen=True)
class Select:
    """The figure of a measure over a period, through an organisation ("total": both
    together; "both": both named, so the total with its split), of a country or a category."""

    period: Period | None = None
    org: str = "total"
    country: str | None = None
    category: str | None = None
    measure: str = "returns"
    # The period was left out and the engine chose it (the answer says which).
    filled: bool = False
    # The whole period was said ("toute l'année 2020"): never narrowed to the months published.
    whole: bool = False


@dataclass(frozen=True)
class Group:
    """The figures of a selection per member of a dimension; `by` None: the grain that
    suits the period (months within a year, years over several)."""

    of: Select
    by: str | None = None


@dataclass(frozen=True)
class Pick:
    """Places k..k+n-1 of a list ordered by its figures, most first ("max") or fewest
    first ("min"); n None: the whole list in that order. `after`: the places counted from
    that member, k after it ("right behind Brazil": 1; "just ahead of Colombia": -1).
    `among`: the places counted among the countries of that region only ("which EU country")."""

    of: Node
    order: str = "max"
    k: int = 1
    n: int | None = 1
    after: str | None = None
    among: str | None = None


@dataclass(frozen=True)
class Where:
    """The members of a list whose figure stands in `relation` (gt, ge, lt, le) to `value`."""

    of: Node
    relation: str
    value: float


@dataclass(frozen=True)
class Without:
    """A list less some of its members (periods, country codes or categories)."""

    of: Node
    members: tuple[Any, ...]


@dataclass(frozen=True)
class Less:
    """A figure less some of its parts: a period less months of it, a year less countries."""

    whole: Select
    parts: tuple[Select, ...]


@dataclass(frozen=True)
class Total:
    of: Node


@dataclass(frozen=True)
class Mean:
    of: Node


@dataclass(frozen=True)
class Count:
    of: Node


@dataclass(frozen=True)
class Share:
    part: Node
    whole: Node


@dataclass(frozen=True)
class Compare:
    """Two figures against each other; `times`: how many times the larger is the smaller
    ("how many times more in 2012 than in 2021?") is asked too."""

    a: Node
    b: Node
    times: bool = False


@dataclass(frozen=True)
class Check:
    """A claim checked as stated: a figure against a quoted one (`relation` eq, gt, ge, lt,
    le, almost, approx), a pick against the member claimed ("was November the busiest?"),
    or a comparison's ratio against the one claimed (`ratio` "change": the later over the
    earlier, "as": the first named over the second)."""

    of: Node
    relation: str = "eq"
    value: float | None = None
    member: Any = None
    ratio: str | None = None


@dataclass(frozen=True)
class Each:
    parts: tuple[Node, ...]


Node = Select | Group | Pick | Where | Without | Less | Total | Mean | Count | Share | Compare | Check | Each
NODES: dict[str, type[Node]] = {cls.__name__: cls for cls in
                          (Select, Group, Pick, Where, Without, Less, Total, Mean, Count, Share, Compare, Check, Each)}
# What is said to the bot rather than asked of the figures, each answered with its own line.
SOCIAL = ("help", "greeting", "thanks", "farewell")
ACTS = ("figures", "info", "clarify", "unknown", *SOCIAL)


# The fields of a Request that hold periods, written as JSON objects.
PERIOD_FIELDS = {"periods", "picked"}


@dataclass(frozen=True)
class Request:
    """What a question asks: figures (a program) or another act, and the account of its
    words (`unread`: what a clarify asks about; `ignored`: common words passed over)."""

    act: str
    program: Node | None = None
    topic: str | None = None
    periods: tuple[Period, ...] = ()
    how_many: bool = False
    unread: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    # Another reading answered beside the program ("asylum seekers": every returnee, or
    # the applicants for international protection of the profile).
    reading: str | None = None
    # A number the question names beside its program: the places of a list whose other
    # countries are asked ("outside the top 10"), or a clarify's count
    n: int | None = None
    # A clarify's offer: the question without the words it could not read, when that is
    # a question about the figures ("Did you mean: ...?").
    offer: str | None = None
    # The month or year the answer picked ("the busiest month of 2019": March 2019), for a
    # follow-up that points back at it ("and the same month of 2020?").
    picked: tuple[Period, ...] = ()
    # The country the answer picked ("the top destination in 2025": Brazil), for a follow-up
    # that points back at it ("how many went there in July?").
    places: tuple[str, ...] = ()
    # What the question leaves out that the figures' caveats say they leave out already
    # ("leaving out the Dublin transfers"): the figures as they are, or asked back.
    left_out: tuple[str, ...] = ()

    @property
    def slots(self) -> Slots:
        return slots(self)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"act": self.act}
        if self.program is not None:
            out["program"] = node_json(self.program)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("act", "program") or value in ((), None, False):
                continue
            out[f.name] = [p.to_json() for p in value] if f.name in PERIOD_FIELDS else list(value) \
                if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Request:
        values = {k: v for k, v in data.items() if k in {f.name for f in fields(cls)}}
        if "program" in values:
            values["program"] = node_from_json(values["program"])
        for name in PERIOD_FIELDS & values.keys():
            values[name] = tuple(Period.from_json(p) for p in values[name])
        for name in ("unread", "ignored", "places", "left_out"):
            if name in values:
                values[name] = tuple(values[name])
        return cls(**values)


# ---- walking and editing a program ---------------------------------------------------------
def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Select):
        return ()
    if isinstance(node, Less):
        return (node.whole, *node.parts)
    if isinstance(node, (Share,)):
        return (node.part, node.whole)
    if isinstance(node, Compare):
        return (node.a, node.b)
    if isinstance(node, Each):
        return node.parts
    return (node.of,)


def selects(node: Node) -> list[Select]:
    """The leaves of a program, left to right."""
    if isinstance(node, Select):
        return [node]
    return [s for child in children(node) for s in selects(child)]


def map_selects(node: Node, fn: Callable[[Select], Select]) -> Node:
    """The same program with every leaf changed by `fn`."""
    if isinstance(node, Select):
        return fn(node)
    if isinstance(node, Less):
        return replace(node, whole=fn(node.whole), parts=tuple(fn(p) for p in node.parts))
    if isinstance(node, Share):
        return replace(node, part=map_selects(node.part, fn), whole=map_selects(node.whole, fn))
    if isinstance(node, Compare):
        return replace(node, a=map_selects(node.a, fn), b=map_selects(node.b, fn))
    if isinstance(node, Each):
        return replace(node, parts=tuple(map_selects(p, fn) for p in node.parts))
    if isinstance(node, Group):
        return replace(node, of=fn(node.of))
    return replace(node, of=map_selects(node.of, fn))


N = TypeVar("N", bound=Node)


def nodes(node: Node) -> list[Node]:
    """Every node of a program, outermost first."""
    return [node, *(n for child in children(node) for n in nodes(child))]


def inner(node: Node, kind: type[N]) -> N | None:
    """The first node of a kind in a program, outermost first."""
    if isinstance(node, kind):
        return node
    for child in children(node):
        found = inner(child, kind)
        if found is not None:
            return found
    return None


def periods_of(node: Node) -> tuple[Period, ...]:
    return tuple(dict.fromkeys(s.period for s in selects(node) if s.period is not None))


# ---- the slots of a request, as the corpus and --json name them ---------------------------
@dataclass(frozen=True)
class Slots:
    """A request seen as an intent and its slots: the kind of answer and the selection it
    is about. Derived from the program, for the corpus and `--json`."""

    intent: str
    periods: tuple[Period, ...] = ()
    orgs: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    n: int | None = None
    rank: int | None = None
    extreme: str | None = None
    grain: str | None = None
    topic: str | None = None
    quoted: int | None = None
    claim: str | None = None
    total: bool = False
    unread: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    filled: tuple[int, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The slots said, as `--json` shows them: {"intent": ..., "slots": {...}}."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name != "intent" and getattr(self, f.name) not in ((), None, False)}
        if self.periods:
            out["periods"] = [p.to_json() for p in self.periods]
        return {"intent": self.intent, "slots": {k: list(v) if isinstance(v, tuple) and k != "periods" else v
                                                 for k, v in out.items()}}


def intent_of(node: Node) -> str:
    """The kind of answer a program asks for, by its outermost operators."""
    if isinstance(node, Check):
        return intent_of(node.of)
    if isinstance(node, Each):
        return intent_of(node.parts[0])
    if isinstance(node, (Total, Less)):
        return intent_of(node.of if isinstance(node, Total) else node.whole)
    if isinstance(node, Compare):
        return "compare"
    if isinstance(node, Share):
        return "share"
    if isinstance(node, Mean):
        # "the average of the top five": of the places a list picks
        return intent_of(node.of) if isinstance(node.of, Pick) else "average"
    if isinstance(node, Count):
        return "count_of"
    if isinstance(node, Where):
        return "filter"
    if isinstance(node, (Pick, Group, Without)):
        group = inner(node, Group)
        assert group is not None  # a pick, and a list less some members, are made of a list (a Group)
        if group.by == "country":
            return "top"
        if group.by == "category":
            return "categories"
        return "extreme" if isinstance(node, Pick) else "series"
    if node.measure != "returns":
        return "measure"
    if node.category is not None:
        return "categories"
    return "country" if node.country is not None else "count"


class _Said(TypedDict):
    """The slots any request has, a program or not."""

    unread: tuple[str, ...]
    ignored: tuple[str, ...]
    topic: str | None


def slots(request: Request) -> Slots:
    base = _Said(unread=request.unread, ignored=request.ignored, topic=request.topic)
    node = request.program
    if node is None:
        intent = "social" if request.act in SOCIAL else request.act
        return Slots(request.act if intent == "social" else intent, periods=request.periods, n=request.n, **base)
    leaves = selects(node)
    orgs: list[str] = []
    for s in leaves:
        for org in (ORGS if s.org == "both" else () if s.org == "total" else (s.org,)):
            if org not in orgs:
                orgs.append(org)
    pick = inner(node, Pick)
    group = inner(node, Group)
    check = node if isinstance(node, Check) else None
    periods: tuple[Period | None, ...]
    if isinstance(node, Less):
        periods = (node.whole.period,)
    else:
        periods = periods_of(node)
    countries = tuple(dict.fromkeys(s.country for s in leaves if s.country is not None))
    if isinstance(node, Less) and node.whole.country is None:
        countries = ()
    categories = tuple(dict.fromkeys(s.category for s in leaves if s.category is not None))
    without = inner(node, Without)
    if without is not None and group is not None and group.by == "category":
        categories = tuple(c for c in CATEGORIES if c not in without.members)
    return Slots(
        intent=intent_of(node),
        periods=tuple(p for p in periods if p is not None),
        orgs=tuple(orgs),
        countries=countries,
        categories=categories,
        n=(pick.n if pick.k == 1 else pick.k) if pick is not None and group is not None and group.by == "country"
        else request.n,
        rank=pick.k if pick is not None and pick.k > 1 else None,
        extreme=pick.order if pick is not None and group is not None and group.by in (*TIME_GRAINS, None) else None,
        grain=group.by if group is not None and group.by in TIME_GRAINS else None,
        quoted=int(check.value) if check is not None and check.value is not None and check.ratio is None else None,
        claim=check.relation if check is not None and check.value is not None and check.relation != "eq"
        and check.ratio is None else None,
        total=isinstance(node, Total) or (isinstance(node, Check) and isinstance(node.of, Total)),
        filled=tuple(i for i, s in enumerate(leaves) if s.filled),
        **base,
    )


# ---- JSON --------------------------------------------------------------------------------
def _value_json(value: Any) -> Any:
    if isinstance(value, Period):
        return {"period": value.to_json()}
    if isinstance(value, tuple):
        return [_value_json(v) for v in value]
    if type(value).__name__ in NODES:
        return node_json(value)
    return value


def node_json(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"op": type(node).__name__}
    for f in fields(node):
        value = getattr(node, f.name)
        if value == f.default:
            continue
        out[f.name] = _value_json(value)
    return out


def _value_from_json(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_value_from_json(v) for v in value)
    if isinstance(value, dict):
        if "op" in value:
            return node_from_json(value)
        if "period" in value:
            return Period.from_json(value["period"])
    return value


def node_from_json(data: dict[str, Any]) -> Node:
    cls = NODES[data["op"]]
    return cls(**{k: _value_from_json(v) for k, v in data.items() if k != "op"})
