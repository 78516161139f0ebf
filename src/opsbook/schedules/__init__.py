"""Scheduled jobs — inspection (health), audit, network backup — per customer context (docs/scheduling.md).

:mod:`~opsbook.schedules.model` (jobs, cadences, the schedule and its lock; pure) and
:mod:`~opsbook.schedules.backends` (systemd timer + service or a cron entry; install, list, remove).
"""
