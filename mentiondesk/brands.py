"""Moved to mentiondesk.core.brands; this name stays while callers move over."""

from mentiondesk.core.brands import (  # noqa: F401
    PLATFORMS,
    Brand,
    BrandConfig,
    QuietHours,
    RedditWatch,
    ReplyPolicy,
    RoutingRules,
    _as_table,
    _config_error_from,
    _find_line,
    _line_of_decode_error,
    _Strict,
    load_brands,
    parse_brands,
)
