import numpy as np
import pytest

from compogen.errors import UnknownTaskError
from compogen.suites import COMPOSUITE_OBSERVATION_LAYOUT
from compogen.tasks import AXES, COMPOSUITE_SPACE, Task

S = COMPOSUITE_SPACE


def test_axes_and_elements_spelled_as_composuite():
    assert AXES == ("robot", "object", "obstacle", "objective")
    assert S.axis_elements("robot") == ("IIWA", "Jaco", "Panda", "Kinova3")
    assert S.axis_elements("object") == ("Box", "Dumbbell", "Plate", "Hollowbox")
    assert S.axis_elements("obstacle") == ("None", "ObjectWall", "ObjectDoor", "GoalWall")
    assert S.axis_elements("objective") == ("PickPlace", "Push", "Shelf", "Trashcan")
    assert len(S) == 256 and len(set(S)) == 256


def test_indicator_example_from_issue():
    ind = S.indicator(Task("Kinova3", "Plate", "None", "Push"))
    assert ind.dtype == np.float32
    assert ind.astype(int).tolist() == [0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0]


def test_id_round_trip_all_256_tasks():
    ids = set()
    for task in S:
        tid = S.task_id(task)
        assert S.parse(tid) == task
        assert S.parse(tid.upper()) == task
        assert S.from_indicator(S.indicator(task)) == task
        assert S.parse(S.folder_name(task)) == task
        ids.add(tid)
    assert len(ids) == 256


def test_indicators_are_distinct_one_hot_blocks():
    inds = S.indicators(list(S))
    assert inds.shape == (256, 16)
    assert (inds.reshape(256, 4, 4).sum(-1) == 1).all()
    assert len({tuple(r) for r in inds}) == 256


def test_unknown_element_lists_valid_ones():
    with pytest.raises(UnknownTaskError, match="Box, Dumbbell, Plate, Hollowbox"):
        S.parse("iiwa-mug-none-push")
    with pytest.raises(UnknownTaskError, match="robot"):
        S.parse("ur5-box-none-push")
    with pytest.raises(UnknownTaskError, match="expected"):
        S.parse("iiwa-box-push")


def test_composuite_obs_task_id_order_differs_from_paper_order():
    # CompoSuite stores (object, robot, obstacle, subtask) at obs[45:61].
    task = Task("Kinova3", "Plate", "None", "Push")
    lay = COMPOSUITE_OBSERVATION_LAYOUT
    block = lay.obs_task_block(S.indicator(task), S)
    assert block.astype(int).tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0]
    obs = np.zeros(93, np.float32)
    obs[45:61] = block
    assert np.array_equal(lay.indicator_from_obs(obs, S), S.indicator(task))
    # batched
    obs_b = np.stack([obs, obs])
    assert lay.indicator_from_obs(obs_b, S).shape == (2, 16)
