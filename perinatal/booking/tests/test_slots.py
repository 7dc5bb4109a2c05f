"""Free times from wall-clock rules: exceptions, buffers, notice, horizon and daylight saving."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from perinatal.booking import services
from perinatal.booking.models import DateException
from perinatal.booking.slots import find_slots, local_instant, slot_at
from perinatal.booking.tests.helpers import DENVER, person

NY = zoneinfo.ZoneInfo("America/New_York")
PHOENIX = zoneinfo.ZoneInfo("America/Phoenix")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local_starts(slots, zone) -> list[str]:
    return [s.start.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") for s in slots]


def day_slots(consultation, day: date, zone, **kwargs):
    start = datetime.combine(day, time(0), tzinfo=zone)
    return find_slots(
        consultation,
        start=start,
        end=start + timedelta(days=1),
        now=start - timedelta(days=1),
        **kwargs,
    )


def test_weekly_hours_give_slots_every_step_that_fit(setup):
    denver = setup.location("America/Denver")
    clinician = setup.clinician("Dr A", denver, hours=[(0, 9, 11)])  # Mondays 9-11
    consultation = setup.consultation(clinician, minutes=45)
    slots = day_slots(consultation, date(2026, 6, 1), DENVER)  # a Monday
    # 45 minutes from every half hour, ending by 11:00: 9:00, 9:30, 10:00 (10:30 would end 11:15).
    assert local_starts(slots, DENVER) == [
        "2026-06-01 09:00 MDT",
        "2026-06-01 09:30 MDT",
        "2026-06-01 10:00 MDT",
    ]
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)
    assert day_slots(consultation, date(2026, 6, 2), DENVER) == []  # Tuesday: no hours


@pytest.mark.parametrize(
    ("day", "expected_utc_hour"),
    [
        (date(2026, 3, 2), 16),  # Monday before the spring change: MST, UTC-7
        (date(2026, 3, 9), 15),  # Monday after 2026-03-08: MDT, UTC-6
        (date(2026, 10, 26), 15),  # Monday before the autumn change: MDT
        (date(2026, 11, 2), 16),  # Monday after 2026-11-01: MST
        (date(2027, 3, 8), 16),  # 2027: spring change on 2027-03-14
        (date(2027, 3, 15), 15),
        (date(2027, 11, 1), 15),  # 2027: autumn change on 2027-11-07
        (date(2027, 11, 8), 16),
    ],
)
def test_nine_in_denver_stays_nine_across_daylight_saving(setup, day, expected_utc_hour):
    denver = setup.location("America/Denver")
    consultation = setup.consultation(setup.clinician("Dr A", denver, hours=[(0, 9, 10)]))
    slots = day_slots(consultation, day, DENVER)
    assert [s.start.astimezone(DENVER).time() for s in slots] == [time(9), time(9, 30)]
    assert slots[0].start.hour == expected_utc_hour


@pytest.mark.parametrize(
    ("sunday", "missing", "zone_after"),
    [(date(2026, 3, 8), "02:00", "MDT"), (date(2027, 3, 14), "02:30", "MDT")],
)
def test_a_wall_time_the_clocks_skip_is_not_offered(setup, sunday, missing, zone_after):
    denver = setup.location("America/Denver")
    consultation = setup.consultation(setup.clinician("Dr A", denver, hours=[(6, 1, 4)]))
    slots = day_slots(consultation, sunday, DENVER)
    starts = [s.start.astimezone(DENVER).strftime("%H:%M") for s in slots]
    assert missing not in starts
    assert starts == ["01:00", "01:30", "03:00", "03:30"]
    # 1:30 MST + 30 minutes is 3:00 MDT: the slot is half an hour long in real time.
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)
    assert slots[-1].start.astimezone(DENVER).tzname() == zone_after


@pytest.mark.parametrize("sunday", [date(2026, 11, 1), date(2027, 11, 7)])
def test_the_repeated_hour_in_autumn_is_offered_once(setup, sunday):
    ny = setup.location("America/New_York")
    consultation = setup.consultation(setup.clinician("Dr A", ny, hours=[(6, 0, 3)]))
    slots = day_slots(consultation, sunday, NY)
    one_am = [s for s in slots if s.start.astimezone(NY).hour == 1]
    assert len(one_am) == 2  # 1:00 and 1:30, the first (EDT) pass only
    assert {s.start.astimezone(NY).tzname() for s in one_am} == {"EDT"}
    assert len({s.start for s in slots}) == len(slots)


def test_local_instant_none_only_in_the_gap():
    assert local_instant(date(2026, 3, 8), time(2, 15), NY) is None
    assert local_instant(date(2026, 3, 8), time(3, 0), NY) == utc(2026, 3, 8, 7)
    assert local_instant(date(2026, 11, 1), time(1, 30), NY) == utc(2026, 11, 1, 5, 30)


def test_locations_in_different_zones_are_each_in_their_own_wall_time(setup):
    """Boston and Denver both open at 9 local: two hours apart in UTC, seen from Phoenix."""
    boston = setup.location("America/New_York", "Boston")
    denver = setup.location("America/Denver", "Denver")
    consultation = setup.consultation(
        setup.clinician("Dr East", boston, hours=[(0, 9, 10)]),
        setup.clinician("Dr West", denver, hours=[(0, 9, 10)]),
    )
    slots = day_slots(consultation, date(2026, 7, 6), PHOENIX)
    # Phoenix keeps MST all year: 9 in Boston (EDT) is 6:00 there, 9 in Denver (MDT) is 8:00.
    assert local_starts(slots, PHOENIX) == [
        "2026-07-06 06:00 MST",
        "2026-07-06 06:30 MST",
        "2026-07-06 08:00 MST",
        "2026-07-06 08:30 MST",
    ]
    by_place = {s.start.astimezone(PHOENIX).hour: s.options[0].location_id for s in slots}
    assert by_place == {6: boston.pk, 8: denver.pk}


def test_time_off_and_extra_hours(setup):
    denver = setup.location("America/Denver")
    clinician = setup.clinician("Dr A", denver, hours=[(0, 9, 12)])
    consultation = setup.consultation(clinician, minutes=60)
    monday = date(2026, 6, 1)
    DateException.objects.create(
        clinician=clinician, date=monday, kind="off", starts=time(10), ends=time(11)
    )
    DateException.objects.create(
        clinician=clinician,
        location=denver,
        date=monday,
        kind="extra",
        starts=time(14),
        ends=time(15),
    )
    assert [
        s.start.astimezone(DENVER).strftime("%H:%M")
        for s in day_slots(consultation, monday, DENVER)
    ] == ["09:00", "11:00", "14:00"]
    next_monday = monday + timedelta(days=7)
    DateException.objects.create(clinician=clinician, date=next_monday, kind="off")
    assert day_slots(consultation, next_monday, DENVER) == []


def test_a_booking_and_its_buffer_block_the_clinician(setup):
    denver = setup.location("America/Denver")
    clinician = setup.clinician("Dr A", denver, hours=[(0, 9, 12)])
    consultation = setup.consultation(clinician, minutes=30, buffer=15)
    monday = date(2026, 6, 1)
    ten = datetime(2026, 6, 1, 10, tzinfo=DENVER)
    with time_machine.travel(utc(2026, 5, 1)):
        services.book(consultation, ten, person(), via="web")
        starts = [
            s.start.astimezone(DENVER).strftime("%H:%M")
            for s in find_slots(
                consultation,
                start=datetime.combine(monday, time(0), tzinfo=DENVER),
                end=datetime.combine(monday, time(23), tzinfo=DENVER),
            )
        ]
    # 10:00-10:30 plus 15 minutes after: 9:30 would run into it (9:30 + 30 + 15 > 10:00)
    # and 10:30 starts inside its buffer; 11:00 is free again.
    assert starts == ["09:00", "11:00", "11:30"]


def test_minimum_notice_and_horizon(setup):
    ny = setup.location("America/New_York")
    consultation = setup.consultation(
        setup.clinician("Dr A", ny, hours=[(d, 9, 17) for d in range(7)])
    )
    setup.clinic.min_notice_hours = 12
    setup.clinic.horizon_days = 2
    setup.clinic.save()
    now = utc(2026, 6, 1, 12)  # 8:00 in New York
    slots = find_slots(
        consultation, start=now - timedelta(days=1), end=now + timedelta(days=30), now=now
    )
    assert slots[0].start >= now + timedelta(hours=12)
    assert slots[-1].start < now + timedelta(days=2)
    assert slot_at(consultation, now + timedelta(hours=1), now=now) is None


def withdraw_location(clinician, place):
    place.is_active = False
    place.save()


def withdraw_clinician(clinician, place):
    clinician.is_active = False
    clinician.save()


def not_her_location(clinician, place):
    clinician.locations.remove(place)


@pytest.mark.parametrize("withdraw", [withdraw_location, withdraw_clinician, not_her_location])
def test_hours_offer_nothing_once_withdrawn(setup, withdraw):
    ny = setup.location("America/New_York")
    clinician = setup.clinician("Dr A", ny, hours=[(0, 9, 10)])
    consultation = setup.consultation(clinician)
    monday = date(2026, 6, 1)
    assert day_slots(consultation, monday, NY)
    withdraw(clinician, ny)
    assert day_slots(consultation, monday, NY) == []


def test_time_off_does_not_shift_the_grid(setup):
    denver = setup.location("America/Denver")
    clinician = setup.clinician("Dr A", denver, hours=[(0, 9, 11)])
    consultation = setup.consultation(clinician)
    monday = date(2026, 6, 1)
    DateException.objects.create(
        clinician=clinician, date=monday, kind="off", starts=time(9), ends=time(9, 10)
    )
    starts = [
        s.start.astimezone(DENVER).strftime("%H:%M")
        for s in day_slots(consultation, monday, DENVER)
    ]
    assert starts == ["09:30", "10:00", "10:30"]


def test_extra_hours_next_to_weekly_hours_make_one_block(setup):
    denver = setup.location("America/Denver")
    clinician = setup.clinician("Dr A", denver, hours=[(0, 9, 12)])
    consultation = setup.consultation(clinician, minutes=60)
    monday = date(2026, 6, 1)
    for starts, ends in ((12, 14), (13, 14)):  # adjacent, then overlapping
        DateException.objects.create(
            clinician=clinician,
            location=denver,
            date=monday,
            kind="extra",
            starts=time(starts),
            ends=time(ends),
        )
    slots = day_slots(consultation, monday, DENVER)
    by_start = {s.start.astimezone(DENVER).strftime("%H:%M"): s for s in slots}
    assert "11:30" in by_start  # 11:30-12:30 crosses from weekly into extra hours
    assert "13:00" in by_start and "13:30" not in by_start
    assert all(len(s.options) == 1 for s in slots)  # one clinician, listed once
