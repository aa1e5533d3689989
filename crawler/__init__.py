"""The Scrapy project package: settings, items, components and the pure logic they call."""

from __future__ import annotations

import os

# tldextract instances built without explicit suffix_list_urls (Scrapy's cookie middleware
# builds one when it is imported) read this variable; empty means "use the suffix list
# bundled with tldextract, never fetch one". It must be set before Scrapy's cookie
# middleware module is imported, which happens after the project settings are loaded.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

__version__ = "0.1.0"
