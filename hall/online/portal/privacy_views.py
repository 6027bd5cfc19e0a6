"""The portal's "who viewed my data" page (谁查看了我的信息) and asking why a look happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hall.online.portal.access import applicant_or_bind, applicant_required
from hall.platform.guard import int_or_none
from hall.privacy import selectors as privacy_selectors
from hall.privacy import services as privacy

PAGE_SIZE = 25


@never_cache
@applicant_required
def data_access(request: HttpRequest) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    page = Paginator(privacy_selectors.accesses_of(applicant=applicant), PAGE_SIZE).get_page(
        int_or_none(request.GET.get("page")) or 1
    )
    return render(
        request,
        "hall/portal/data_access.html",
        {
            "applicant": applicant,
            "page": page,
            "names_shown": privacy_selectors.staff_names_shown(),
        },
    )


@require_POST
@applicant_required
def data_access_ask(request: HttpRequest) -> HttpResponse:
    applicant = applicant_or_bind(request)
    if applicant is None:
        return redirect("portal:identity")
    try:
        privacy.access_question_ask(
            applicant=applicant, access_id=int_or_none(request.POST.get("access")) or 0
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("您的询问已转给监察人员，将在 5 个工作日内通过站内消息答复您。")
        )
    return redirect("portal:data_access")
