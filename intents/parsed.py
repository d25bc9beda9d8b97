"""What the entities of a question say, grouped by slot (`Parsed`): made by the accounting in
rules.py, read by the signatures in registry.py."""
from __future__ import annotations

from dataclasses import dataclass

from . import when


@dataclass
class Parsed:
    """What the entities say, grouped by slot."""

    kws: set
    periods: list
    time: when.Reading
    exclude: list
    except_countries: list
    bad_neg: list
    orgs: list
    countries: list
    categories: list
    nums: list
    info: list
    oos: list
    breakdown: bool
    social: list
    bad: list
    claim: str | None
    finer: list
    receive: list
    ordinals: list
    categories_left_out: bool
    measure: bool
    # What is counted, where it is not the returns themselves ("reintegration support").
    measures: list
    asylum_people: bool
    implicit: bool
    followup: bool
    negative_n: bool
    ratio: tuple[str, float] | None
