"""The webhook tests' receivers and clerk, shared with the API's subscription tests."""

from tests.hall.outbox.test_webhooks import (  # noqa: F401  (fixtures)
    clerk,
    receivers_on_this_machine_allowed,
)
