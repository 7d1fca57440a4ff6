"""Return deadlines, reminders and alerts: nobody has to remember to look.

- ``deadlines``: when each quarterly return is due (working days, bank holidays of
  England and Wales) and its status; ``return_statuses`` and ``latest_status``.
- ``rules``: what is worth telling whom on a given day (``raise_alerts``).
- ``outbox``: record every alert, then send each person one digest, then mark it sent.
- ``mail``: the digest and SMTP.
- ``cli``: ``python -m alerts send [--dry-run] [--today YYYY-MM-DD]``.
"""
