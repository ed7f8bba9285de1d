"""Builds the static publicity portal from the CMS's read API, over HTTP, never its database."""
