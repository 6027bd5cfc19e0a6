from django.conf import settings

from hall.platform.sessions import elder_mode_on
from hall.roles import roles_of


def hall(request):
    return {
        "HALL_NAME": settings.HALL_NAME,
        # 长辈版 (issue 32): hall.views.elder_mode sets it per browser
        "elder_mode": elder_mode_on(request),
        "user_roles": roles_of(request.user) if hasattr(request, "user") else [],
    }
