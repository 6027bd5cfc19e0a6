"""/supervision/: the electronic-supervision dashboard, reminders, handovers and case history."""
