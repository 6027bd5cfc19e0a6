"""The hall's own pages: the public home page and the navigation of each role."""


def test_citizens_are_not_offered_the_health_check(client, db):
    html = client.get("/").content.decode()
    assert "/healthz" not in html and "/lookup/" in html


def test_a_supervisor_reaches_rating_follow_ups_and_agency_requests_from_the_navigation(
    client, make_user
):
    client.force_login(make_user("nav-supervisor", "supervisor"))
    html = client.get("/supervision/").content.decode()
    nav = html.split("</nav>", 1)[0]
    assert 'href="/ratings/"' in nav and 'href="/agency/requests/"' in nav
    client.force_login(make_user("nav-clerk", "clerk"))
    assert 'href="/ratings/"' not in client.get("/window/").content.decode().split("</nav>")[0]
