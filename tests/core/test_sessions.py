"""The session rows themselves: the device a person reads for each, and the sweep that
forgets the ones that ran out."""

import secrets
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from core.extensions import db
from core.jobs import run_periodic
from core.sessions import device_name, hash_token, session_for_key
from models import LoginSession, utcnow
from tests.storefront import make_member


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (
            "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
            "Chrome on iPhone",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPad",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "coc_coc_browser/121.0.228 Chrome/115.0.5790.228 Safari/537.36",
            "Cốc Cốc on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36 Zalo android/12100584",
            "Zalo on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
            "Firefox on Linux",
        ),
        ("Mozilla/5.0 (Linux; Android 14) SomethingNew/1.0", "A browser on Android"),
        ("curl/8.5.0", "Unknown browser"),
        ("", "Unknown browser"),
    ],
)
def test_a_session_names_its_device_in_a_few_words(app, user_agent, name):
    with app.test_request_context(), force_locale("en"):
        assert device_name(LoginSession(user_agent=user_agent)) == name


def add_session(shop_id, customer_id, expires_in):
    now = utcnow()
    token = secrets.token_urlsafe(8)
    row = LoginSession(
        token_hash=hash_token(token),
        kind="customer",
        customer_id=customer_id,
        shop_id=shop_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + expires_in,
    )
    db.session.add(row)
    db.session.flush()
    return row.id, f"customer:{row.id}:{token}"


def test_the_sweep_forgets_the_sessions_that_ran_out(app, shop):
    member = make_member(app, shop, "minh.anh@example.com")
    with app.app_context():
        open_id, _ = add_session(shop.id, member.id, timedelta(hours=1))
        add_session(shop.id, member.id, -timedelta(seconds=1))
        db.session.commit()

        run_periodic(app)

        assert db.session.scalars(select(LoginSession.id)).all() == [open_id]


@pytest.mark.parametrize(
    "change",
    [
        lambda key: key.replace("customer:", "staff:"),
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),
        lambda key: key.rsplit(":", 1)[0] + ":",
        lambda key: "customer:" + "9" * 30 + ":" + key.rsplit(":", 1)[1],
        lambda key: "customer:-1:" + key.rsplit(":", 1)[1],
        lambda key: "customer:²:" + key.rsplit(":", 1)[1],
        lambda key: "nobody",
    ],
)
def test_a_session_id_opens_its_row_only_as_written(app, shop, change):
    member = make_member(app, shop, "minh.anh@example.com")
    with app.app_context():
        row_id, key = add_session(shop.id, member.id, timedelta(hours=1))
        db.session.commit()
        assert session_for_key(key).id == row_id
        assert session_for_key(change(key)) is None
