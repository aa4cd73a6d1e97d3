from datetime import UTC, datetime, timedelta

from app.flags.episodes import Episode, episodes

END = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


def at(hours, **symptoms):
    return END + timedelta(hours=hours), symptoms


def test_headache_moderate_at_2_h_resolved_by_24_h():
    found = episodes(END, [at(2, headache=2, nausea=0), at(6, headache=1), at(24, headache=0)])
    assert found == [Episode("headache", 2.0, 2, 2.0, 24.0)]


def test_peak_after_onset_and_unresolved():
    found = episodes(END, [at(2, nausea=1), at(6, nausea=3), at(26, nausea=1)])
    assert found == [Episode("nausea", 2.0, 3, 6.0, None)]
    assert not found[0].resolved


def test_a_checkin_that_does_not_rate_the_symptom_neither_resolves_nor_extends_it():
    found = episodes(END, [at(2, vision=2), at(6, headache=0), at(24, vision=0)])
    assert found == [Episode("vision", 2.0, 2, 2.0, 24.0)]


def test_no_side_effects_no_episodes():
    assert episodes(END, [at(2, headache=0), at(6)]) == []


def test_check_ins_at_the_same_moment_agree_whatever_their_order():
    # Two devices sent a check-in for 2 h: one still has the headache, one does not.
    reported, gone, later = at(2, headache=3), at(2, headache=0), at(6, headache=0)
    for ratings in ([reported, gone, later], [gone, reported, later], [later, gone, reported]):
        assert episodes(END, ratings) == [Episode("headache", 2.0, 3, 2.0, 6.0)]
    assert episodes(END, [gone, reported]) == [Episode("headache", 2.0, 3, 2.0, None)]


def test_the_peak_counts_until_the_resolving_check_in_only():
    found = episodes(END, [at(2, nausea=1), at(6, nausea=0), at(24, nausea=4)])
    assert found == [Episode("nausea", 2.0, 1, 2.0, 6.0)]
