"""Runs last (pytest takes files in name order): every request any page of the run made stayed
on the server under test (no CDN, no web fonts from elsewhere), and the server answered none
of them with a 5xx."""

import conftest
from conftest import REQUESTS, SERVER_ERRORS, on_server


def test_every_page_only_requested_the_server():
    assert REQUESTS, "no request was recorded: the other browser tests did not run"
    off = sorted({(page, req) for page, req in REQUESTS if not on_server(req)})
    for page, req in off:
        print(f"off the server: {req} (from {page})")
    assert not off, f"{len(off)} requests left {conftest.BASE}: {off[:10]}"


def test_no_server_error_during_the_run():
    assert not SERVER_ERRORS, f"5xx answers: {SERVER_ERRORS[:10]}"
