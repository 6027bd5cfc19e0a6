"""What the hall runs on: backend selection, health checks, SMS and email adapters, and the
heartbeat task."""
