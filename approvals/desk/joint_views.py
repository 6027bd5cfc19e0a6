"""Art. 42 for unified, joint or centralised handling: the head of the people's government at
this level (本级人民政府负责人) approves or rejects the case's one extension."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from approvals.desk import selectors
from approvals.desk.decision_views import extension_page
from hall.common.permissions import government_head_required


@government_head_required
def joint_extensions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "approvals/desk/joint_extensions.html",
        {"extensions": selectors.joint_extensions_pending()},
    )


@government_head_required
def joint_extension_decide(request: HttpRequest, extension_id: int) -> HttpResponse:
    extension = selectors.joint_extension(extension_id=extension_id)
    if extension is None:
        raise Http404
    return extension_page(request, extension, may_decide=True, joint=True)
