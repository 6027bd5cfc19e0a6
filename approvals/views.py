from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("hall.use_officer_desk", raise_exception=True)
def desk_home(request):
    officer = getattr(request.user, "officer", None)
    return render(request, "approvals/desk_home.html", {"officer": officer})
