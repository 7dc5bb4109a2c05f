import pytest
import time_machine

from perinatal.booking.tests.helpers import NOW, Setup


@pytest.fixture
def setup(db):
    return Setup()


@pytest.fixture
def frozen():
    """The clock stopped at ``NOW``; ``frozen.move_to(...)`` moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
