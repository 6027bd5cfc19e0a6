"""自助终端: the hall kiosk (ticket, lookup, rating) with large touch targets and an idle return."""
