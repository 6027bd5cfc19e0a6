"""The public pages of the electronic licence library: a licence's verification page (opened
from the QR code on the licence) and the check of a licence file's seal."""
