"""Test apps set the rate limits they need: high by default, so that no test fails because
another one logged in before it; production's limits only where a test asks for them."""

from core.config import Defaults
from tests.conftest import HIGH_RATE_LIMITS

PRODUCTION_LIMITS = {name: getattr(Defaults, name) for name in HIGH_RATE_LIMITS}


def wrong_logins(app, shop, owner, times):
    client = app.test_client()
    data = {"email": owner.email, "password": "sai mat khau"}
    return [client.post(f"/{shop.slug}/admin/login", data=data).status_code for _ in range(times)]


def test_every_limit_of_the_defaults_is_high_in_tests():
    assert set(HIGH_RATE_LIMITS) == {n for n in vars(Defaults) if n.endswith("_RATE_LIMIT")}
    assert PRODUCTION_LIMITS["LOGIN_RATE_LIMIT"] == "10 per minute"


def test_a_test_app_is_not_stopped_by_the_production_login_limit(app, shop_and_owner):
    shop, owner = shop_and_owner
    assert set(wrong_logins(app, shop, owner, 15)) == {200}


def test_production_limits_refuse_the_eleventh_login_a_minute(make_app, shop_and_owner):
    app = make_app(create_schema=False, **PRODUCTION_LIMITS)
    shop, owner = shop_and_owner
    assert wrong_logins(app, shop, owner, 11) == [200] * 10 + [429]
