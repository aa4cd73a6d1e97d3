"""Clinician pages: record, edit and delete infusions; start a maintenance series."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.infusions import services
from app.infusions.models import Infusion, SeriesKind, TreatmentSeries
from tests import factories


@pytest.fixture
def patient(app, clock):
    return factories.patient(factories.clinic(timezone="America/New_York"), clock())


@pytest.fixture
def clinician(patient):
    return db.session.get(User, patient.created_by_id)


@pytest.fixture
def user_client(clinician, signed_in):
    return signed_in(clinician)


def _infusions() -> list[Infusion]:
    db.session.expire_all()
    return list(db.session.scalars(select(Infusion).order_by(Infusion.planned_start)))


def _form(**overrides) -> dict:
    data = {"planned_start": "2026-03-10T09:00", "actual_start": "2026-03-10T09:05",
            "actual_end": "2026-03-10T09:50", "dose_mg_per_kg": "0.5", "dose_mg": "",
            "weight_kg": "70", "route": "IV", "notes": ""}
    data.update(overrides)
    return data


def _new_url(patient) -> str:
    return f"/clinic/patients/{patient.id}/infusions/new"


def _record(patient, clinician, clock, **fields) -> Infusion:
    made = services.record(patient, {"planned_start": clock() - timedelta(days=1), **fields},
                           by=clinician, now=clock())
    db.session.commit()
    return made


def test_new_infusion_form_renders(user_client, patient):
    response = user_client.get(_new_url(patient))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "America/New_York" in html
    for name in ("planned_start", "actual_start", "actual_end", "dose_mg_per_kg", "dose_mg"):
        assert f'name="{name}"' in html


@pytest.mark.parametrize(("typed", "utc"), [
    pytest.param("2026-01-15T09:00", datetime(2026, 1, 15, 14, 0, tzinfo=UTC), id="EST-winter"),
    pytest.param("2026-03-10T09:00", datetime(2026, 3, 10, 13, 0, tzinfo=UTC), id="EDT-summer"),
])
def test_recording_stores_clinic_local_times_in_utc(user_client, patient, typed, utc):
    response = user_client.form(_new_url(patient), _form(planned_start=typed, actual_start=typed,
                                                     actual_end=""))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clinic/patients/{patient.id}")
    [infusion] = _infusions()
    assert infusion.planned_start == utc
    assert infusion.actual_start == utc
    assert infusion.planned_start.utcoffset() == timedelta(0)


def test_recording_stores_every_field(user_client, patient, clinician):
    response = user_client.form(_new_url(patient), _form(dose_mg="35.5", weight_kg="71",
                                                         route="IM", notes="tolerated well"))

    assert response.status_code == 303
    [infusion] = _infusions()
    assert infusion.patient_id == patient.id
    assert infusion.number == 1
    assert infusion.actual_start == datetime(2026, 3, 10, 13, 5, tzinfo=UTC)
    assert infusion.actual_end == datetime(2026, 3, 10, 13, 50, tzinfo=UTC)
    assert infusion.duration_minutes == 45
    assert infusion.dose_mg_per_kg == Decimal("0.5")
    assert infusion.dose_mg == Decimal("35.5")
    assert infusion.weight_kg == Decimal("71")
    assert infusion.route == "IM"
    assert infusion.notes == "tolerated well"
    assert infusion.recorded_by_id == clinician.id

    page = user_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Infusion 1 recorded." in page
    assert "Tue 10 Mar 2026, 09:05" in page  # shown back in clinic time


def test_optional_fields_may_be_left_empty(user_client, patient):
    response = user_client.form(_new_url(patient), _form(actual_start="", actual_end="",
                                                     dose_mg_per_kg="", route=""))

    assert response.status_code == 303
    [infusion] = _infusions()
    assert (infusion.actual_start, infusion.actual_end, infusion.dose_mg_per_kg) == (
        None, None, None)
    assert infusion.route == "IV"


BAD_FORMS = [
    pytest.param({"actual_end": "2026-03-10T09:00"}, "actual_end", id="end-before-start"),
    pytest.param({"actual_start": ""}, "actual_start", id="end-without-start"),
    pytest.param({"actual_end": "2026-03-10T15:06"}, "actual_end", id="longer-than-6-h"),
    pytest.param({"dose_mg_per_kg": "0"}, "dose_mg_per_kg", id="dose-0"),
    pytest.param({"dose_mg_per_kg": "abc"}, "dose_mg_per_kg", id="dose-garbage"),
    pytest.param({"dose_mg": "501"}, "dose_mg", id="dose-mg-too-high"),
    pytest.param({"planned_start": "2026-02-30T09:00"}, "planned_start", id="no-such-date"),
    pytest.param({"planned_start": "10/03/2026 9am"}, "planned_start", id="malformed-date"),
    pytest.param({"planned_start": ""}, "planned_start", id="planned-start-empty"),
    pytest.param({"route": "oral"}, "route", id="unknown-route"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_FORMS)
def test_bad_new_infusion_is_refused_and_nothing_stored(user_client, patient, overrides, field):
    response = user_client.form(_new_url(patient), _form(**overrides))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please check the form." in html
    if field != "route":  # the route is a <select>; its error shows in the summary only
        assert f'id="{field}-error"' in html
    assert _infusions() == []


def test_edit_form_shows_times_in_clinic_time(user_client, patient, clinician, clock):
    infusion = _record(patient, clinician, clock,
                       planned_start=datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
                       actual_start=datetime(2026, 3, 9, 13, 10, tzinfo=UTC),
                       actual_end=datetime(2026, 3, 9, 13, 55, tzinfo=UTC))

    html = user_client.get(f"/clinic/infusions/{infusion.id}/edit").get_data(as_text=True)

    assert 'value="2026-03-09T09:00"' in html
    assert 'value="2026-03-09T09:10"' in html
    assert 'value="2026-03-09T09:55"' in html
    # The form shows the patient's dose and notes: the view is in the audit log.
    viewed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "infusion.view"))
    assert [(e.patient_id, e.target) for e in viewed] == [(patient.id, f"infusion:{infusion.id}")]


def test_editing_updates_the_infusion(user_client, patient, clinician, clock):
    infusion = _record(patient, clinician, clock)

    response = user_client.form(f"/clinic/infusions/{infusion.id}/edit",
                            _form(planned_start="2026-03-09T08:00", actual_start="2026-03-09T08:10",
                                  actual_end="2026-03-09T09:00", dose_mg_per_kg="0.75",
                                  notes="edited"))

    assert response.status_code == 303
    [stored] = _infusions()
    assert stored.id == infusion.id
    assert stored.planned_start == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    assert stored.actual_end == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert stored.dose_mg_per_kg == Decimal("0.75")
    assert stored.notes == "edited"


def test_editing_planned_start_renumbers(user_client, patient, clinician, clock):
    first = _record(patient, clinician, clock, planned_start=clock() - timedelta(days=3))
    second = _record(patient, clinician, clock, planned_start=clock() - timedelta(days=2))

    response = user_client.form(f"/clinic/infusions/{first.id}/edit",
                            _form(planned_start="2026-03-10T08:00", actual_start="",
                                  actual_end=""))

    assert response.status_code == 303
    assert [(i.id, i.number) for i in _infusions()] == [(second.id, 1), (first.id, 2)]


@pytest.mark.parametrize(("overrides", "field"), BAD_FORMS)
def test_bad_edit_is_refused_and_changes_nothing(user_client, patient, clinician, clock,
                                                 overrides, field):
    infusion = _record(patient, clinician, clock, notes="original",
                       dose_mg_per_kg=Decimal("0.5"))
    before = (infusion.planned_start, infusion.actual_start, infusion.actual_end,
              infusion.dose_mg_per_kg, infusion.dose_mg, infusion.route, infusion.notes)

    response = user_client.form(f"/clinic/infusions/{infusion.id}/edit",
                            _form(notes="changed", **overrides))

    assert response.status_code == 422
    [stored] = _infusions()
    assert (stored.planned_start, stored.actual_start, stored.actual_end, stored.dose_mg_per_kg,
            stored.dose_mg, stored.route, stored.notes) == before


def test_deleting_removes_the_infusion_and_renumbers(user_client, patient, clinician, clock):
    first = _record(patient, clinician, clock, planned_start=clock() - timedelta(days=3))
    second = _record(patient, clinician, clock, planned_start=clock() - timedelta(days=2))

    response = user_client.form(f"/clinic/infusions/{first.id}/delete")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/clinic/patients/{patient.id}")
    assert [(i.id, i.number) for i in _infusions()] == [(second.id, 1)]


def test_deleting_asks_for_confirmation_first(user_client, patient, clinician, clock):
    infusion = _record(patient, clinician, clock, planned_start=clock() - timedelta(days=3))
    url = f"/clinic/infusions/{infusion.id}/delete"
    edit = user_client.get(f"/clinic/infusions/{infusion.id}/edit").get_data(as_text=True)
    assert f'href="{url}"' in edit  # the edit page links to the question, it posts nothing

    asked = user_client.get(url)

    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Delete infusion 1?" in page
    assert f'<form method="post" action="{url}">' in page
    assert [i.id for i in _infusions()] == [infusion.id]


def test_deleting_an_infusion_with_checkins_keeps_it(user_client, patient, clock):
    infusion = factories.infusion(patient, end=clock() - timedelta(hours=3))
    factories.checkin(patient, taken_at=clock() - timedelta(hours=1))

    response = user_client.form(f"/clinic/infusions/{infusion.id}/delete")

    assert response.status_code == 303
    assert [i.id for i in _infusions()] == [infusion.id]
    page = user_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot be deleted" in page


def test_start_maintenance_creates_a_series(user_client, patient, clinician, clock):
    _record(patient, clinician, clock)

    response = user_client.form(f"/clinic/patients/{patient.id}/maintenance")

    assert response.status_code == 303
    series = list(db.session.scalars(select(TreatmentSeries).where(
        TreatmentSeries.patient_id == patient.id).order_by(TreatmentSeries.id)))
    assert [s.kind for s in series] == [SeriesKind.INDUCTION, SeriesKind.MAINTENANCE]
    assert series[1].created_by_id == clinician.id

    user_client.form(_new_url(patient), _form(planned_start="2026-03-17T09:00", actual_start="",
                                          actual_end=""))
    newest = _infusions()[-1]
    assert (newest.series_id, newest.number) == (series[1].id, 1)


def test_start_maintenance_needs_csrf(user_client, patient):
    response = user_client.post(f"/clinic/patients/{patient.id}/maintenance")

    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(TreatmentSeries)) == 1


def test_another_clinics_staff_get_404(app, clock, signed_in, patient, clinician):
    infusion = _record(patient, clinician, clock)
    outsider = signed_in(factories.staff(factories.clinic()))

    assert outsider.get(_new_url(patient)).status_code == 404
    assert outsider.form(_new_url(patient), _form()).status_code == 404
    assert outsider.get(f"/clinic/infusions/{infusion.id}/edit").status_code == 404
    assert outsider.form(f"/clinic/infusions/{infusion.id}/delete").status_code == 404
    assert outsider.form(f"/clinic/patients/{patient.id}/maintenance").status_code == 404
    assert [i.id for i in _infusions()] == [infusion.id]
    assert db.session.scalar(select(func.count()).select_from(TreatmentSeries)) == 1


def test_patients_cannot_open_infusion_pages(app, signed_in, patient):
    response = signed_in(patient.user).get(_new_url(patient))

    assert response.status_code == 403
