"""Auth services: passwords, device sessions and setup links, straight against the database."""

from datetime import timedelta

import argon2
import pytest
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select

from app import create_app
from app.auth import services, setup_links
from app.auth.models import AuthSession, Role
from app.extensions import db
from tests import factories

STAFF_LIFETIME, STAFF_IDLE = timedelta(hours=12), timedelta(minutes=15)
PATIENT_LIFETIME = timedelta(days=30)
LINK_LIFETIME = timedelta(hours=72)


@pytest.fixture
def clinic(app):
    return factories.clinic()


@pytest.fixture
def clinician(clinic):
    return factories.staff(clinic)


def _start(user, now, *, lifetime=STAFF_LIFETIME, idle=STAFF_IDLE) -> tuple[AuthSession, str]:
    auth_session, token = services.start_session(user, now=now, lifetime=lifetime,
                                                 idle_timeout=idle)
    db.session.commit()
    return auth_session, token


def _link(user, now, *, by=None) -> str:
    token = setup_links.issue_setup_link(user, by=by, now=now, lifetime=LINK_LIFETIME)
    db.session.commit()
    return token


# --- passwords ----------------------------------------------------------------------------

def test_authenticate_accepts_the_right_password(clinician):
    assert services.authenticate(clinician.email, factories.PASSWORD) == clinician


def test_authenticate_normalises_the_email(clinician):
    assert services.authenticate(f" {clinician.email.upper()}  ", factories.PASSWORD) == clinician


@pytest.mark.parametrize("email, password", [
    ("known", "wrong password!"),
    ("known", ""),
    ("nobody@x.test", factories.PASSWORD),
])
def test_authenticate_rejects_wrong_password_and_unknown_email(clinician, email, password):
    assert services.authenticate(clinician.email if email == "known" else email,
                                 password) is None


def test_authenticate_rejects_a_user_who_has_not_set_a_password(clinic, clock):
    patient = factories.patient(clinic, clock(), with_password=False)

    assert services.authenticate(patient.user.email, "") is None
    assert services.authenticate(patient.user.email, factories.PASSWORD) is None


def test_authenticate_rejects_a_deactivated_user(clinician):
    clinician.active = False
    db.session.commit()

    assert services.authenticate(clinician.email, factories.PASSWORD) is None


def test_authenticate_upgrades_an_outdated_hash(clinician):
    clinician.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
        factories.PASSWORD)
    old_hash = clinician.password_hash

    assert services.authenticate(clinician.email, factories.PASSWORD) == clinician
    assert clinician.password_hash != old_hash
    assert not PasswordHasher(**factories.TEST_PASSWORD_HASH).check_needs_rehash(
        clinician.password_hash)
    assert services.authenticate(clinician.email, factories.PASSWORD) == clinician


def test_passwords_are_hashed_at_argon2s_rfc_9106_cost_unless_configured_lower(app, tmp_path):
    deployed = create_app({"SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path),
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/a.db"})
    with deployed.app_context():
        hashed = services.hash_password(factories.PASSWORD)
    assert argon2.extract_parameters(hashed) == RFC_9106_LOW_MEMORY
    # The suite's own cost is what its app fixture asked for.
    assert argon2.extract_parameters(services.hash_password(factories.PASSWORD)).memory_cost \
        == factories.TEST_PASSWORD_HASH["memory_cost"]


def test_password_hash_is_not_the_password(app):
    hashed = services.hash_password(factories.PASSWORD)

    assert factories.PASSWORD not in hashed
    assert hashed != services.hash_password(factories.PASSWORD)  # salted


# --- session limits -----------------------------------------------------------------------

@pytest.mark.parametrize("role, expected", [
    (Role.PATIENT, (PATIENT_LIFETIME, None)),
    (Role.CLINICIAN, (STAFF_LIFETIME, STAFF_IDLE)),
    (Role.ADMIN, (STAFF_LIFETIME, STAFF_IDLE)),
])
def test_session_limits_by_role(app, role, expected):
    assert services.session_limits(role, app.config) == expected


# --- device sessions ----------------------------------------------------------------------

def test_start_session_stores_only_the_hash_of_the_token(clock, clinician):
    auth_session, token = _start(clinician, clock())

    stored = db.session.scalars(select(AuthSession)).one()
    assert stored.id == auth_session.id
    assert stored.token_hash == services.token_hash(token) != token
    assert (stored.created_at, stored.last_seen_at, stored.expires_at,
            stored.idle_timeout_seconds) == (clock(), clock(), clock() + STAFF_LIFETIME, 900)


def test_tokens_are_unique(clock, clinician):
    tokens = {_start(clinician, clock())[1] for _ in range(5)}

    assert len(tokens) == 5


def test_live_session_finds_the_session_by_token(clock, clinician):
    auth_session, token = _start(clinician, clock())

    assert services.live_session(token, now=clock()) == auth_session
    assert services.live_session("someone-elses-token", now=clock()) is None


def test_staff_session_is_live_until_15_idle_minutes(clock, clinician):
    _session, token = _start(clinician, clock())

    assert services.live_session(token, now=clock() + timedelta(minutes=14, seconds=59))
    db.session.rollback()  # forget the last-seen update: the session stays idle since start
    assert services.live_session(token, now=clock() + timedelta(minutes=15)) is None


def test_use_moves_last_seen_at_most_once_a_minute(clock, clinician):
    auth_session, token = _start(clinician, clock())

    services.live_session(token, now=clock() + timedelta(seconds=59))
    assert auth_session.last_seen_at == clock()
    services.live_session(token, now=clock() + timedelta(seconds=60))
    assert auth_session.last_seen_at == clock() + timedelta(seconds=60)


def test_staff_session_ends_at_its_absolute_lifetime_despite_use(clock, clinician):
    _session, token = _start(clinician, clock())
    for minutes in range(10, 12 * 60, 10):
        assert services.live_session(token, now=clock() + timedelta(minutes=minutes))

    assert services.live_session(token, now=clock() + STAFF_LIFETIME) is None


def test_patient_session_has_no_idle_limit(clinic, clock):
    patient = factories.patient(clinic, clock())
    _session, token = _start(patient.user, clock(), lifetime=PATIENT_LIFETIME, idle=None)

    assert services.live_session(token, now=clock() + timedelta(days=29, hours=23))
    assert services.live_session(token, now=clock() + PATIENT_LIFETIME) is None


def test_revoked_session_is_not_live(clock, clinician):
    auth_session, token = _start(clinician, clock())

    services.end_session(auth_session, now=clock())

    assert auth_session.revoked_at == clock()
    assert services.live_session(token, now=clock()) is None


def test_ending_a_session_twice_keeps_the_first_time(clock, clinician):
    auth_session, _token = _start(clinician, clock())
    services.end_session(auth_session, now=clock())

    services.end_session(auth_session, now=clock() + timedelta(minutes=1))

    assert auth_session.revoked_at == clock()


def test_session_of_a_deactivated_user_is_not_live(clock, clinician):
    _session, token = _start(clinician, clock())
    clinician.active = False
    db.session.commit()

    assert services.live_session(token, now=clock()) is None


def test_end_sessions_spares_kept_session_and_other_users(clinic, clock, clinician):
    colleague = factories.staff(clinic)
    kept, kept_token = _start(clinician, clock())
    _other, other_token = _start(clinician, clock())
    already_ended, _ = _start(clinician, clock() - timedelta(hours=1))
    services.end_session(already_ended, now=clock() - timedelta(minutes=30))
    _theirs, their_token = _start(colleague, clock())

    ended = services.end_sessions(clinician, now=clock(), except_session=kept)
    db.session.commit()
    db.session.expire_all()

    assert ended == 1
    assert services.live_session(kept_token, now=clock())
    assert services.live_session(other_token, now=clock()) is None
    assert services.live_session(their_token, now=clock())
    assert already_ended.revoked_at == clock() - timedelta(minutes=30)


def test_end_sessions_without_keep_ends_every_one(clock, clinician):
    tokens = [_start(clinician, clock())[1] for _ in range(3)]

    assert services.end_sessions(clinician, now=clock()) == 3
    db.session.commit()
    db.session.expire_all()

    assert [services.live_session(t, now=clock()) for t in tokens] == [None, None, None]


# --- setup links --------------------------------------------------------------------------

def test_setup_link_is_usable_until_it_expires(clinic, clock, clinician):
    patient = factories.patient(clinic, clock(), with_password=False)
    token = _link(patient.user, clock(), by=clinician)

    link = setup_links.usable_setup_link(token, now=clock() + LINK_LIFETIME - timedelta(seconds=1))
    assert link is not None and link.user == patient.user
    assert link.created_by_id == clinician.id
    assert link.token_hash == services.token_hash(token) != token
    assert setup_links.usable_setup_link(token, now=clock() + LINK_LIFETIME) is None
    assert setup_links.usable_setup_link("not-a-token", now=clock()) is None


def test_issuing_a_link_retires_the_users_earlier_links_only(clinic, clock):
    patient = factories.patient(clinic, clock(), with_password=False)
    other = factories.patient(clinic, clock(), with_password=False)
    first = _link(patient.user, clock())
    others = _link(other.user, clock())

    second = _link(patient.user, clock() + timedelta(minutes=5))

    later = clock() + timedelta(minutes=6)
    assert setup_links.usable_setup_link(first, now=later) is None
    assert setup_links.usable_setup_link(second, now=later) is not None
    assert setup_links.usable_setup_link(others, now=later) is not None


def test_complete_setup_sets_password_uses_link_and_ends_sessions(clinic, clock):
    patient = factories.patient(clinic, clock())
    _session, old_token = _start(patient.user, clock(), lifetime=PATIENT_LIFETIME, idle=None)
    token = _link(patient.user, clock())
    link = setup_links.usable_setup_link(token, now=clock())

    user = setup_links.complete_setup(link, "a brand new password", now=clock())
    db.session.commit()
    db.session.expire_all()

    assert user == patient.user
    assert link.used_at == clock()
    assert services.authenticate(user.email, "a brand new password") == user
    assert services.authenticate(user.email, factories.PASSWORD) is None
    assert services.live_session(old_token, now=clock()) is None
    assert setup_links.usable_setup_link(token, now=clock()) is None


def test_link_of_a_deactivated_user_is_not_usable(clinic, clock):
    patient = factories.patient(clinic, clock(), with_password=False)
    token = _link(patient.user, clock())
    patient.user.active = False
    db.session.commit()

    assert setup_links.usable_setup_link(token, now=clock()) is None


# --- staff --------------------------------------------------------------------------------

def test_create_staff_normalises_email_and_name(clinic):
    user = services.create_staff(clinic.id, email=" Grace@X.Test ", name=" Grace Hopper ",
                                 role=Role.ADMIN)
    db.session.commit()

    assert (user.email, user.name, user.role, user.clinic_id, user.password_hash) == (
        "grace@x.test", "Grace Hopper", Role.ADMIN, clinic.id, None)
    assert services.clinic_user_by_email(clinic.id, "GRACE@x.test") == user


def test_create_staff_refuses_the_patient_role(clinic):
    with pytest.raises(ValueError, match="patients are enrolled"):
        services.create_staff(clinic.id, email="p@x.test", name="P", role=Role.PATIENT)
