"""Delivering the outbox: transports (files, SMTP, GOV.UK Notify), the sender, periodic jobs."""
