"""A real small LLM on 127.0.0.1 for the LLM-path tests; the index comes from tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rag.settings import Settings
from tests.llm.llm_server import LocalLLMServer, free_port, missing_requirement

#: Generous: prompt processing of ~900 tokens takes 10-30 s on 2 shared cores.
ANSWER_TIMEOUT_S = 120.0


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLLMServer]:
    """SmolLM2-135M served by llama.cpp (xllamacpp) in a subprocess on a free loopback port."""
    reason = missing_requirement()
    if reason:
        pytest.skip(reason)
    log = tmp_path_factory.mktemp("llm") / "llm_server.log"
    server = LocalLLMServer(port=free_port(), log_path=log).start(timeout_s=60)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def llm_settings(llm_server: LocalLLMServer, built_index: Settings) -> Settings:
    """The session index, answering through the local model's OpenAI-compatible endpoint."""
    return built_index.model_copy(
        update={
            "llm_provider": "openai",
            "llm_base_url": llm_server.base_url,
            "llm_model": "smollm2-135m",
            "llm_timeout_s": ANSWER_TIMEOUT_S,
        }
    )
