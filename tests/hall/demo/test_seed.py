import datetime

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest

from hall.demo.users import DEMO_LOGINS, DEMO_PASSWORD


def test_seed_demo_runs_twice_and_every_login_works(db, client):
    call_command("seed_demo")
    call_command("seed_demo")
    User = get_user_model()
    assert User.objects.filter(
        username__in=[d.account_username() for d in DEMO_LOGINS]
    ).count() == len(DEMO_LOGINS)
    for login in DEMO_LOGINS:
        assert client.login(
            request=HttpRequest(), username=login.account_username(), password=DEMO_PASSWORD
        ), login.username
        response = client.get("/home/", follow=True)
        assert response.status_code == 200, login.username
        client.logout()


def test_seed_demo_gives_every_desk_something_to_show(db):
    from approvals.models import CaseStep
    from hall.models import Case, Window

    call_command("seed_demo")
    statuses = sorted(Case.objects.values_list("status", flat=True))
    assert statuses == sorted(
        ["accepted", "awaiting_correction", "closed", "closed", "received", "received"]
    )
    assert CaseStep.objects.filter(status="open").count() >= 3  # construction stage 1 at work
    clerk = get_user_model().objects.get(username="clerk")
    assert clerk.clerk.window == Window.objects.get(number="01")
    applicant = next(login for login in DEMO_LOGINS if login.role == "applicant")
    assert get_user_model().objects.get(username=applicant.account_username()).applicant.name == (
        "张三"
    )
    call_command("seed_demo")
    assert Case.objects.count() == 6


def test_seed_demo_shows_a_material_taken_from_the_licence_library(db):
    """The enterprise's registration issued its business licence into the library; its food
    licence took 营业执照 from there (免证办) and issued the electronic food licence."""
    from hall.models import CaseMaterial, ElectronicLicence

    call_command("seed_demo")
    licences = dict(ElectronicLicence.objects.values_list("licence_type", "name"))
    assert licences == {"business-licence": "营业执照", "food-business": "食品经营许可证"}
    shared = CaseMaterial.objects.get(licence__licence_type="business-licence")
    assert shared.name == "营业执照" and shared.status == "received"
    assert shared.case.item.code == "44030400-XK-0001"


def test_the_demo_applicant_signs_in_with_her_phone(db, client):
    call_command("seed_demo")
    response = client.post(
        "/me/login/", {"username": "138 0013 8000", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.applicant.name == "张三"


def test_the_demo_applicant_acts_for_her_husband(db, client):
    """亲友代办 in the demo: 张三 may act for 李福 (authorised at the window) and, acting, sees
    his 户籍证明 case and none of her own."""
    from hall.models import Case, ProxyAuthorisation

    call_command("seed_demo")
    applicant = next(login for login in DEMO_LOGINS if login.role == "applicant")
    client.force_login(get_user_model().objects.get(username=applicant.account_username()))
    authorisation = ProxyAuthorisation.objects.get()
    assert authorisation.principal.name == "李福" and authorisation.proxy.name == "张三"
    assert "为 李福 办理" in client.get("/me/proxies/").content.decode()
    client.post(f"/me/proxies/{authorisation.code}/act/")
    home = client.get("/me/").content.decode()
    his = Case.objects.get(applicant__name="李福")
    hers = Case.objects.filter(applicant__name="张三").first()
    assert his.receipt_no in home and hers.receipt_no not in home


def test_the_demo_has_benefits_offered_and_one_list_to_confirm(db, client):
    from hall.models import BenefitOffer

    call_command("seed_demo")
    offers = {
        (o.benefit.code, o.applicant.name, o.status)
        for o in BenefitOffer.objects.select_related("benefit", "applicant")
    }
    assert ("gaoling-jintie", "李福", "confirmed") in offers
    assert ("chuangye-butie", "深圳市福田城建发展有限公司", "offered") in offers
    assert not any(name == "张三" for _code, name, _status in offers)  # 76: not yet
    client.force_login(get_user_model().objects.get(username="officer-mz"))
    page = client.get("/desk/benefits/gaoling-jintie/").content.decode()
    assert "李*" in page and "确认名单，准予发放" in page


def test_the_demo_has_an_appointment_to_check_in_today_and_cards_to_chase(db, time_machine):
    from approvals.models import CaseStep
    from hall.models import Appointment
    from hall.queue.appointments import appointment_check_in
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 3, 11, 10, 5))  # a Wednesday morning, the hall open
    call_command("seed_demo")
    today = Appointment.objects.get(day=datetime.date(2026, 3, 11))
    assert appointment_check_in(appointment=today).ticket is not None
    assert Appointment.objects.filter(day__gt=datetime.date(2026, 3, 11)).exists()
    assert CaseStep.objects.filter(warned_red_at__isnull=False).count() == 1
    assert CaseStep.objects.filter(warned_yellow_at__isnull=False).count() >= 1


def test_no_appointment_today_when_the_hall_is_closed(db, time_machine):
    from hall.models import Appointment
    from tests.dates import shanghai

    time_machine.move_to(shanghai(2026, 3, 14, 10, 5))  # a Saturday
    call_command("seed_demo")
    assert not Appointment.objects.filter(day=datetime.date(2026, 3, 14)).exists()
