"""Helpers for tests that drive the app like a browser."""

import re

TEST_PASSWORD = "correct-battery-staple-42"
# Any form's token, prefixed or not (a page's forms all carry the same one).
CSRF_PATTERN = re.compile(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def submit(
    client, url: str, data: dict, *, follow_redirects: bool = False, page: str | None = None
):
    """Post a form the way a browser does: load the page, then send its CSRF token back."""
    match = CSRF_PATTERN.search(client.get(page or url).get_data(as_text=True))
    token = {"csrf_token": match.group(1)} if match else {}
    return client.post(url, data=data | token, follow_redirects=follow_redirects)
