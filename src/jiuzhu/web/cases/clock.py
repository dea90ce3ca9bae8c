"""The workflow's date, as the cases app has always imported it (``jiuzhu.web.core.clock``)."""

from jiuzhu.web.core.clock import today

__all__ = ["today"]
