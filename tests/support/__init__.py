"""Helpers shared by the tests: vectors, databases, an independent RFC 9162 implementation."""
