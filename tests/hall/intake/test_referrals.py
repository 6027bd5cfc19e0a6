"""Referral (hall.intake.referrals): referred with a notice and followed by the first-contact
owner to its end."""

from __future__ import annotations

from hall.cases.selectors import cases_owned_by
from hall.intake import referrals
from hall.models import (
    Case,
)
from tests.hall.intake.conftest import receive


def test_referral_is_followed_by_the_owner_to_its_end(item, person, clerk):
    case = receive(item, person, clerk)
    notice = referrals.case_refer(
        case=case, clerk=clerk, office="市公安局出入境管理支队", reason="出入境事项"
    )
    case.refresh_from_db()
    assert case.status == Case.Status.REFERRED
    assert "市公安局出入境管理支队" in " ".join(notice.content["paragraphs"])
    assert case in cases_owned_by(owner=clerk)
    referrals.case_referral_close(case=case, clerk=clerk, outcome="已由出入境支队办结")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.filter(action="closed").exists()
