"""The nine stories, a resident on a 375×812 phone: once with JavaScript on, then once with it
off (every action a plain form POST + 303 redirect). The world is per module and per mode, so
pytest runs all nine in one mode before the other."""

import pytest

from stories import make_world, run_story


@pytest.fixture(scope="module", params=[True, False], ids=["js", "nojs"])
def world(browser, sessions, request):
    return make_world(browser, sessions, js=request.param)


def test_story1_resident_registers_verifies_signs_in_and_raises_with_photo(world):
    run_story(world, 1)


def test_story2_staff_accept_and_catalog_number_shows(world):
    run_story(world, 2)


def test_story3_neighbour_supports_and_comments(world):
    run_story(world, 3)


def test_story4_staff_decide_plan_task_publish_and_subdistrict_approves(world):
    run_story(world, 4)


def test_story5_firm_updates_task_with_photo_and_staff_complete(world):
    run_story(world, 5)


def test_story6_residents_rate_and_staff_close(world):
    run_story(world, 6)


def test_story7_anonymous_public_page_has_no_personal_data(world):
    run_story(world, 7)


def test_story8_cppcc_schedules_micro_consultation(world):
    run_story(world, 8)


def test_story9_resident_attends_and_confirms_minutes(world):
    run_story(world, 9)
