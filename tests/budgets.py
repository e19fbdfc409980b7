"""Query budgets, done the same way in every test.

A budget counts the queries of the SAME page for a small object and for an object at least ten
times larger (a programme with 10× the tiltak, an organisation with 10× the responsibilities, a
tiltak with 10× the history rows …); for list pages, with the demo data and with ten times the
data. The two counts must be equal, so a query per row (an N+1) fails the test, and both must be
under a ceiling, so a page cannot quietly become expensive at every size.

    small = {"programme page": count_queries(client, reverse(..., args=[small.pk]))}
    large = {"programme page": count_queries(client, reverse(..., args=[large.pk]))}
    assert_same_queries(small, large, ceiling=12, sizes={"programme page": (164, 1640)})

`sizes` are the numbers of rows the page shows for the small and the large object: the budget
only proves something if the large page really shows at least `factor` (10) times as many.
"""

from collections.abc import Mapping

from django.db import connection
from django.test.utils import CaptureQueriesContext

FACTOR = 10


def count_queries(client, url: str, *, status: int = 200, **extra) -> int:
    """The queries of one GET of `url`, after a warm-up GET of the same URL, so caches that
    fill once per process (content types, the site) are not counted as a cost of the page."""
    client.get(url, **extra)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == status, (url, response.status_code)
    return len(ctx.captured_queries)


def _as_dict(value) -> dict:
    return dict(value) if isinstance(value, Mapping) else {"page": value}


def assert_same_queries(
    small,
    large,
    *,
    ceiling: int | Mapping[str, int],
    sizes=None,
    factor: int = FACTOR,
) -> None:
    """`small` and `large` are query counts (an int, or {page name: count}). They must be
    equal and at most `ceiling` (one number, or one per page name). `sizes` ((small rows, large
    rows), or {page name: (small rows, large rows)}) shows the large object is `factor` times
    the small one."""
    small, large = _as_dict(small), _as_dict(large)
    assert small.keys() == large.keys()
    if sizes is not None:
        sizes = _as_dict(sizes) if isinstance(sizes, Mapping) else {"page": tuple(sizes)}
        too_small = {
            name: (s, lg) for name, (s, lg) in sizes.items() if not (s > 0 and lg >= factor * s)
        }
        assert not too_small, f"the large object is not {factor}× the small one: {too_small}"
    grows = {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    assert not grows, f"queries grow with the size of the object (small, large): {grows}"
    limits = ceiling if isinstance(ceiling, Mapping) else dict.fromkeys(small, ceiling)
    over = {name: (n, limits[name]) for name, n in small.items() if n > limits[name]}
    assert not over, f"over the ceiling (queries, ceiling): {over}"
