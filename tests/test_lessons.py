"""Levels and exercises: every reference solution reaches its goal, no start state does, feedback is specific."""

from __future__ import annotations

import pytest

from layerlab import lessons
from layerlab.lessons.core import SOLUTIONS

LEVELS = [lv.id for lv in lessons.levels()]


@pytest.mark.parametrize("level_id", LEVELS)
def test_the_start_state_is_not_solved(level_id):
    assert not lessons.level(level_id).play().solved


@pytest.mark.parametrize("level_id", LEVELS)
def test_the_reference_solution_solves_the_level_at_par(level_id):
    lv = lessons.level(level_id)
    game = lv.play()
    for move in lessons.reference_moves(level_id):
        feedback = game.submit(move) if lv.kind == "build" else game.run(move)
    assert game.solved, game.unmet()
    assert feedback.ok and game.steps == lv.par


def test_there_are_at_least_eight_levels_and_a_capstone():
    assert len(LEVELS) >= 9 and any(lv.notebook == "12" for lv in lessons.levels())


@pytest.mark.parametrize("level_id", LEVELS)
def test_every_level_has_hints_and_a_story(level_id):
    lv = lessons.level(level_id)
    assert lv.hints and len(lv.story) > 40 and lv.goals


def test_undo_replays_from_the_start():
    game = lessons.level("diff-target").play()
    game.run("rm /etc/motd")
    assert ("D", "/etc/motd") in game.state.engine.diff(game.state.container)
    game.undo()
    assert game.moves == [] and game.state.engine.diff(game.state.container) == []


def test_feedback_names_what_is_missing():
    game = lessons.level("ghost-bytes").play()
    text = str(game.feedback())
    assert "/tmp/tool.tar" in text and "deleting in a later layer never shrinks an image" in text


def test_moves_outside_the_level_are_refused():
    game = lessons.level("opaque-dir").play()
    with pytest.raises(lessons.core.LayerlabError, match="not a move in this level"):
        game.run("apk add curl")


def test_status_shows_goal_beside_current():
    text = str(lessons.level("one-layer").play().status())
    assert text.splitlines()[0].startswith("GOAL: One file, one layer") and "YOU" in text.splitlines()[0]


@pytest.mark.parametrize("exercise_id", lessons.exercises())
def test_every_exercise_has_hints_a_solution_file_and_a_pending_answer(exercise_id):
    ex = lessons.core.get(exercise_id)
    assert ex.hints, f"{exercise_id} has no hints"
    assert (SOLUTIONS / f"{exercise_id}.md").exists(), f"{exercise_id} has no solution file"
    assert lessons.check(exercise_id, ...).verdict == "pending"


@pytest.mark.parametrize("answer, expected", [
    (1_000_000, 1_000_000),
    ("52MB", 52_000_000),
    ("50 MiB", 52_428_800),
    ("1_000", 1000),
    ("210MB (virtual 319MB)", 210_000_000),     # pasted from docker ps -s
    (True, None),                               # a bool is not a size
    ("big", None),
    (["1MB"], None),
])
def test_a_size_answer_is_read_the_way_a_learner_types_it(answer, expected):
    from layerlab.lessons.answers import byte_count
    assert byte_count(answer) == expected


@pytest.mark.parametrize("answer, expected", [
    ("motd issue", ["motd", "issue"]),
    ("['motd', 'issue']", ["motd", "issue"]),    # a list pasted as text
    ({"/srv/a"}, ["/srv/a"]),
    (("a ", " b"), ["a", "b"]),
    ([1, 2], None),
    (42, None),
])
def test_a_list_answer_is_read_from_text_or_a_collection(answer, expected):
    from layerlab.lessons.answers import words
    assert words(answer) == expected


def test_a_size_exercise_explains_how_to_answer_when_the_answer_is_not_a_size():
    feedback = lessons.check("03.1", "a lot")
    assert not feedback.ok and "a size such as '12MB'" in str(feedback)


def test_goal_and_current_are_two_columns_that_never_wrap_into_each_other():
    game = lessons.level("slim-apt").play()
    status = game.status()
    assert str(status).splitlines()[0].startswith("GOAL: ") and "YOU" in str(status).splitlines()[0]
    html = status._repr_html_()
    assert html.count("<td") == 2 and "white-space:pre-wrap" in html
    assert status.left[0].startswith("GOAL") and status.right[0] == "YOU"


def test_a_story_is_told_wrapped_so_no_window_breaks_a_word():
    for lv in lessons.levels():
        assert all(len(line) <= 88 for line in lv.tell().splitlines()), lv.id
        assert lv.tell().split() == lv.story.split()
