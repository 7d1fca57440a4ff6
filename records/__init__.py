"""Reads and writes of everything that is not a workbook.

Contracts, submissions, targets, visits, actions, meetings, escalation.
"""
