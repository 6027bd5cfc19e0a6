"""Applicant accounts: registration, identity binding, sign-in by SMS code, and the SMS codes."""
