"""The case kernel: the event log with its typed actions, the one place a case's status changes,
notices with their numbering and PDF rendering, and every paragraph of legal wording.

Nothing here imports a feature; every feature and the approvals app write through it."""
