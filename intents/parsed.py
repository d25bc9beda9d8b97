"""What the entities of a question say, grouped by slot (`Parsed`): made by the accounting in
rules.py, read by the signatures in registry.py."""
from __future__ import annotations

from dataclasses import dataclass

from . import when
from .entities import Entity
from .models import Period


@dataclass
class Parsed:
    """What the entities say, grouped by slot."""

    kws: set[str]
    periods: list[Period]
    time: when.Reading
    exclude: list[Period]
    except_countries: list[str]
    bad_neg: list[str]
    orgs: list[str]
    countries: list[str]
    categories: list[str]
    nums: list[Entity]
    info: list[str]
    # what the question leaves out that is no period, organisation, category or country ("leaving out the
    # Dublin transfers"): the figures' caveats say whether they leave it out already
    notes_out: list[str]
    # the length of a list whose other countries are asked ("hors top 10"), when said
    outside_of: int | None
    # the regions named ("EU member state", "Centraal-Amerikaans"): codes of intents/locales/regions.toml
    regions: list[str]
    oos: list[str]
    breakdown: bool
    social: list[str]
    bad: list[str]
    claim: str | None
    finer: list[str]
    receive: list[str]
    ordinals: list[int]
    categories_left_out: bool
    measure: bool
    # What is counted, where it is not the returns themselves ("reintegration support").
    measures: list[str]
    asylum_people: bool
    implicit: bool
    followup: bool
    negative_n: bool
    ratio: tuple[str, float] | None
    # "more than 25% of the returns", "plus de la moitié": a share claimed, in percent
    percent: float | None = None
    # "the second-highest and the lowest": the place said right before a superlative, by superlative
    extreme_places: tuple[tuple[str, int], ...] = ()
    # "those three together?": how many things a word pointing back says it points at
    counted: int | None = None
    # "the whole year 2024": a year said to be whole, never the same months of it
    whole: bool = False
    # "the 2023-to-2024 rise against the 2022-to-2023 rise": each period's edges, earlier then later, compared
    changes: tuple[tuple[Period, Period], ...] = ()
    # "that year" after May 2020: the year of the period asked before, not its months
    year_back: bool = False
    # "how many went there?" after a place picked: that place
    place_back: bool = False
    # "hoeveel daarvan", "how many of them": a part of what the last answer gave
    of_those: bool = False
    # "which country closed the top 5", "la lanterne rouge": the last place of a list
    last_place: bool = False
