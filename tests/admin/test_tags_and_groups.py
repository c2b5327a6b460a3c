"""The shop's tags and groups pages: managers rename, merge and delete tags and keep the
groups; staff are refused, and another shop's tag or group is a 404."""

import pytest

from core.extensions import db
from models import Customer, CustomerGroup, Shop, Tag
from services import groups as group_service
from services import tags as tag_service
from tests.factories import make_guest


@pytest.fixture(autouse=True)
def english(client):
    client.post("/language", data={"lang": "en"})


def tag_guests(app, shop, name, count):
    ids = []
    for i in range(count):
        guest = make_guest(app, shop, first_name=f"Khách {i}", phone=f"091234{i:04d}")
        with app.app_context():
            shop_row = db.session.get(Shop, shop.id)
            tag = tag_service.tag_named(shop_row, name)
            tag_service.tag_customer(db.session.get(Customer, guest), tag)
            db.session.commit()
        ids.append(guest)
    return ids


def tag_id(app, shop, name):
    with app.app_context():
        return tag_service.find_tag(db.session.get(Shop, shop.id), name).id


def test_the_tags_page_lists_each_tag_with_its_customers(app, client, auth, shop, manager):
    tag_guests(app, shop, "VIP", 3)
    auth.login_staff(manager)
    page = client.get(f"/{shop.slug}/admin/tags")
    assert page.status_code == 200
    assert "3 customers" in page.text
    assert f"/{shop.slug}/admin/customers?tag=VIP" in page.text
    # The defaults every shop starts with are there, with none
    assert "tiềm năng" in page.text
    assert "hay hoàn" in page.text


def test_a_manager_renames_merges_and_deletes_tags(app, client, auth, shop, manager):
    ids = tag_guests(app, shop, "vip", 2)
    tag_guests(app, shop, "sỉ", 1)
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin/tags"
    reply = client.post(f"{base}/{tag_id(app, shop, 'vip')}/rename", data={"name": "VIP"})
    assert reply.status_code == 302
    assert "“vip” is now “VIP”." in client.get(base).text
    client.post(f"{base}/{tag_id(app, shop, 'sỉ')}/merge", data={"target": "vip"})
    client.post(f"{base}/{tag_id(app, shop, 'tiềm năng')}/delete")
    with app.app_context():
        names = [t.name for t in db.session.scalars(db.select(Tag).where(Tag.shop_id == shop.id))]
        assert sorted(names) == ["VIP", "hay hoàn"]
        assert db.session.get(Customer, ids[0]).tag_names == ["VIP"]


def test_a_blank_name_is_refused_and_changes_nothing(app, client, auth, shop, manager):
    tag_guests(app, shop, "VIP", 1)
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin/tags"
    client.post(f"{base}/{tag_id(app, shop, 'VIP')}/rename", data={"name": "   "})
    assert "Please fill in this field." in client.get(base).text
    assert tag_id(app, shop, "VIP")


def test_staff_cannot_open_or_change_tags_and_groups(app, client, auth, shop, staff_member):
    auth.login_staff(staff_member)
    vip = tag_id(app, shop, "hay hoàn")
    assert client.get(f"/{shop.slug}/admin/tags").status_code == 403
    assert client.get(f"/{shop.slug}/admin/groups").status_code == 403
    assert client.post(f"/{shop.slug}/admin/tags/{vip}/delete").status_code == 403
    assert tag_id(app, shop, "hay hoàn") == vip


def test_another_shops_tag_and_group_are_not_found(app, client, auth, shop, manager, other_shop):
    theirs = tag_id(app, other_shop, "hay hoàn")
    with app.app_context():
        group = group_service.create_group(shop=db.session.get(Shop, other_shop.id), name="Đại lý")
        db.session.commit()
        group_id = group.id
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin"
    assert client.post(f"{base}/tags/{theirs}/rename", data={"name": "x"}).status_code == 404
    assert client.post(f"{base}/tags/{theirs}/delete").status_code == 404
    assert client.post(f"{base}/tags/{theirs}/merge", data={"target": "x"}).status_code == 404
    assert client.post(f"{base}/groups/{group_id}/delete").status_code == 404
    assert (
        client.post(f"{base}/groups/{group_id}/edit", data={"name": "Của tôi"}).status_code == 404
    )
    with app.app_context():
        assert db.session.get(CustomerGroup, group_id).name == "Đại lý"
        assert tag_service.find_tag(db.session.get(Shop, other_shop.id), "hay hoàn").id == theirs


def test_a_manager_keeps_the_groups(app, client, auth, shop, manager):
    guest = make_guest(app, shop, phone="0912345678")
    auth.login_staff(manager)
    base = f"/{shop.slug}/admin/groups"
    reply = client.post(base, data={"name": "Khách sỉ", "description": "Mua từ 10 sản phẩm"})
    assert reply.status_code == 302
    # The same name twice is refused beside the field, and nothing is written
    again = client.post(base, data={"name": "khách sỉ"})
    assert again.status_code == 400
    assert "The shop already has a group of this name." in again.text
    with app.app_context():
        group = db.session.scalar(db.select(CustomerGroup).where(CustomerGroup.shop_id == shop.id))
        db.session.get(Customer, guest).group = group
        db.session.commit()
        group_id = group.id
    page = client.get(base).text
    assert "Mua từ 10 sản phẩm" in page
    assert "1 customer" in page
    client.post(f"{base}/{group_id}/edit", data={"name": "Đại lý", "description": ""})
    assert "Đại lý" in client.get(base).text
    client.post(f"{base}/{group_id}/delete")
    with app.app_context():
        assert db.session.get(CustomerGroup, group_id) is None
        assert db.session.get(Customer, guest).group_id is None
