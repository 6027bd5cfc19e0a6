"""The role checks of the staff pages, one decorator per permission (hall.roles grants them).

Someone not signed in is sent to the login page (and back after it); a signed-in user without
the permission gets the hall's 403 page, which the security log records, never a login loop.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import permission_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def _staff_permission(permission: str):
    def decorator(view):
        checked = permission_required(permission, raise_exception=True)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return checked(request, *args, **kwargs)

        return wrapper

    return decorator


workbench_required = _staff_permission("hall.use_workbench")
officer_desk_required = _staff_permission("hall.use_officer_desk")
supervision_required = _staff_permission("hall.view_supervision")
agent_required = _staff_permission("hall.act_as_agent")
government_head_required = _staff_permission("hall.approve_joint_extension")


def orders_staff_required(view):
    """接诉即办's desk: window clerks (who receive and own orders), department officers (who
    handle their parts) and supervisors."""
    permissions = ("hall.use_workbench", "hall.use_officer_desk", "hall.view_supervision")

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not any(request.user.has_perm(permission) for permission in permissions):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
