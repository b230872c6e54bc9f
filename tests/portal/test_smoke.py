def test_home_page(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create your account" in response.content
