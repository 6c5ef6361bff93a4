"""Casework built on the answer engine: statutory deadlines and cited letter drafts.

It imports ``rag`` and nothing else of ours; the Gradio app (``ui``) and the CLI use it.

- Deadlines: ``rules`` (the time limits, a data table in ``rules.toml``), ``calendar`` (months,
  working days, bank holidays in England), ``dates`` (reading and writing dates as people do)
  and ``deadlines`` (a rule applied to a date).
- Letters: ``templates`` (the wording of each kind of letter), ``draft`` (a letter whose legal
  statements quote retrieved provisions) and ``export`` (.md and .docx files).
"""
