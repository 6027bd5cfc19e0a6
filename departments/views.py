from django.contrib.auth.decorators import permission_required
from django.shortcuts import render

from departments.models import Department


@permission_required("hall.view_supervision", raise_exception=True)
def supervision_home(request):
    departments = Department.objects.order_by("code")
    return render(request, "departments/supervision_home.html", {"departments": departments})
