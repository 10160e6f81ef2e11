"""Ingest: files and DataFrames into the store's canonical tables, nothing silently dropped."""

from custlens.ingest.core import TABLE_CHOICES, ingest
from custlens.ingest.result import IngestResult

__all__ = ["ingest", "IngestResult", "TABLE_CHOICES"]
