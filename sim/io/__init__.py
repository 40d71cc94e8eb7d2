"""Run-directory writer: atomic Parquet tables and ``metadata.json``."""
