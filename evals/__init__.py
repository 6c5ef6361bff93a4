"""Evaluation harness: runs a gold question set through sendqa and baselines and scores them.

``evals.metrics`` holds the pure scoring functions, ``evals.systems`` the systems compared
(sendqa, dense, bm25, naive_langchain) and ``evals.run`` the runner behind ``sendqa eval``.
"""
