def test_landing_page_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.text
