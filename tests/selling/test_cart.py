"""The cart: adding, changing and removing products, in the session, one cart per shop."""

import re

import pytest

from tests.selling import make_product, set_product


def test_adding_products_shows_them_with_prices_and_a_count(buyer, ao_dai, non_la):
    response = buyer.add(ao_dai.id, 2)
    assert response.request.path == f"/{buyer.slug}/cart"
    assert "“Áo dài lụa” was added to your cart." in response.text
    buyer.add(non_la.id)

    page = buyer.cart().text
    assert "Áo dài lụa" in page
    assert "Nón lá Huế" in page
    assert f'name="quantity-{ao_dai.id}" value="2"' in page
    assert "600,000" in page  # 2 × 250,000 + 100,000
    assert "630,000" in page  # with the 30,000 shipping fee
    assert 'cart-count">3<' in page
    assert buyer.cart_items() == {str(ao_dai.id): 2, str(non_la.id): 1}


def test_adding_the_same_product_again_adds_up(buyer, non_la):
    buyer.add(non_la.id, 2)
    buyer.add(non_la.id, 3)
    assert buyer.cart_items() == {str(non_la.id): 5}


@pytest.mark.parametrize("quantity", ["0", "-1", "1000", "abc", "1.5", ""])
def test_a_bad_quantity_is_refused_and_changes_nothing(buyer, non_la, quantity):
    buyer.add(non_la.id, 1)
    page = buyer.add(non_la.id, quantity).text
    assert "Enter a quantity from 1 to 99." in page
    assert buyer.cart_items() == {str(non_la.id): 1}


def test_more_than_ninety_nine_in_total_is_refused(buyer, non_la):
    buyer.add(non_la.id, 60)
    page = buyer.add(non_la.id, 40).text
    assert "You can buy at most 99 of one product in an order." in page
    assert buyer.cart_items() == {str(non_la.id): 60}


def test_products_one_may_not_buy_are_refused(buyer, hidden_product, foreign_product, non_la):
    for product_id in (hidden_product.id, foreign_product.id, 999999, "abc"):
        page = buyer.add(product_id, 1).text
        assert "This product is not available." in page
    assert buyer.cart_items() == {}


def test_more_than_the_stock_is_refused(buyer, ao_dai):
    page = buyer.add(ao_dai.id, 6).text
    assert "Only 5 of “Áo dài lụa” left in stock." in page
    assert buyer.cart_items() == {}


def test_an_out_of_stock_product_cannot_be_added(app, buyer, ao_dai):
    set_product(app, ao_dai.id, stock=0)
    page = buyer.add(ao_dai.id, 1).text
    assert "“Áo dài lụa” is out of stock." in page
    assert buyer.cart_items() == {}


def test_update_changes_quantities_and_zero_removes(buyer, ao_dai, non_la):
    buyer.add(ao_dai.id, 1)
    buyer.add(non_la.id, 1)
    page = buyer.update(**{f"quantity-{ao_dai.id}": "3", f"quantity-{non_la.id}": "0"}).text
    assert buyer.cart_items() == {str(ao_dai.id): 3}
    assert "Your cart was updated." in page


@pytest.mark.parametrize("value", ["-1", "100", "x"])
def test_a_bad_update_changes_nothing(buyer, ao_dai, non_la, value):
    buyer.add(ao_dai.id, 1)
    buyer.add(non_la.id, 1)
    page = buyer.update(**{f"quantity-{non_la.id}": "4", f"quantity-{ao_dai.id}": value}).text
    assert buyer.cart_items() == {str(ao_dai.id): 1, str(non_la.id): 1}
    assert "Enter a quantity from 0 to 99." in page


def test_an_update_above_the_stock_changes_nothing(buyer, ao_dai):
    buyer.add(ao_dai.id, 1)
    page = buyer.update(**{f"quantity-{ao_dai.id}": "9"}).text
    assert buyer.cart_items() == {str(ao_dai.id): 1}
    assert "Only 5 of “Áo dài lụa” left in stock." in page


def test_remove_takes_a_product_out(buyer, ao_dai, non_la):
    buyer.add(ao_dai.id, 1)
    buyer.add(non_la.id, 1)
    buyer.remove(ao_dai.id)
    assert buyer.cart_items() == {str(non_la.id): 1}


def test_each_shop_has_its_own_cart(app, buyer, other_shop, non_la, foreign_product):
    buyer.add(non_la.id, 1)
    buyer.add(foreign_product.id, 2, shop_slug=other_shop.slug)
    assert buyer.cart_items() == {str(non_la.id): 1}
    other_page = buyer.client.get(f"/{other_shop.slug}/cart").text
    assert "Gốm Bát Tràng" in other_page
    assert "Nón lá Huế" not in other_page
    assert 'cart-count">2<' in other_page


def test_prices_are_read_from_the_products_every_time(app, buyer, non_la):
    buyer.add(non_la.id, 2)
    set_product(app, non_la.id, price=120_000)
    page = buyer.cart().text
    assert "240,000" in page
    assert "200,000" not in page


def test_a_product_hidden_since_leaves_the_cart(app, buyer, non_la, ao_dai):
    buyer.add(non_la.id, 1)
    buyer.add(ao_dai.id, 1)
    set_product(app, non_la.id, hidden=True)
    page = buyer.cart().text
    assert "no longer available" in page
    assert "Nón lá Huế" not in page
    assert buyer.cart_items() == {str(ao_dai.id): 1}


def test_product_pages_have_an_add_to_cart_form(app, client, shop, buyer, non_la):
    page = client.get(f"/{shop.slug}/products/{non_la.slug}").text
    assert f'action="/{shop.slug}/cart/add"' in page
    assert f'name="product_id" value="{non_la.id}"' in page
    assert 'name="quantity"' in page
    home = client.get(f"/{shop.slug}/").text
    assert f'action="/{shop.slug}/cart/add"' in home


def test_an_out_of_stock_product_page_has_no_add_to_cart_form(app, client, shop):
    sold_out = make_product(app, shop, "Hết hàng", 10_000, track_stock=True, stock=0)
    page = client.get(f"/{shop.slug}/products/{sold_out.slug}").text
    assert f'action="/{shop.slug}/cart/add"' not in page


# --- The header's cart link -----------------------------------------------------------


def cart_link(page):
    """What the header's cart link reads, its icon and tags left out."""
    link = re.search(r'<a class="nav-link cart-link"[^>]*>(.*?)</a>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", link).split())


def test_the_header_counts_the_items_in_the_cart(buyer, ao_dai, non_la):
    buyer.add(ao_dai.id, 2)
    buyer.add(non_la.id, 1)
    assert cart_link(buyer.client.get(f"/{buyer.slug}/").text) == "Cart 3 items"


def test_an_empty_cart_shows_no_number_in_the_header(client, shop, buyer, non_la):
    # A new visitor, a cart emptied by hand, and the order page after a checkout
    pages = [client.get(f"/{shop.slug}/").text]
    buyer.add(non_la.id, 2)
    pages.append(buyer.update(**{f"quantity-{non_la.id}": "0"}).text)
    buyer.add(non_la.id, 1)
    placed = buyer.checkout()
    assert placed.status_code == 302, placed.text
    pages.append(client.get(placed.headers["Location"]).text)
    pages.append(client.get(f"/{shop.slug}/").text)

    for page in pages:
        assert cart_link(page) == "Cart"
        assert "cart-count" not in page
    # In Vietnamese, the link is still named for what it leads to
    client.post("/language", data={"lang": "vi"})
    assert cart_link(client.get(f"/{shop.slug}/").text) == "Giỏ hàng"
