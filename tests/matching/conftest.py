"""Shared fixtures for the matching tests: the dev set copy and a matcher built on it."""

from pathlib import Path

import pytest

from matching import Matcher
from matching.csv_io import read_pathways

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def dev_pathways():
    return read_pathways(DATA / "pathways.csv")


@pytest.fixture(scope="session")
def dev_matcher(dev_pathways):
    return Matcher(dev_pathways)
