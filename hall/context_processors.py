from django.conf import settings

from hall.roles import roles_of


def hall(request):
    return {
        "HALL_NAME": settings.HALL_NAME,
        "user_roles": roles_of(request.user) if hasattr(request, "user") else [],
    }
