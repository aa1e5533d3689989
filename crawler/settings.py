"""Scrapy settings for the event archiver; every ARCHIVE_* and FALLBACK_* setting is here.

See the README's "Settings" table for what each one does.
"""

from __future__ import annotations

BOT_NAME = "event-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"  # scrapy extract (README, "Clean text")

# -- the archive ---------------------------------------------------------------------------
ARCHIVE_DIR = "data/archive"  # git-ignored; never inside the code folders
ARCHIVE_WARC_PREFIX = "EVENTS"
WARC_MAX_SIZE = 1024**3  # rotate capture WARC files at 1 GiB
ARCHIVE_CONTACT_URL = "https://github.com/event-archiver/event-archiver#contact"
ARCHIVE_OPERATOR = ""  # who runs the crawl, written to warcinfo
ARCHIVE_EXTRACT_WORKERS = 0  # 0: one extraction process per core
ARCHIVE_EXTRACT_TIMEOUT = 20.0  # seconds per page before the extractor is killed
# Extraction workers run this much nicer than the crawl process (0: same priority), so the
# reactor, which feeds them, gets a core whenever it has work (README, "Benchmarks").
ARCHIVE_EXTRACT_NICE = 10
# The crawl's index rows are committed together, at most this many seconds apart (0: with
# each record); the WARC records always come first, so a crash loses no archived record.
ARCHIVE_INDEX_COMMIT_SECONDS = 1.0
ARCHIVE_PROGRESS_INTERVAL = 30.0  # seconds between progress lines
# a text block on this many pages of one site (registered domain) is boilerplate; 0: off
ARCHIVE_BOILERPLATE_MIN_PAGES = 3
# a publication date more than this many days from the citing event's date is flagged "far"
ARCHIVE_DATE_FLAG_DAYS = 14
# A body past DOWNLOAD_MAXSIZE is archived cut at the limit (WARC-Truncated: length)
# instead of being dropped; False restores Scrapy's behaviour (the download fails).
ARCHIVE_KEEP_TRUNCATED = True

# -- resume and incremental re-runs (SPEC §7) ----------------------------------------------------
ARCHIVE_RESUME = True  # keep the ledger and run marker; resume or re-crawl incrementally
ARCHIVE_LEDGER_BATCH_ROWS = 200  # ledger rows written per transaction (also at close)
ARCHIVE_LEDGER_BATCH_SECONDS = 2.0  # and at least this often
ARCHIVE_RETRY_ATTEMPTS = 3  # attempts (one per run) at a failed source or page before "dead"
ARCHIVE_RETRY_BACKOFF = 3600.0  # seconds before the 2nd attempt, doubling after each failure
ARCHIVE_EXTRACT_TEST_DELAY = 0.0  # tests only: seconds each document waits before extraction

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
# Scrapy 2.19 processes each response's output with CONCURRENT_ITEMS asyncio tasks, created
# per response whether it yields one item or a hundred. A page here yields one item and a
# few requests; the default 100 cost ~3 ms CPU per page and kept ~6,000 idle tasks alive
# (long garbage collections stalling the reactor). README, "Benchmarks".
CONCURRENT_ITEMS = 4

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

# -- dead and moved domains: the fallbacks (SPEC §5) -------------------------------------------
FALLBACK_ENABLED = True
FALLBACK_LIST = ""  # a user fallback list (TOML) read over the bundled one
FALLBACK_BUNDLED_LIST = True  # read crawler/lists/fallbacks.toml first
FALLBACK_SERVICES = ["wayback", "commoncrawl"]  # archive services to ask, in order
FALLBACK_DEAD_AFTER = 5  # consecutive hard failures (retries included) before a domain is dead
FALLBACK_SNAPSHOT_WINDOW_DAYS = 30  # prefer the first good capture this close after the event
FALLBACK_MAX_SNAPSHOTS = 3  # captures tried per service before the next service
FALLBACK_SERVICE_ATTEMPTS = 3  # attempts per request to an archive service
FALLBACK_BACKOFF = 2.0  # seconds before the 2nd attempt (doubling) when no Retry-After is given
FALLBACK_RETRY_AFTER_MAX = 120.0  # a longer Retry-After gives the service up for that URL
FALLBACK_SERVICE_CONCURRENCY = 2  # requests in flight per archive service
FALLBACK_CACHE_DAYS = 30.0  # reuse archive API answers kept in the index for this long
FALLBACK_SOFT404_PROBE = True  # probe a made-up path per host to recognise generic pages
FALLBACK_COMMONCRAWL_CRAWLS = 2  # Common Crawl crawls asked per source (nearest after the event)

# -- components ------------------------------------------------------------------------------
# Scrapy's HTTP/1.1 handler with the domain-health check right before the wire.
DOWNLOAD_HANDLERS = {
    "http": "crawler.healthcheck.HealthCheckedDownloadHandler",
    "https": "crawler.healthcheck.HealthCheckedDownloadHandler",
}
EXTENSIONS = {
    "crawler.resume.CrawlResume": 50,  # before WarcCapture: its spider_closed closes the index
    "crawler.capture.WarcCapture": 100,
    "crawler.progress.Progress": 500,
    "crawler.runtime.FreezeStartupObjects": 900,  # last: after the others set up
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
