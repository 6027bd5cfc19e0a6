"""The role checks of the staff pages, one decorator per permission (hall.roles grants them).

A user without the permission gets 403, never a login loop: staff are signed in already.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required

workbench_required = permission_required("hall.use_workbench", raise_exception=True)
officer_desk_required = permission_required("hall.use_officer_desk", raise_exception=True)
supervision_required = permission_required("hall.view_supervision", raise_exception=True)
agent_required = permission_required("hall.act_as_agent", raise_exception=True)
government_head_required = permission_required("hall.approve_joint_extension", raise_exception=True)
