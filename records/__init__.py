"""Reads and writes of everything that is not a workbook: contracts, submissions, targets, visits, actions, meetings, escalation."""
