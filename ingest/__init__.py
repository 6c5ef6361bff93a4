"""Parsers that turn source documents (CLML, PDF, HTML, DOCX) into passages."""
