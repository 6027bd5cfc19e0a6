"""`make run` says which database, broker and public URL it uses."""

from io import StringIO

from django.core.management import call_command


def test_the_command_names_the_public_url(settings):
    settings.HALL_PUBLIC_URL = "https://hall.example.gov.cn"
    out = StringIO()
    call_command("hall_backends", stdout=out)
    text = out.getvalue()
    assert "database:" in text and "broker:" in text
    assert "public URL: https://hall.example.gov.cn" in text
