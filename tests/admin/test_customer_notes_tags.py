"""Notes and tags on a customer's record: anyone who may see the customer writes a note, only
its author edits or deletes it, and the shopper never reads it; the tag editor sends the
whole list, and each tag put on or taken off is a line on the timeline.

What an attacker could try: another shop's customer or note, a note of another customer than
the one in the path, a staff role on a customer not assigned to them, another person's note:
each is a 404 or a refusal that changes nothing."""

from pathlib import Path

import pytest

from core.extensions import db
from models import Customer, CustomerEvent, CustomerNote, CustomerStatus, OutboxMessage, Tag
from tests.conftest import make_staff
from tests.factories import make_guest, make_member, make_order

SECRET = "Khách hay bom hàng, gọi xác nhận trước khi giao"


@pytest.fixture(autouse=True)
def in_english(client):
    client.post("/language", data={"lang": "en"})


@pytest.fixture
def guest(app, shop):
    return make_guest(app, shop, first_name="Lan", last_name="Nguyễn", phone="0912345678")


def sign_in(auth, person):
    """Sign ``person`` in at their shop, whoever was signed in there before."""
    auth.logout_staff(person.shop_slug)
    auth.login_staff(person)


def record(shop, customer_id):
    return f"/{shop.slug}/admin/customers/{customer_id}"


def add_note(client, shop, customer_id, body=SECRET):
    return client.post(f"{record(shop, customer_id)}/notes", data={"body": body})


def notes_of(app, customer_id):
    """(author id, body) of the customer's notes, oldest first."""
    with app.app_context():
        return [
            (note.staff_id, note.body)
            for note in db.session.scalars(
                db.select(CustomerNote)
                .where(CustomerNote.customer_id == customer_id)
                .order_by(CustomerNote.id)
            )
        ]


def note_id_of(app, customer_id, body=None):
    with app.app_context():
        query = db.select(CustomerNote.id).where(CustomerNote.customer_id == customer_id)
        if body is not None:
            query = query.where(CustomerNote.body == body)
        return db.session.scalar(query)


def events_of(app, customer_id):
    """(type, data) of the customer's timeline, oldest first."""
    with app.app_context():
        return [
            (event.type, event.data)
            for event in db.session.scalars(
                db.select(CustomerEvent)
                .where(CustomerEvent.customer_id == customer_id)
                .order_by(CustomerEvent.id)
            )
        ]


def tags_of(app, customer_id):
    with app.app_context():
        return sorted(db.session.get(Customer, customer_id).tag_names)


# --- Notes ----------------------------------------------------------------------------


def test_a_note_is_added_edited_and_deleted_by_its_author(app, client, auth, shop, owner, guest):
    auth.login_staff(owner)
    response = add_note(client, shop, guest, "  Khách quen,\ngọi trước  ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/customers/{guest}#notes")
    assert notes_of(app, guest) == [(owner.id, "Khách quen,\ngọi trước")]

    page = client.get(record(shop, guest)).text
    assert "The note was added." in page
    assert '<div class="text-break note-body">Khách quen,\ngọi trước</div>' in page
    assert "Note: Khách quen, gọi trước" in page  # the timeline's line
    note_id = note_id_of(app, guest)
    assert f"/notes/{note_id}/edit" in page
    assert f"/notes/{note_id}/delete" in page

    client.post(f"{record(shop, guest)}/notes/{note_id}/edit", data={"body": "Khách VIP"})
    assert notes_of(app, guest) == [(owner.id, "Khách VIP")]
    page = client.get(record(shop, guest)).text
    assert "The note was saved." in page
    assert "Note edited: Khách VIP" in page

    client.post(f"{record(shop, guest)}/notes/{note_id}/delete")
    assert notes_of(app, guest) == []
    page = client.get(record(shop, guest)).text
    assert "The note was deleted." in page
    assert "No notes yet." in page
    assert "A note was deleted" in page
    assert [kind for kind, _ in events_of(app, guest)] == [
        "note_added",
        "note_edited",
        "note_deleted",
    ]


def test_notes_show_newest_first_with_author_and_time(app, client, auth, shop, owner, guest):
    manager = make_staff(app, shop, "hung@example.com", "manager")
    auth.login_staff(owner)
    add_note(client, shop, guest, "Ghi chú thứ nhất")
    sign_in(auth, manager)
    add_note(client, shop, guest, "Ghi chú thứ hai")
    page = client.get(record(shop, guest)).text
    notes = page[page.index('id="notes-title"') : page.index('id="timeline-title"')]
    assert notes.index("Ghi chú thứ hai") < notes.index("Ghi chú thứ nhất")
    assert notes.index("hung@example.com") < notes.index("Chủ Thời Trang Mai")
    assert notes.count('class="text-break note-body"') == 2
    # The manager's own note, and only it, offers its buttons.
    own = note_id_of(app, guest, body="Ghi chú thứ hai")
    assert notes.count("/edit") == notes.count("/delete") == 1
    assert f"/notes/{own}/edit" in notes


def test_an_empty_or_overlong_note_is_refused(app, client, auth, shop, owner, guest):
    auth.login_staff(owner)
    for body in ("", "   \n  ", "x" * 5001):
        response = add_note(client, shop, guest, body)
        assert response.status_code == 302
    assert notes_of(app, guest) == []
    assert events_of(app, guest) == []
    page = client.get(record(shop, guest)).text
    assert page.count("Please write the note first.") == 2
    assert "Please use at most 5000 characters." in page

    add_note(client, shop, guest, "Giữ nguyên")
    note_id = note_id_of(app, guest)
    client.post(f"{record(shop, guest)}/notes/{note_id}/edit", data={"body": "  "})
    assert notes_of(app, guest) == [(owner.id, "Giữ nguyên")]
    assert "Please write the note first." in client.get(record(shop, guest)).text


def test_another_staff_members_note_cannot_be_edited_or_deleted(
    app, client, auth, shop, owner, manager, guest
):
    auth.login_staff(owner)
    add_note(client, shop, guest, "Của chủ shop")
    note_id = note_id_of(app, guest)

    sign_in(auth, manager)
    page = client.get(record(shop, guest)).text
    assert "Của chủ shop" in page
    assert f"/notes/{note_id}/edit" not in page
    assert f"/notes/{note_id}/delete" not in page
    for action, data in (("edit", {"body": "Đã sửa"}), ("delete", {})):
        response = client.post(
            f"{record(shop, guest)}/notes/{note_id}/{action}", data=data, follow_redirects=True
        )
        assert "Only the author of a note can change it." in response.text
    assert notes_of(app, guest) == [(owner.id, "Của chủ shop")]
    assert [kind for kind, _ in events_of(app, guest)] == ["note_added"]


def test_another_shops_customer_or_note_is_404(
    app, client, auth, shop, owner, other_shop, other_owner, guest
):
    theirs = make_guest(app, other_shop, phone="0987654321")
    auth.login_staff(other_owner)
    add_note(client, other_shop, theirs, "Của shop khác")
    their_note = note_id_of(app, theirs)

    auth.login_staff(owner)
    assert add_note(client, shop, theirs).status_code == 404
    add_note(client, shop, guest, "Của shop này")
    assert notes_of(app, guest) == [(owner.id, "Của shop này")]
    for action in ("edit", "delete"):
        # Their customer in our shop's path, and their note under our customer.
        for customer_id in (theirs, guest):
            response = client.post(
                f"{record(shop, customer_id)}/notes/{their_note}/{action}", data={"body": "x"}
            )
            assert response.status_code == 404
    assert notes_of(app, theirs) == [(other_owner.id, "Của shop khác")]
    assert client.post(f"{record(shop, theirs)}/tags", data={"tags": "VIP"}).status_code == 404
    assert tags_of(app, theirs) == []


def test_a_note_of_another_customer_in_the_path_is_404(app, client, auth, shop, owner, guest):
    other = make_guest(app, shop, first_name="Hoa", phone="0911111111")
    auth.login_staff(owner)
    add_note(client, shop, other, "Của khách khác")
    note_id = note_id_of(app, other)
    for action in ("edit", "delete"):
        response = client.post(f"{record(shop, guest)}/notes/{note_id}/{action}", data={})
        assert response.status_code == 404
    assert notes_of(app, other) == [(owner.id, "Của khách khác")]
    huge = "9" * 25
    assert client.post(f"{record(shop, guest)}/notes/{huge}/delete").status_code == 404


def test_a_staff_role_works_only_on_customers_assigned_to_them(
    app, client, auth, shop, owner, staff_member, guest
):
    theirs = make_guest(app, shop, first_name="Hoa", phone="0911111111")
    with app.app_context():
        db.session.get(Customer, theirs).assigned_staff_id = staff_member.id
        db.session.commit()
    auth.login_staff(owner)
    add_note(client, shop, guest, "Khách chưa giao ai")
    note_id = note_id_of(app, guest)

    sign_in(auth, staff_member)
    assert add_note(client, shop, guest).status_code == 404
    assert client.post(f"{record(shop, guest)}/tags", data={"tags": "VIP"}).status_code == 404
    for action in ("edit", "delete"):
        response = client.post(f"{record(shop, guest)}/notes/{note_id}/{action}", data={})
        assert response.status_code == 404
    assert notes_of(app, guest) == [(owner.id, "Khách chưa giao ai")]
    assert tags_of(app, guest) == []

    # Their own customer: they write notes and tags like anyone.
    assert add_note(client, shop, theirs, "Đã gọi").status_code == 302
    client.post(f"{record(shop, theirs)}/tags", data={"tags": "VIP"})
    assert notes_of(app, theirs) == [(staff_member.id, "Đã gọi")]
    assert tags_of(app, theirs) == ["VIP"]


# --- Tags -----------------------------------------------------------------------------


def test_tags_are_set_and_removed_with_their_events(app, client, auth, shop, owner, guest):
    auth.login_staff(owner)
    page = client.get(record(shop, guest)).text
    # The editor suggests the shop's tags and, without the script, is a plain list.
    assert '<option value="tiềm năng">' in page
    assert '<option value="hay hoàn">' in page
    assert 'name="tags"' in page
    assert "data-tag-editor" in page

    response = client.post(f"{record(shop, guest)}/tags", data={"tags": "VIP, tiềm năng, ,vip"})
    assert response.status_code == 302
    assert tags_of(app, guest) == ["VIP", "tiềm năng"]
    page = client.get(record(shop, guest)).text
    assert "The tags of Nguyễn Lan were saved." in page
    assert 'value="VIP, tiềm năng"' in page
    assert "Tagged “VIP”" in page

    # "TIỀM NĂNG" is the tag already there; "VIP" goes and "sỉ" comes.
    client.post(f"{record(shop, guest)}/tags", data={"tags": "TIỀM NĂNG,  sỉ  "})
    assert tags_of(app, guest) == ["sỉ", "tiềm năng"]
    client.post(f"{record(shop, guest)}/tags", data={"tags": ""})
    assert tags_of(app, guest) == []
    tag_events = [(k, d["name"]) for k, d in events_of(app, guest) if k.startswith("tag_")]
    assert tag_events == [
        ("tag_added", "VIP"),
        ("tag_added", "tiềm năng"),
        ("tag_removed", "VIP"),
        ("tag_added", "sỉ"),
        ("tag_removed", "tiềm năng"),
        ("tag_removed", "sỉ"),
    ]
    with app.app_context():
        event = db.session.scalars(db.select(CustomerEvent)).first()
        assert event.staff_id == owner.id
        assert db.session.scalar(db.select(db.func.count(Tag.id)).where(Tag.name == "VIP")) == 1


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ("VIP, " + "x" * 61, "A tag has at most 60 characters."),
        (",".join(f"thẻ {i}" for i in range(21)), "A customer has at most 20 tags."),
    ],
)
def test_an_overlong_tag_or_too_many_tags_are_refused(
    app, client, auth, shop, owner, guest, tags, message
):
    auth.login_staff(owner)
    client.post(f"{record(shop, guest)}/tags", data={"tags": "tiềm năng"})
    response = client.post(
        f"{record(shop, guest)}/tags", data={"tags": tags}, follow_redirects=True
    )
    assert message in response.text
    assert tags_of(app, guest) == ["tiềm năng"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Tag.id)).where(Tag.name == "VIP")) == 0
    assert len(events_of(app, guest)) == 1


# --- The shopper never reads a note ---------------------------------------------------


def storefront_account_paths(app, shop_slug, order_number):
    """Every page of the storefront under /account that opens with GET (those for visitors,
    such as the login, send a signed-in member on to their account)."""
    paths = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("storefront.") or "GET" not in rule.methods:
            continue
        if "/account" not in rule.rule or "<token>" in rule.rule:
            continue
        path = rule.rule.replace("<shop>", shop_slug).replace("<int:number>", str(order_number))
        if "<" not in path:
            paths.append(path)
    assert f"/{shop_slug}/account/orders/{order_number}" in paths
    return paths


def test_a_note_never_reaches_the_shopper(app, client, auth, shop, owner, run_jobs):
    member = make_member(
        app, shop, "lan@example.com", phone="0912345678", status=CustomerStatus.TEMPORARY
    )
    order = make_order(app, shop, customer_id=member.id, email=member.email)
    auth.login_staff(owner)
    add_note(client, shop, member.id)
    client.post(f"{record(shop, member.id)}/tags", data={"tags": "VIP"})
    # What emails the member after the note was written: approval, an order's news, a reset.
    client.post(f"{record(shop, member.id)}/approve")
    client.post(f"/{shop.slug}/admin/orders/{order.id}/status", data={"status": "confirmed"})
    auth.logout_staff(shop.slug)
    client.post(f"/{shop.slug}/account/password/forgot", data={"email": member.email})
    run_jobs()

    with app.app_context():
        messages = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.to_address == member.email)
        ).all()
        assert {m.kind for m in messages} >= {
            "member_approved",
            "order_status",
            "member_password_reset",
        }
        for message in messages:
            assert SECRET not in f"{message.subject}{message.body_text}{message.body_html}"
    sent = list(Path(app.instance_path, "mail").glob("*.eml"))
    assert len(sent) >= len(messages)
    for path in sent:
        assert SECRET.encode() not in path.read_bytes()
        assert "bom hàng".encode() not in path.read_bytes()

    shopper = client.post(
        f"/{shop.slug}/account/login", data={"login": member.email, "password": member.password}
    )
    assert shopper.status_code == 302
    assert member.email in client.get(f"/{shop.slug}/account/profile").text
    for path in storefront_account_paths(app, shop.slug, order.number):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert "bom hàng" not in response.text, path
