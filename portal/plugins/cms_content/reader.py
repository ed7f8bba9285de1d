"""A Pelican reader for the JSON sources the exporter writes: one page per file, with its
metadata and the structured ``cms`` data the page's template shows."""

import json

from pelican import signals
from pelican.readers import BaseReader


class CMSJSONReader(BaseReader):
    enabled = True
    file_extensions = ["json"]

    def read(self, source_path):
        with open(source_path, encoding="utf-8") as handle:
            source = json.load(handle)
        metadata = {
            key: self.process_metadata(key, value) for key, value in source["metadata"].items()
        }
        metadata["cms"] = source["cms"]
        return source.get("content_html", ""), metadata


def add_reader(readers):
    readers.reader_classes["json"] = CMSJSONReader


def register():
    signals.readers_init.connect(add_reader)
