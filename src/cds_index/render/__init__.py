"""Renderings of results: JSON documents, text and Markdown tables, HTML reports."""
