"""The outbox: services that queue messages and deliver them exactly once per dedupe key.

Queuing writes a row in the caller's transaction and asks a Celery task to deliver it once the
transaction commits. A periodic drain delivers whatever the task missed (broker down, worker
lost), so a message is never lost; the row lock and the status check make sure it is never sent
twice.
"""
