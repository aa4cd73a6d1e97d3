"""The triage queue (the clinician's landing page), acknowledging and resolving flags, and the
flag history, side-effect episodes and PHQ-9 progress on the patient page.

Flags are raised the way the app raises them: check-ins and PHQ-9s through the submit services
(safety, severe_symptom and mood_drop run there) and ``evaluate_patient`` for the job's rules.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from app.extensions import db
from app.flags.models import FlagStatus
from app.flags.services import acknowledge, evaluate_patient, resolve
from app.infusions.services import start_maintenance
from app.prompts.services import mark_missed
from tests import factories
from tests.web.auth_support import login
from tests.web.flag_support import (
    answers_totalling,
    audit_events,
    flag_state,
    flags,
    form_actions,
    hidden_back,
    page_of,
    phq9,
    queue_blocks,
    queue_counts,
    queue_rows,
    queue_when,
    reload,
    rows,
    section,
    text_of,
)

QUEUE = "/clinic/"


@dataclass
class World:
    clinic: object
    clinician: object
    patients: dict = field(default_factory=dict)
    flags: dict = field(default_factory=dict)  # name -> Flag
    rows: dict = field(default_factory=dict)  # name -> the row the queue shows for it


def _only(flag_list, **where):
    found = [f for f in flag_list if all(getattr(f, k) == v for k, v in where.items())]
    assert len(found) == 1, f"expected one flag with {where}, found {found}"
    return found[0]


@pytest.fixture
def world(snapshot, clock) -> World:
    """One flag of every priority in one clinic, and one in another clinic (built once per
    test process and database: ``tests/snapshots.py``)."""
    return snapshot(lambda: _world(clock))


def _world(clock) -> World:
    """The infusions that matter ended 48 hours before now. Within "high", the severe headache
    of patient E is created after patient A's mood drop but is older (created_at), so
    oldest-first and id order differ.
    """
    now = clock()
    t0 = now - timedelta(hours=48)
    enrolled = now - timedelta(days=14)
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    w = World(clinic, clinician)
    a, b, c, d, e = (factories.patient(clinic, enrolled, by=clinician) for _ in range(5))
    w.patients = {"A": a, "B": b, "C": c, "D": d, "E": e}

    # A: second infusion; severe headache at 2 h (high), mood 1 at 6 h (high).
    factories.infusion(a, end=t0 - timedelta(days=7))
    factories.infusion(a, end=t0)
    factories.checkin(a, taken_at=t0 + timedelta(hours=2), symptoms={"headache": 3})
    factories.checkin(a, taken_at=t0 + timedelta(hours=6), mood=1)
    # E: very severe headache at 3 h, submitted now but created_at 3 h after the infusion.
    factories.infusion(e, end=t0)
    factories.checkin(e, taken_at=t0 + timedelta(hours=3), symptoms={"headache": 4})
    # C: mild nausea still there a day later -> persistent_symptom (moderate), by the job.
    factories.infusion(c, end=t0)
    factories.checkin(c, taken_at=t0 + timedelta(hours=2), symptoms={"nausea": 1})
    factories.checkin(c, taken_at=t0 + timedelta(hours=25), symptoms={"nausea": 1})
    evaluate_patient(c, now=t0 + timedelta(hours=26))
    # B: no check-in in the first day -> missed_checkins (low), by the jobs: the first day's
    # prompts reach the patient (the send job runs every half hour; B has no push device, so
    # the app lists them), lapse (mark_missed), then the rules see them missed.
    factories.infusion(b, end=t0 + timedelta(hours=1))
    for half_hours in range(60):
        factories.send_due(t0 + timedelta(minutes=30 * half_hours))
    mark_missed(t0 + timedelta(hours=30))
    evaluate_patient(b, now=t0 + timedelta(hours=30))
    # D: PHQ-9 item 9 answered "several days" -> safety (urgent), at submission.
    phq9(d, taken_at=t0 + timedelta(hours=40), answers=answers_totalling(8, item9=1))
    # Another clinic's severe flag must never show here.
    other = factories.patient(factories.clinic(), enrolled)
    factories.infusion(other, end=t0)
    factories.checkin(other, taken_at=t0 + timedelta(hours=1), symptoms={"headache": 4})
    db.session.commit()

    made = flags()
    w.flags = {
        "A-severe": _only(made, patient_id=a.id, rule="severe_symptom"),
        "A-mood": _only(made, patient_id=a.id, rule="mood_drop"),
        "E-severe": _only(made, patient_id=e.id, rule="severe_symptom"),
        "C-persistent": _only(made, patient_id=c.id, rule="persistent_symptom"),
        "B-missed": _only(made, patient_id=b.id, rule="missed_checkins"),
        "D-safety": _only(made, patient_id=d.id, rule="safety"),
        "other-clinic": _only(made, patient_id=other.id),
    }
    assert len(made) == len(w.flags), [(f.patient_id, f.rule) for f in made]
    # The case that tells oldest-first from id order.
    assert w.flags["E-severe"].id > w.flags["A-mood"].id
    assert w.flags["E-severe"].created_at < w.flags["A-mood"].created_at
    # What each row says: the rule, why it fired (the value), the infusion number.
    w.rows = {
        "D-safety": ("urgent", d.display_name,
                     "Safety answer (PHQ-9 item 9): PHQ-9 item 9 = 1 (total 8)", "\u2014"),
        "A-severe": ("high", a.display_name,
                     "Severe side effect: Headache 3 (severe) at 2 h", "No. 2"),
        "E-severe": ("high", e.display_name,
                     "Severe side effect: Headache 4 (very severe) at 3 h", "No. 1"),
        "A-mood": ("high", a.display_name,
                   "Mood drop: Mood 1 against a baseline of 6 at 6 h", "No. 2"),
        "C-persistent": ("moderate", c.display_name,
                         "Side effect past a day: Nausea 1 (mild) at 25 h, still there after "
                         "24 h", "No. 1"),
        "B-missed": ("low", b.display_name,
                     "Missed check-ins: No check-in in the first 24 h (2 prompts missed)",
                     "No. 1"),
    }
    return w


@pytest.fixture
def desk(world, signed_in):
    return signed_in(world.clinician)


def _expected(world: World, *names: str, status: str = "open") -> list[tuple]:
    return [(*world.rows[name], status) for name in names]


def _queue(desk, query: str = ""):
    response = desk.get(QUEUE + query)
    assert response.status_code == 200, page_of(response)[:500]
    return page_of(response)


# Most urgent first; within "high" the newest evidence first (A's mood 1 at 6 h, E's headache
# at 3 h, A's headache at 2 h), A's two flags kept together in one block.
ALL_UNRESOLVED = ("D-safety", "A-mood", "A-severe", "E-severe", "C-persistent", "B-missed")


# --- the queue ------------------------------------------------------------------------------

def test_clinician_lands_on_the_triage_queue_after_signing_in(world, client):
    response = login(client, world.clinician.email)

    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith(QUEUE)
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200
    assert "<h1>Triage</h1>" in page_of(landing)


def test_queue_lists_unresolved_flags_most_urgent_then_newest_evidence_first(world, desk):
    page = _queue(desk)

    assert queue_rows(page) == _expected(world, *ALL_UNRESOLVED)
    names = {key: patient.display_name for key, patient in world.patients.items()}
    assert queue_blocks(page) == [(names["D"], 1), (names["A"], 2), (names["E"], 1),
                                  (names["C"], 1), (names["B"], 1)]
    assert queue_when(page)[:5] == ["8 h ago", "42 h ago", "46 h ago", "45 h ago", "23 h ago"]
    other = reload(world.flags["other-clinic"]).patient.display_name
    assert other not in page


def test_queue_shows_counts_by_priority(world, desk):
    page = _queue(desk)

    assert queue_counts(page) == {"urgent": 1, "high": 3, "moderate": 1, "low": 1}


def test_queue_rows_link_to_the_patient_and_offer_both_actions(world, desk):
    page = _queue(desk)

    for name in ALL_UNRESOLVED:
        flag = world.flags[name]
        assert f'href="/clinic/patients/{flag.patient_id}"' in page
        assert f"/clinic/flags/{flag.id}/acknowledge" in form_actions(page)
        if flag.priority <= 1:  # urgent and high: resolved with a note, on a page of its own
            assert f'href="/clinic/flags/{flag.id}/resolve"' in page
            assert f"/clinic/flags/{flag.id}/resolve" not in form_actions(page)
        else:  # moderate and low: one click
            assert f"/clinic/flags/{flag.id}/resolve" in form_actions(page)


FILTERS = {
    "no filter": ("", ALL_UNRESOLVED),
    "urgent": ("?priority=urgent", ("D-safety",)),
    "high": ("?priority=high", ("A-mood", "A-severe", "E-severe")),
    "moderate": ("?priority=moderate", ("C-persistent",)),
    "low": ("?priority=low", ("B-missed",)),
    "severe symptom": ("?rule=severe_symptom", ("E-severe", "A-severe")),
    "mood drop": ("?rule=mood_drop", ("A-mood",)),
    "safety": ("?rule=safety", ("D-safety",)),
    "high mood drop": ("?priority=high&rule=mood_drop", ("A-mood",)),
    "low severe: nothing": ("?priority=low&rule=severe_symptom", ()),
    "open": ("?status=open", ALL_UNRESOLVED),
    "unresolved": ("?status=unresolved", ALL_UNRESOLVED),
    "resolved: none yet": ("?status=resolved", ()),
    "acknowledged: none yet": ("?status=acknowledged", ()),
    # The filter form as a desk sends it with "All" chosen.
    "form, all": ("?priority=&rule=&status=unresolved", ALL_UNRESOLVED),
    "form, high only": ("?priority=high&rule=&status=unresolved",
                        ("A-mood", "A-severe", "E-severe")),
    "form, severe only": ("?priority=&rule=severe_symptom&status=unresolved",
                          ("E-severe", "A-severe")),
}


@pytest.mark.parametrize(("query", "names"), FILTERS.values(), ids=FILTERS.keys())
def test_queue_filters(app, world, desk, query, names):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash should show as a 500, not raise

    page = _queue(desk, query)

    assert queue_rows(page) == _expected(world, *names)
    # Counts always cover all unresolved flags, whatever the filter.
    assert queue_counts(page) == {"urgent": 1, "high": 3, "moderate": 1, "low": 1}


def test_status_filters_after_acknowledging_and_resolving(world, desk, clock):
    acknowledge(world.flags["A-mood"], by=world.clinician, now=clock())
    resolve(world.flags["E-severe"], by=world.clinician, now=clock())
    db.session.commit()

    open_rows = queue_rows(_queue(desk, "?status=open"))
    acknowledged = queue_rows(_queue(desk, "?status=acknowledged"))
    resolved = queue_rows(_queue(desk, "?status=resolved"))
    unresolved_page = _queue(desk)

    assert open_rows == _expected(world, "D-safety", "A-severe", "C-persistent", "B-missed")
    assert acknowledged == _expected(world, "A-mood", status="acknowledged")
    assert resolved == _expected(world, "E-severe", status="resolved")
    assert [r[:4] for r in queue_rows(unresolved_page)] == [
        world.rows[n] for n in ("D-safety", "A-mood", "A-severe", "C-persistent", "B-missed")]
    assert queue_counts(unresolved_page) == {"urgent": 1, "high": 2, "moderate": 1, "low": 1}


BAD_FILTERS = ["priority=bogus", "priority=URGENT", "priority=0", "rule=x", "rule=Safety",
               "rule=severe", "status=x", "status=all", "status=RESOLVED",
               "priority=high&rule=x", "status=resolved&priority=bogus"]


@pytest.mark.parametrize("query", BAD_FILTERS)
def test_unknown_filter_value_is_400_never_500(app, world, desk, query):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = desk.get(f"{QUEUE}?{query}")

    assert response.status_code == 400


# --- acknowledging and resolving ------------------------------------------------------------

def _post(desk, flag, action: str, **data):
    return desk.form(f"/clinic/flags/{flag.id}/{action}", data)


def test_acknowledge_in_one_click(world, desk, clock):
    flag = world.flags["A-severe"]
    assert f"/clinic/flags/{flag.id}/acknowledge" in form_actions(_queue(desk))
    clock.advance(minutes=7)

    response = _post(desk, flag, "acknowledge")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(QUEUE)
    assert flag_state(flag) == (FlagStatus.ACKNOWLEDGED, clock(), world.clinician.id, "",
                                None, None, "")
    [event] = audit_events("flag.acknowledge")
    assert (event.patient_id, event.actor_id, event.clinic_id, event.target, event.at) == (
        world.patients["A"].id, world.clinician.id, world.clinic.id, f"flag:{flag.id}",
        clock())
    # The queue still lists it (unresolved), now without the acknowledge button.
    page = _queue(desk)
    assert f"/clinic/flags/{flag.id}/acknowledge" not in form_actions(page)
    assert f'href="/clinic/flags/{flag.id}/resolve"' in page  # high: resolved with a note
    assert (*world.rows["A-severe"], "acknowledged") in queue_rows(page)


def test_acknowledging_twice_is_harmless(world, desk, clock, signed_in):
    flag = world.flags["A-severe"]
    _post(desk, flag, "acknowledge")
    before = flag_state(flag)
    clock.advance(minutes=5)
    colleague = signed_in(factories.staff(world.clinic))

    again = _post(desk, flag, "acknowledge")
    by_colleague = _post(colleague, flag, "acknowledge", note="seen")

    assert (again.status_code, by_colleague.status_code) == (303, 303)
    assert flag_state(flag) == before
    assert len(audit_events("flag.acknowledge")) == 1


def test_resolving_an_open_flag_also_records_acknowledgement(world, desk, clock):
    flag = world.flags["D-safety"]
    clock.advance(minutes=3)

    response = _post(desk, flag, "resolve", note="Called, safe, plan in place")

    assert response.status_code == 303
    assert flag_state(flag) == (FlagStatus.RESOLVED, clock(), world.clinician.id, "",
                                clock(), world.clinician.id, "Called, safe, plan in place")
    [event] = audit_events("flag.resolve")
    assert (event.patient_id, event.actor_id, event.target, event.at) == (
        world.patients["D"].id, world.clinician.id, f"flag:{flag.id}", clock())
    page = _queue(desk)
    assert world.rows["D-safety"] not in [r[:4] for r in queue_rows(page)]
    assert queue_counts(page)["urgent"] == 0


def test_resolving_an_acknowledged_flag_keeps_who_acknowledged_it(world, desk, clock,
                                                                  signed_in):
    flag = world.flags["A-mood"]
    _post(desk, flag, "acknowledge", note="will call")
    acknowledged_at = clock()
    clock.advance(hours=1)
    colleague_user = factories.staff(world.clinic)

    response = _post(signed_in(colleague_user), flag, "resolve", note="Called back, fine")

    assert response.status_code == 303
    assert flag_state(flag) == (FlagStatus.RESOLVED, acknowledged_at, world.clinician.id,
                                "will call", clock(), colleague_user.id, "Called back, fine")
    assert len(audit_events("flag.resolve")) == 1


def test_resolving_twice_and_acknowledging_a_resolved_flag_change_nothing(world, desk,
                                                                           clock):
    flag = world.flags["C-persistent"]
    _post(desk, flag, "resolve")
    before = flag_state(flag)
    clock.advance(minutes=10)

    again = _post(desk, flag, "resolve", note="again")
    acknowledged = _post(desk, flag, "acknowledge")

    assert (again.status_code, acknowledged.status_code) == (303, 303)
    assert flag_state(flag) == before
    assert len(audit_events("flag.resolve")) == 1
    assert audit_events("flag.acknowledge") == []


# --- resolving an urgent or high flag needs a note of what was done ---------------------------

NOTE_NEEDED = "Write what was done before resolving an urgent or high flag"


@pytest.mark.parametrize("name", ["D-safety", "A-severe", "A-mood"])
@pytest.mark.parametrize("note", ["", "   ", "ok"], ids=["none", "blank", "too short"])
def test_resolving_urgent_or_high_without_a_note_shows_the_form_again(world, desk, name, note):
    flag = world.flags[name]
    before = flag_state(flag)

    response = _post(desk, flag, "resolve", note=note)

    assert response.status_code == 422
    page = page_of(response)
    assert NOTE_NEEDED in text_of(page)
    assert 'aria-invalid="true"' in page and 'id="note-error"' in page
    assert f'action="/clinic/flags/{flag.id}/resolve"' in page
    assert flag_state(flag) == before
    assert audit_events("flag.resolve") == []


def test_the_note_is_kept_on_the_flag_and_in_the_audit_log(world, desk, clock):
    flag = world.flags["D-safety"]

    response = _post(desk, flag, "resolve", note="  Called her, safe, plan in place ")

    assert response.status_code == 303
    assert reload(flag).resolve_note == "  Called her, safe, plan in place "
    [event] = audit_events("flag.resolve")
    assert event.detail == {"rule": "safety", "note": "  Called her, safe, plan in place "}


@pytest.mark.parametrize("name", ["C-persistent", "B-missed"])
def test_moderate_and_low_flags_resolve_in_one_click(world, desk, name):
    flag = world.flags[name]

    response = _post(desk, flag, "resolve")

    assert response.status_code == 303
    assert reload(flag).status == FlagStatus.RESOLVED


def test_acknowledging_an_urgent_flag_stays_one_click(world, desk):
    response = _post(desk, world.flags["D-safety"], "acknowledge")

    assert response.status_code == 303
    assert reload(world.flags["D-safety"]).status == FlagStatus.ACKNOWLEDGED


def test_the_resolve_page_says_why_and_asks_what_was_done(world, desk):
    flag = world.flags["A-mood"]

    response = desk.get(f"/clinic/flags/{flag.id}/resolve?back=/clinic/patients/{flag.patient_id}")

    assert response.status_code == 200
    page = page_of(response)
    assert "Mood 1 against a baseline of 6 at 6 h" in text_of(page)
    assert '<textarea id="note" name="note"' in page
    assert hidden_back(page, f"/clinic/flags/{flag.id}/resolve") == (
        f"/clinic/patients/{flag.patient_id}")


def test_the_resolve_page_of_a_resolved_flag_offers_nothing(world, desk):
    flag = world.flags["C-persistent"]
    _post(desk, flag, "resolve")

    page = page_of(desk.get(f"/clinic/flags/{flag.id}/resolve"))

    assert "already resolved" in page
    assert f"/clinic/flags/{flag.id}/resolve" not in form_actions(page)


@pytest.mark.parametrize("query", ["back=https://evil.test/", "back=/login", "x=1"])
def test_the_resolve_page_with_a_bad_query_is_400(app, world, desk, query):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = desk.get(f"/clinic/flags/{world.flags['A-mood'].id}/resolve?{query}")

    assert response.status_code == 400


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_a_note_of_500_characters_is_kept(world, desk, action):
    flag = world.flags["A-severe"]

    response = _post(desk, flag, action, note="n" * 500)

    assert response.status_code == 303
    flag = reload(flag)
    assert (flag.acknowledge_note if action == "acknowledge" else flag.resolve_note) == "n" * 500


@pytest.mark.parametrize(("action", "status"), [("acknowledge", 400), ("resolve", 422)])
def test_a_note_over_500_characters_is_refused_and_changes_nothing(world, desk, action, status):
    flag = world.flags["A-severe"]
    before = flag_state(flag)

    response = _post(desk, flag, action, note="n" * 501)

    assert response.status_code == status  # resolve: its form again, the reason beside it
    assert "Keep the note under 500 characters." in page_of(response)
    assert flag_state(flag) == before
    assert audit_events(f"flag.{action}") == []


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_back_to_a_clinic_page_is_followed(world, desk, action):
    flag = world.flags["A-severe"]
    back = f"/clinic/patients/{flag.patient_id}"

    response = _post(desk, flag, action, back=back, note="done that")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(back)


BAD_BACKS = {
    "another site": "https://evil.test/clinic/",
    "scheme-relative": "//evil.test/clinic/",
    "a patient page": "/checkin",
    "sign-in page": "/login",
    "dot-dot out of /clinic/": "/clinic/../login",
    "javascript": "javascript:alert(1)",
    "relative": "clinic/",
    "leading space": " /clinic/",
    "/clinic without slash": "/clinic",
    "backslash": "/clinic/\\evil.test",
    "encoded": "/clinic/%2f%2fevil.test",
    "trailing newline": "/clinic/\n",
    "header injection": "/clinic/\r\nSet-Cookie: x=1",
}


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
@pytest.mark.parametrize("back", BAD_BACKS.values(), ids=BAD_BACKS.keys())
def test_back_that_is_not_a_clinic_path_is_400_and_changes_nothing(app, world, desk, action,
                                                                  back):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    flag = world.flags["A-severe"]
    before = flag_state(flag)

    response = _post(desk, flag, action, back=back)

    assert response.status_code == 400
    assert flag_state(flag) == before
    assert audit_events(f"flag.{action}") == []


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_a_flag_of_another_clinic_is_404_and_unchanged(world, desk, action):
    flag = world.flags["other-clinic"]
    before = flag_state(flag)

    response = _post(desk, flag, action)

    assert response.status_code == 404
    assert flag_state(flag) == before
    assert audit_events(f"flag.{action}") == []


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_a_flag_that_does_not_exist_is_404(world, desk, action):
    response = desk.form(f"/clinic/flags/999999/{action}")

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_a_patient_gets_403(world, signed_in, action):
    flag = world.flags["A-severe"]
    before = flag_state(flag)
    patient = signed_in(world.patients["A"].user)

    response = _post(patient, flag, action)

    assert response.status_code == 403
    assert patient.get(QUEUE).status_code == 403
    assert flag_state(flag) == before
    assert audit_events(f"flag.{action}") == []


@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_without_csrf_token_nothing_changes(world, desk, action):
    flag = world.flags["A-severe"]
    before = flag_state(flag)

    response = desk.post(f"/clinic/flags/{flag.id}/{action}")

    assert response.status_code == 400
    assert flag_state(flag) == before


# --- the patient page -----------------------------------------------------------------------

def _patient_page(desk, patient) -> str:
    response = desk.get(f"/clinic/patients/{patient.id}")
    assert response.status_code == 200
    return page_of(response)


def test_patient_page_shows_the_flag_history_newest_first(world, desk, clock, signed_in):
    a = world.patients["A"]
    severe, mood = world.flags["A-severe"], world.flags["A-mood"]
    _post(desk, severe, "acknowledge")
    colleague = factories.staff(world.clinic)
    _post(signed_in(colleague), mood, "resolve", note="Seen in clinic")

    page = _patient_page(desk, a)

    history = rows(section(page, "flags-heading"))
    assert [cells[:3] for cells in history] == [
        ["high", "Mood drop", "2"],
        ["high", "Severe side effect: Headache", "2"],
    ]
    assert history[0][4].startswith("resolved")
    assert f"ack. {colleague.name}" in history[0][4]
    assert f"resolved {colleague.name}" in history[0][4]
    assert history[1][4].startswith("acknowledged")
    assert f"ack. {world.clinician.name}" in history[1][4]
    severe_checkin = reload(severe).evidence[0].ref_id
    assert history[1][5] == f"1 record(s): check-in #{severe_checkin}"
    # The history has no actions: they sit with the open flags at the top of the page. Only
    # the acknowledged flag is open and can still be resolved; nothing to acknowledge.
    assert form_actions(section(page, "flags-heading")) == []
    actions = form_actions(section(page, "open-flags-heading"))
    assert actions == [f"/clinic/flags/{severe.id}/resolve"]


def test_resolving_from_the_patient_page_comes_back_to_it(world, desk):
    a, flag = world.patients["A"], world.flags["A-severe"]
    page = _patient_page(desk, a)
    back = hidden_back(page, f"/clinic/flags/{flag.id}/resolve")

    response = _post(desk, flag, "resolve", back=back, note="Phoned, settled")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clinic/patients/{a.id}")
    assert reload(flag).status == FlagStatus.RESOLVED


def test_patient_page_shows_no_flags_for_a_patient_without_any(world, desk, clock):
    quiet = factories.patient(world.clinic, clock() - timedelta(days=3), by=world.clinician)

    page = _patient_page(desk, quiet)

    assert "No flags." in section(page, "flags-heading")
    assert "No side effects reported" in section(page, "episodes-heading")
    assert "No PHQ-9 yet" in section(page, "phq9-heading")


def test_patient_page_shows_side_effect_episodes(app, clock, signed_in):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=5), by=clinician)
    end = clock() - timedelta(days=2)
    factories.infusion(patient, end=end)
    for hours, headache, nausea in ((2, 2, 1), (6, 1, 2), (24, 0, 1)):
        factories.checkin(patient, taken_at=end + timedelta(hours=hours),
                          symptoms={"headache": headache, "nausea": nausea})

    page = _patient_page(signed_in(clinician), patient)

    episodes = text_of(section(page, "episodes-heading"))
    assert ("Infusion 1 (induction): headache: moderate at 2 h, resolved by 24 h; "
            "nausea: moderate at 6 h, unresolved") in episodes


PHQ9_SERIES = {
    "response at half, remission below 5": (
        [16, 9, 8, 5, 4],
        ["baseline", "-7", "-8 \u00b7 response", "-11 \u00b7 response",
         "-12 \u00b7 response \u00b7 remission"]),
    "low baseline": ([4, 2, 6], ["baseline \u00b7 remission",
                                 "-2 \u00b7 response \u00b7 remission", "+2"]),
    "zero baseline cannot respond": ([0, 0], ["baseline \u00b7 remission", "+0 \u00b7 remission"]),
    "just short of half": ([9, 5], ["baseline", "-4"]),
}


@pytest.mark.parametrize(("totals", "against"), PHQ9_SERIES.values(), ids=PHQ9_SERIES.keys())
def test_patient_page_shows_phq9_totals_against_the_series_baseline(app, clock, signed_in,
                                                                    totals, against):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=40), by=clinician)
    taken = [clock() - timedelta(days=7 * (len(totals) - i)) for i in range(len(totals))]
    # Stored newest first: the baseline is the first taken, not the first stored.
    for total, at in reversed(list(zip(totals, taken, strict=True))):
        phq9(patient, taken_at=at, answers=answers_totalling(total))

    page = _patient_page(signed_in(clinician), patient)

    table = rows(section(page, "phq9-heading"))
    assert [(cells[1], cells[2], cells[3]) for cells in table] == [
        (str(total), "0", text) for total, text in zip(totals, against, strict=True)]


def test_phq9_baseline_starts_again_with_a_new_series(app, clock, signed_in):
    clinic = factories.clinic()
    clinician = factories.staff(clinic)
    patient = factories.patient(clinic, clock() - timedelta(days=60), by=clinician)
    phq9(patient, taken_at=clock() - timedelta(days=50), answers=answers_totalling(20))
    phq9(patient, taken_at=clock() - timedelta(days=43), answers=answers_totalling(18))
    start_maintenance(patient, by=clinician, now=clock() - timedelta(days=30))
    db.session.commit()
    phq9(patient, taken_at=clock() - timedelta(days=14), answers=answers_totalling(10))
    phq9(patient, taken_at=clock() - timedelta(days=7), answers=answers_totalling(5))

    page = _patient_page(signed_in(clinician), patient)

    table = rows(section(page, "phq9-heading"))
    assert [(cells[1], cells[3]) for cells in table] == [
        ("10", "baseline"), ("5", "-5 \u00b7 response")]
