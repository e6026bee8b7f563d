"""Imports flow one way: app -> pathways -> matching."""

import subprocess
import sys

import pytest


def modules_loaded_by(package: str) -> set[str]:
    code = f"import sys, {package}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "forbidden", ["flask", "flask_login", "flask_wtf", "sqlmodel", "sqlalchemy", "pathways", "app"]
)
def test_matching_imports_no_web_database_or_project_code(forbidden):
    assert forbidden not in modules_loaded_by("matching")


@pytest.mark.parametrize("forbidden", ["flask", "flask_login", "flask_wtf", "app"])
def test_pathways_imports_no_web_framework(forbidden):
    assert forbidden not in modules_loaded_by(
        "pathways.models, pathways.geography, pathways.accounts, pathways.demo, pathways.audit"
    )
