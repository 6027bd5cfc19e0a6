"""The portal's home: a message's link is a real link that wraps on a phone (issue 32)."""

from __future__ import annotations

from django.urls import reverse

from hall.models import Applicant, Notification


def test_a_link_in_a_message_is_a_link(client, make_user):
    user = make_user("portal-home", "applicant")
    Applicant.objects.create(
        kind="person", name="张三", phone="13800138000", id_number="11010519491231002X", user=user
    )
    link = "http://127.0.0.1:8000/ratings/appeal/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA/"
    Notification.objects.create(
        dedupe_key="home-link",
        channel=Notification.Channel.INBOX,
        recipient_user=user,
        kind="rating_follow_up",
        subject="差评整改答复",
        body=f"对答复不满意的，可在 7 日内申诉：{link}",
    )
    client.force_login(user)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert "差评整改答复" in html, html[-3000:]
    assert f'<a href="{link}">{link}</a>' in html
    assert '<span class="message-body">' in html


def test_only_web_addresses_become_links_and_the_rest_stays_escaped():
    from hall.templatetags.hall_tags import linkify

    assert (
        linkify("见：https://a.cn/x，谢谢")
        == '见：<a href="https://a.cn/x">https://a.cn/x</a>，谢谢'
    )
    assert linkify('<b>javascript:alert(1)</b> "q"') == (
        "&lt;b&gt;javascript:alert(1)&lt;/b&gt; &quot;q&quot;"
    )
    assert (
        linkify('https://a.cn/"><script>')
        == '<a href="https://a.cn/">https://a.cn/</a>&quot;&gt;&lt;script&gt;'
    )
