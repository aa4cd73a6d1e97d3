"""The patient's history page, grouped (issue 15, point 12): each series under its own
heading, newest series first, and within a series its infusions in order (1, 2, 3 ...), each
with its check-ins in the order they were taken. A maintenance "infusion 1" so never sits
above induction "infusion 6" without saying which series it is in.

Check-ins taken before the patient's first infusion belong to none (attribution.py) and come
last, under their own heading.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from app.checkins.models import CheckIn
from app.infusions.models import Infusion, TreatmentSeries


@dataclass
class InfusionCheckins:
    infusion: Infusion | None
    checkins: list[CheckIn] = field(default_factory=list)


@dataclass
class SeriesCheckins:
    series: TreatmentSeries | None  # None: before the first infusion
    infusions: list[InfusionCheckins] = field(default_factory=list)


def _series_order(series: TreatmentSeries):
    return (series.started_at, series.id)


def by_series_and_infusion(checkins: list[CheckIn]) -> list[SeriesCheckins]:
    """``checkins`` (in any order) grouped as the history page shows them."""
    per_infusion: dict[Infusion, list[CheckIn]] = defaultdict(list)
    before_first: list[CheckIn] = []
    for checkin in sorted(checkins, key=lambda c: (c.taken_at, c.id)):
        if checkin.infusion is None:
            before_first.append(checkin)
        else:
            per_infusion[checkin.infusion].append(checkin)
    per_series: dict[TreatmentSeries, list[InfusionCheckins]] = defaultdict(list)
    for infusion, items in per_infusion.items():
        per_series[infusion.series].append(InfusionCheckins(infusion, items))
    groups = [SeriesCheckins(series, sorted(parts, key=lambda p: p.infusion.number))
              for series, parts in sorted(per_series.items(),
                                          key=lambda pair: _series_order(pair[0]), reverse=True)]
    if before_first:
        groups.append(SeriesCheckins(None, [InfusionCheckins(None, before_first)]))
    return groups
