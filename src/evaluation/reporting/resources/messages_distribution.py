"""Messages of the distribution analysis (issue 14), merged into the catalogue by messages.py.

Same rules as messages.MESSAGES: id -> {"en": ..., "es": ...} with the same placeholders.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {}
