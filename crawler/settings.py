"""Scrapy settings for the event archiver; every ARCHIVE_* setting is defaulted here.

See the README's "Settings" table for what each one does.
"""

from __future__ import annotations

BOT_NAME = "event-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# -- the archive ---------------------------------------------------------------------------
ARCHIVE_DIR = "data/archive"  # git-ignored; never inside the code folders
ARCHIVE_WARC_PREFIX = "EVENTS"
WARC_MAX_SIZE = 1024**3  # rotate capture WARC files at 1 GiB
ARCHIVE_CONTACT_URL = "https://github.com/event-archiver/event-archiver#contact"
ARCHIVE_OPERATOR = ""  # who runs the crawl, written to warcinfo
ARCHIVE_EXTRACT_WORKERS = 0  # 0: one extraction process per core
ARCHIVE_EXTRACT_TIMEOUT = 20.0  # seconds per page before the extractor is killed
ARCHIVE_PROGRESS_INTERVAL = 30.0  # seconds between progress lines

# The User-Agent names the project and the contact URL (built by the spider if unset).
USER_AGENT = None

# -- politeness ------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 0.25
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2

# -- robustness ------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
# warcio and pywb cannot decode zstd, and brotli needs an extra package in every reader.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}

# -- components ------------------------------------------------------------------------------
EXTENSIONS = {
    "crawler.capture.WarcCapture": 100,
    "crawler.progress.Progress": 500,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
