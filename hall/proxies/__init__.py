"""亲友代办 / 授权代办: a relative or friend acts for an applicant under an authorisation."""
