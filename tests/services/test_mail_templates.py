"""The shop's own email text: placeholders filled in per customer, in a sandbox that runs
nothing but them. Anything else a template tries is a clear, translated refusal naming its
field, never a server error; values (a customer's name) are text in the HTML, never markup."""

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from services import mail_templates
from services.mail_templates import TemplateError

SHOP = SimpleNamespace(name="Thời Trang Mai", slug="thoi-trang-mai")


def customer(first="Lan", last="Nguyễn Thị"):
    return SimpleNamespace(
        first_name=first, last_name=last, full_name=" ".join(p for p in (last, first) if p)
    )


def test_every_placeholder_is_the_customers_or_the_shops(app):
    body = " | ".join(f"{{{{ {name} }}}}" for name in mail_templates.PLACEHOLDERS)
    with app.test_request_context():
        rendered = mail_templates.render_message(
            subject="Chào {{ first_name }}", body=body, customer=customer(), shop=SHOP
        )
    assert rendered.subject == "Chào Lan"
    assert rendered.text == (
        "Lan | Nguyễn Thị | Nguyễn Thị Lan | Thời Trang Mai | http://shop.test/thoi-trang-mai/"
        " | http://shop.test/thoi-trang-mai/account/"
    )


def test_the_body_is_markdown_and_its_links_take_the_addresses(app):
    body = "**Giảm 20%** cho *áo dài*\n\n- Lụa\n- Gấm\n\n[Xem ngay]({{ shop_url }})"
    with app.test_request_context():
        html = mail_templates.render_message(
            subject="x", body=body, customer=customer(), shop=SHOP
        ).html
    assert "<strong>Giảm 20%</strong>" in html
    assert "<em>áo dài</em>" in html
    assert "<li>Lụa</li>" in html
    assert '<a href="http://shop.test/thoi-trang-mai/">Xem ngay</a>' in html


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        "[Bấm vào](http://ke-gian.example)",
        "**Đậm** _nghiêng_ `mã`",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_a_customers_name_is_text_in_the_html(app, name):
    with app.test_request_context():
        rendered = mail_templates.render_message(
            subject="Chào {{ first_name }}",
            body="Chào {{ first_name }}!",
            customer=customer(first=name),
            shop=SHOP,
        )
    assert rendered.subject == f"Chào {name}"
    assert rendered.text == f"Chào {name}!"
    assert "<script" not in rendered.html
    assert "<img" not in rendered.html
    assert "<a " not in rendered.html
    assert "<strong>" not in rendered.html


def test_html_typed_in_the_body_shows_as_text(app):
    with app.test_request_context():
        html = mail_templates.render_message(
            subject="x",
            body='<script>alert(1)</script> <a href="javascript:alert(1)">x</a> [y](javascript:z)',
            customer=customer(),
            shop=SHOP,
        ).html
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html


REFUSED = [
    ("{{ ten_khach }}", "{{ ten_khach }} is not a placeholder we know."),
    ("{{ config }}", "{{ config }} is not a placeholder we know."),
    ("{{ first_name.__class__.__mro__ }}", "Only the placeholders listed"),
    ("{{ ''.__class__ }}", "Only the placeholders listed"),
    ("{{ first_name|upper }}", "Only the placeholders listed"),
    ("{{ first_name() }}", "Only the placeholders listed"),
    ("{{ 7 * 7 }}", "Only the placeholders listed"),
    ("{{ range(10**9)|list }}", "Only the placeholders listed"),
    ("{% for i in range(9) %}{{ i }}{% endfor %}", "no {% … %}"),
    ("{% if first_name %}x{% endif %}", "no {% … %}"),
    ("{% set x = 1 %}", "no {% … %}"),
    ("{% include 'admin/base.html' %}", "no {% … %}"),
    ("Chào {{ first_name", "cannot be read as a template (line 1)"),
    ("a\nb\n{{ }}", "cannot be read as a template (line 3)"),
    ("{% endfor %}", "cannot be read as a template"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED, ids=[s for s, _ in REFUSED])
def test_anything_but_a_placeholder_is_refused_with_a_clear_message(app, source, message):
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(TemplateError) as refused:
            mail_templates.render_message(subject="x", body=source, customer=customer(), shop=SHOP)
        assert message in str(refused.value.message)
        assert refused.value.field == "body"
        with pytest.raises(TemplateError) as in_subject:
            mail_templates.render_message(subject=source, body="x", customer=customer(), shop=SHOP)
        assert in_subject.value.field == "subject"


def test_the_refusal_is_in_vietnamese_by_default(app):
    with app.test_request_context(), force_locale("vi"):
        with pytest.raises(TemplateError) as refused:
            mail_templates.check("{{ ten }}")
        assert "không phải là biến có sẵn" in str(refused.value.message)


def test_a_later_template_may_offer_placeholders_of_its_own(app):
    allowed = {**mail_templates.PLACEHOLDERS, "order_number": "the order's number"}
    assert mail_templates.render(
        "Đơn {{ order_number }}", {"order_number": "#1001"}, allowed=allowed
    ) == ("Đơn #1001")
    with pytest.raises(TemplateError):
        mail_templates.render("Đơn {{ order_number }}", {"order_number": "#1001"})


def test_literal_text_with_braces_and_percent_signs_is_kept(app):
    source = "Giảm 20% {nhé} 100%}"
    assert mail_templates.render(source, {}) == source
