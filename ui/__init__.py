"""The Gradio web app: ask, deadlines and caseworker letters, over the ``rag`` core.

Analytics are switched off here, before any module of this package imports gradio.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
