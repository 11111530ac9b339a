"""Webhooks: endpoints an organization registers, their secrets and their delivery log."""
