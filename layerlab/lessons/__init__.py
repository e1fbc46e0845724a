"""Exercises with immediate feedback, hints and solutions, and levels to play.

>>> from layerlab import lessons
>>> lessons.level("one-layer").title
'One file, one layer'
"""

from .core import Feedback, Text, check, exercise, exercises, hint, solution
from .levels import Game, Goal, Level, level, levels, reference, reference_moves

__all__ = ["Feedback", "Game", "Goal", "Level", "Text", "check", "exercise", "exercises", "hint", "level", "levels",
           "reference", "reference_moves", "solution"]
