"""The one parser of ids and pages, the text clean-up, and the base form that applies it."""

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from core.forms import Form
from core.inputs import MAX_ID, multi_line, one_line, parse_id, parse_page, single_line

PROJECT_PACKAGES = ("admin", "core", "storefront", "services", "models")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (42, 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (MAX_ID + 1, None),
        ("9" * 25, None),
        ("9" * 5000, None),
        ("0", None),
        (0, None),
        ("-1", None),
        (-1, None),
        ("1.5", None),
        ("١٢", None),  # digits, but not ASCII ones
        ("", None),
        (None, None),
        (True, None),
        ("abc", None),
        ("1\x00", None),
    ],
)
def test_parse_id_takes_only_ids_an_integer_column_holds(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        (None, 1),
        ("", 1),
        ("0", 1),
        ("-2", 1),
        ("abc", 1),
        ("9" * 25, MAX_ID),
        ("9" * 5000, MAX_ID),
    ],
)
def test_parse_page_is_a_number_from_one(value, expected):
    assert parse_page(value) == expected


def test_one_line_text_loses_its_control_characters():
    assert single_line("Minh\r\nAnh\x00\x1b\u2028!") == "Minh  Anh !"
    assert one_line("  Minh\r\n\tAnh\x00 ") == "Minh Anh"
    assert single_line(None) is None
    assert one_line(None) == ""


def test_multi_line_text_keeps_its_line_breaks_as_newlines_only():
    assert multi_line("Một\r\nHai\rBa\nBốn\x00\tnăm\u2028sáu") == "Một\nHai\nBa\nBốn năm\nsáu"
    assert multi_line(None) is None


class SampleForm(Form):
    name = StringField()
    hidden = HiddenField()
    note = TextAreaField()
    password = PasswordField()
    count = IntegerField()
    collections = SelectMultipleField(coerce=int, validate_choice=False)


def sample(app, **data):
    """The form as posted, and its errors in the words the visitor reads."""
    with app.test_request_context(method="POST", data=MultiDict(data)):
        form = SampleForm()
        form.validate()
        return form, {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_the_base_form_cleans_text_by_the_kind_of_field(app):
    form, errors = sample(
        app,
        name="Minh\r\nAnh\x00",
        hidden="1\n",
        note="Một\r\nHai\x00",
        password="pass\x00word",
        count="3",
    )
    assert errors == {}
    assert form.name.data == "Minh  Anh"
    assert form.hidden.data == "1 "
    assert form.note.data == "Một\nHai"
    assert form.password.data == "pass\x00word"
    assert form.count.data == 3


def test_the_base_form_refuses_numbers_no_integer_column_holds_in_the_visitors_language(app):
    _, errors = sample(app, count="9" * 25, collections="9" * 25)
    assert errors == {
        "count": ["Số này quá lớn."],
        "collections": ["Vui lòng chọn một trong các lựa chọn."],
    }
    form, errors = sample(app, count=str(MAX_ID), collections=str(MAX_ID))
    assert (errors, form.count.data, form.collections.data) == ({}, MAX_ID, [MAX_ID])


def test_every_form_of_the_project_is_built_on_the_base_form(app):
    forms, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_PACKAGES and cls is not Form:
            forms.append(cls)
    assert len(forms) > 10
    assert [f for f in forms if not issubclass(f, Form)] == []
