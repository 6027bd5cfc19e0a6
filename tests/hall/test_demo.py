from django.contrib.auth import get_user_model
from django.core.management import call_command

from hall.demo import DEMO_LOGINS, DEMO_PASSWORD


def test_seed_demo_runs_twice_and_every_login_works(db, client):
    call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    assert User.objects.filter(username__in=[d.username for d in DEMO_LOGINS]).count() == len(
        DEMO_LOGINS
    )
    for login in DEMO_LOGINS:
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username
        response = client.get("/home/", follow=True)
        assert response.status_code == 200, login.username
        client.logout()
