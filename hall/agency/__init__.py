"""全程代办: agency requests, agent assignment and actions on behalf of an applicant."""
