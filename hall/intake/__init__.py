"""Single-window intake (一窗受理) under the Administrative Licensing Law, Art. 32.

At intake the office either accepts, tells the applicant everything missing in ONE written notice
(一次性告知), refuses, or refers the matter elsewhere. If it does none of these within 5 working
days of receiving the materials, the application counts as accepted from the day they arrived.
The clerk who first receives the applicant owns the case (首问负责).

Every service here runs in one transaction, locks the case row before changing it, and is safe
to call twice.
"""
