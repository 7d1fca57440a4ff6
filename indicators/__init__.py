"""The indicator engine: indicators on quarter and year-to-date bases, targets and RAG,
trends, statistical process control and the narrative of a quarter.

Modules: ``data`` (reads the database), ``engine`` (compute_indicators),
``targets`` (targets in force, RAG), ``spc`` (XmR charts), ``narrative``,
``export`` and ``__main__`` (the command line).
"""
