"""Run-directory writer and file-system checks: atomic files, tables, ``metadata.json``."""
