# -*- coding: utf-8 -*-
# Copyright: (c) 2026, backupops.veeam contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounded parallel work for the bulk paths: up to N calls at once, results in the order of the input.

How many requests really reach a server at once is bounded again by the transport's throttle, which slows every
worker down when the server answers 429 or 503.
"""

from concurrent.futures import ThreadPoolExecutor


def map_bounded(function, items, workers):
    """``[function(item) for item in items]``, with up to ``workers`` calls at once; the results (and the first
    exception, if any) are those of the items in their order, whatever order the calls finish in."""
    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        futures = [pool.submit(function, item) for item in items]
        return [future.result() for future in futures]
