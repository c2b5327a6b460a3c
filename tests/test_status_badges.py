"""Every status of every kind has its badge: the ``status_badge`` macro gives it its colour
and ``status_label`` its name, the same on every page that shows it."""

import re

import pytest
from flask import render_template_string

from models import (
    CampaignStatus,
    CustomerStatus,
    MailStatus,
    OrderStatus,
    PaymentStatus,
    VoucherStatus,
)

COLOURS = {
    "order": {
        OrderStatus.PENDING: "warning",
        OrderStatus.CONFIRMED: "info",
        OrderStatus.SHIPPING: "primary",
        OrderStatus.COMPLETED: "success",
        OrderStatus.CANCELLED: "secondary",
        OrderStatus.RETURNED: "danger",
    },
    "payment": {PaymentStatus.UNPAID: "light border", PaymentStatus.PAID: "success"},
    "customer": {
        CustomerStatus.GUEST: "secondary",
        CustomerStatus.TEMPORARY: "warning",
        CustomerStatus.OFFICIAL: "success",
        CustomerStatus.CANCELLED: "danger",
    },
    "mail": {MailStatus.QUEUED: "warning", MailStatus.SENT: "success", MailStatus.FAILED: "danger"},
    "campaign": {
        CampaignStatus.DRAFT: "light border",
        CampaignStatus.SCHEDULED: "info",
        CampaignStatus.SENDING: "primary",
        CampaignStatus.SENT: "success",
        CampaignStatus.STOPPED: "danger",
    },
    "voucher": {
        VoucherStatus.ACTIVE: "success",
        VoucherStatus.SCHEDULED: "info",
        VoucherStatus.EXPIRED: "secondary",
        VoucherStatus.USED_UP: "warning",
        VoucherStatus.OFF: "light border",
    },
}
ENUMS = {
    "order": OrderStatus,
    "payment": PaymentStatus,
    "customer": CustomerStatus,
    "mail": MailStatus,
    "campaign": CampaignStatus,
    "voucher": VoucherStatus,
}
BADGE = '{% from "_macros.html" import status_badge %}{{ status_badge(kind, status, **args) }}'


def badge(app, kind, status, **args):
    with app.test_request_context():
        return render_template_string(BADGE, kind=kind, status=status, args=args)


def test_every_status_is_in_this_table():
    assert {kind: set(colours) for kind, colours in COLOURS.items()} == {
        kind: set(enum) for kind, enum in ENUMS.items()
    }


@pytest.mark.parametrize(
    ("kind", "status"), [(kind, status) for kind in COLOURS for status in COLOURS[kind]]
)
def test_each_status_has_its_colour_and_a_name(app, kind, status):
    html = badge(app, kind, status)
    found = re.fullmatch(
        r'<span class="badge rounded-pill text-bg-([a-z ]+) (\w+-status)">(.+)</span>', html
    )
    assert found, html
    assert found.group(1) == COLOURS[kind][status]
    assert found.group(2) == f"{kind}-status"
    assert found.group(3).strip() not in ("", str(status))


def test_a_badge_takes_more_classes_and_may_be_square(app):
    html = badge(app, "order", OrderStatus.PENDING, class_="align-middle fs-6", pill=False)
    assert html.startswith('<span class="badge text-bg-warning align-middle fs-6 order-status">')
