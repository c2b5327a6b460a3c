"""The heart on a product and the member's list of favourites, through the storefront."""

from urllib.parse import parse_qs, urlsplit

from core.extensions import db
from models import Favourite, Product
from tests.conftest import make_staff
from tests.storefront import count, make_member


def favourites_of(app, member_id):
    with app.app_context():
        return sorted(
            db.session.scalars(
                db.select(Favourite.product_id).where(Favourite.customer_id == member_id)
            )
        )


def listed(client, shop):
    """The favourites page below its heading (the flashed messages come before it)."""
    page = client.get(f"/{shop.slug}/account/favourites")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    return page.text.split("<h1", 1)[1]


def toggle(client, shop, product_id, **data):
    return client.post(f"/{shop.slug}/favourites/{product_id}", data=data)


# --- The heart ------------------------------------------------------------------------


def test_the_heart_turns_a_favourite_on_and_off(app, client, shop, signed_in, product):
    product_id, slug = product

    response = toggle(client, shop, product_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{shop.slug}/products/{slug}"
    assert favourites_of(app, signed_in.id) == [product_id]

    response = toggle(client, shop, product_id)
    assert response.headers["Location"] == f"/{shop.slug}/products/{slug}"
    assert favourites_of(app, signed_in.id) == []


def test_the_product_page_shows_the_heart_filled_once_it_is_a_favourite(
    client, shop, signed_in, product
):
    product_id, slug = product
    page = client.get(f"/{shop.slug}/products/{slug}").text
    assert f'action="/{shop.slug}/favourites/{product_id}"' in page
    assert "Add to favourites" in page
    assert "bi-heart-fill" not in page

    toggle(client, shop, product_id, favourite="1")
    page = client.get(f"/{shop.slug}/products/{slug}").text
    assert "bi-heart-fill" in page
    assert "Remove from favourites" in page
    assert "is now one of your favourites" in page


def test_the_cards_of_the_catalog_carry_a_labelled_heart(client, shop, signed_in, make_product):
    liked_id, _ = make_product(shop, name="Khăn lụa")
    other_id, _ = make_product(shop, name="Nón lá")
    toggle(client, shop, liked_id)

    home = client.get(f"/{shop.slug}/").text
    assert f'action="/{shop.slug}/favourites/{liked_id}"' in home
    assert f'action="/{shop.slug}/favourites/{other_id}"' in home
    assert home.count("bi-heart-fill") == 1
    assert 'aria-label="Remove from favourites: Khăn lụa"' in home
    assert 'aria-label="Add to favourites: Nón lá"' in home


def test_asking_for_the_state_it_already_has_keeps_one_row(app, client, shop, signed_in, product):
    product_id, _ = product
    toggle(client, shop, product_id, favourite="1")
    toggle(client, shop, product_id, favourite="1")
    assert favourites_of(app, signed_in.id) == [product_id]
    with app.app_context():
        assert count(Favourite) == 1

    toggle(client, shop, product_id, favourite="0")
    toggle(client, shop, product_id, favourite="0")
    assert favourites_of(app, signed_in.id) == []


def test_the_heart_goes_back_to_a_page_of_this_shop(client, shop, signed_in, product):
    product_id, slug = product
    back = f"/{shop.slug}/collections/ao?page=2"
    response = toggle(client, shop, product_id, next=back)
    assert response.headers["Location"] == back


def test_the_heart_never_goes_back_outside_this_shop(client, shop, other_shop, signed_in, product):
    product_id, slug = product
    for target in ["https://evil.example/", "//evil.example/", f"/{other_shop.slug}/", "/"]:
        response = toggle(client, shop, product_id, next=target)
        assert response.headers["Location"] == f"/{shop.slug}/products/{slug}", target


def test_a_product_of_another_shop_is_not_found(
    app, client, shop, other_shop, signed_in, make_product
):
    theirs, _ = make_product(other_shop, name="Áo của Bình")
    assert toggle(client, shop, theirs).status_code == 404
    assert toggle(client, other_shop, theirs).status_code == 302  # redirected to log in there
    assert favourites_of(app, signed_in.id) == []


def test_a_hidden_product_is_not_found(app, client, shop, signed_in, make_product):
    hidden, _ = make_product(shop, name="Sắp ra mắt", hidden=True)
    assert toggle(client, shop, hidden).status_code == 404
    assert toggle(client, shop, 999_999).status_code == 404
    assert favourites_of(app, signed_in.id) == []


# --- Who may ---------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in_and_comes_back_to_the_product(
    app, client, shop, member, shopper, product
):
    product_id, slug = product
    product_page = f"/{shop.slug}/products/{slug}"

    response = toggle(client, shop, product_id)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == f"/{shop.slug}/account/login"
    assert parse_qs(location.query) == {"next": [product_page]}
    with app.app_context():
        assert count(Favourite) == 0

    login = client.post(
        response.headers["Location"], data={"login": member.email, "password": member.password}
    )
    assert login.status_code == 302
    assert login.headers["Location"] == product_page
    assert client.get(product_page).status_code == 200


def test_a_visitor_asking_for_a_hidden_product_goes_to_the_login_only(
    app, client, shop, make_product
):
    hidden, _ = make_product(shop, name="Sắp ra mắt", hidden=True)
    response = toggle(client, shop, hidden)
    assert response.headers["Location"] == f"/{shop.slug}/account/login"


def test_staff_are_sent_to_the_member_login(app, client, shop, auth, owner, product):
    product_id, slug = product
    assert auth.login_staff(owner).status_code == 302
    response = toggle(client, shop, product_id)
    assert urlsplit(response.headers["Location"]).path == f"/{shop.slug}/account/login"
    with app.app_context():
        assert count(Favourite) == 0


def test_a_member_of_another_shop_cannot_favourite_here(
    app, client, shop, other_shop, other_member, shopper, product
):
    product_id, _ = product
    assert shopper.login(other_member).status_code == 302
    response = toggle(client, shop, product_id)
    assert urlsplit(response.headers["Location"]).path == f"/{shop.slug}/account/login"
    assert favourites_of(app, other_member.id) == []


def test_a_staff_user_of_this_shop_is_not_a_member(app, shop, client, auth, product):
    manager = make_staff(app, shop, "quanly.fav@example.com", "manager")
    auth.login_staff(manager)
    assert client.get(f"/{shop.slug}/account/favourites").status_code == 302


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_the_members_visible_favourites(
    app, client, shop, signed_in, member, other_shop, make_product
):
    scarf, _ = make_product(shop, name="Khăn lụa", price=350_000)
    hat, _ = make_product(shop, name="Nón lá", price=90_000)
    make_product(shop, name="Túi cói", price=120_000)
    toggle(client, shop, scarf)
    toggle(client, shop, hat)

    html = listed(client, shop)
    assert "Khăn lụa" in html
    assert "Nón lá" in html
    assert "Túi cói" not in html
    assert "350" in html
    assert "₫" in html
    assert html.count("favourite-remove") == 2
    assert "product-placeholder" in html  # no images: the placeholder stands in


def test_a_favourite_in_stock_goes_to_the_cart_from_the_list(client, shop, signed_in, make_product):
    scarf, _ = make_product(shop, name="Khăn lụa", price=350_000)
    sold_out, _ = make_product(shop, name="Nón lá", track_stock=True, stock=0)
    toggle(client, shop, scarf)
    toggle(client, shop, sold_out)
    html = listed(client, shop)
    assert html.count('class="add-to-cart"') == 1
    assert f'name="product_id" value="{scarf}"' in html
    assert f'name="product_id" value="{sold_out}"' not in html
    assert "Out of stock" in html
    added = client.post(
        f"/{shop.slug}/cart/add", data={"product_id": scarf, "quantity": 1}, follow_redirects=True
    )
    assert "“Khăn lụa” was added to your cart." in added.text


def test_a_hidden_favourite_is_left_out_of_the_list(app, client, shop, signed_in, make_product):
    scarf, _ = make_product(shop, name="Khăn lụa")
    toggle(client, shop, scarf)
    with app.app_context():
        db.session.get(Product, scarf).hidden = True
        db.session.commit()
    html = listed(client, shop)
    assert "Khăn lụa" not in html
    assert "no favourite products yet" in html


def test_removing_from_the_list_comes_back_to_the_list(app, client, shop, signed_in, product):
    product_id, _ = product
    toggle(client, shop, product_id)
    back = f"/{shop.slug}/account/favourites"
    response = toggle(client, shop, product_id, favourite="0", next=back)
    assert response.headers["Location"] == back
    assert favourites_of(app, signed_in.id) == []


def test_the_list_is_the_members_own(app, client, shop, member, shopper, make_product):
    friend = make_member(app, shop, "ban.be@example.com", "+84905111222")
    scarf, _ = make_product(shop, name="Khăn lụa")
    shopper.login(friend)
    toggle(client, shop, scarf)
    shopper.logout(shop.slug)

    shopper.login(member)
    html = listed(client, shop)
    assert "Khăn lụa" not in html


def test_the_list_needs_the_member_to_log_in(client, shop):
    response = client.get(f"/{shop.slug}/account/favourites")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/{shop.slug}/account/login"


def test_the_account_menu_links_to_the_favourites(client, shop, signed_in):
    html = client.get(f"/{shop.slug}/account/").text
    assert f'href="/{shop.slug}/account/favourites"' in html
