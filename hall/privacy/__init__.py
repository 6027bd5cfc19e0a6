"""Personal data as its owner and the staff meet it (issue 29): staff see ID numbers, phones and
addresses masked, and reveal a whole value on a case only with a reason, which is recorded; the
applicant sees every recorded look on the portal and can ask why."""
