"""Notices of due and overdue deadlines: written as rows (an outbox), sent by e-mail by a
worker that may be stopped at any moment, acknowledged by a person (workflows.escalation
decides who and when)."""
