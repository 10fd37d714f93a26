"""compogen's published datasets pass a check written from Minari's and Gymnasium's documentation alone.

The datasets come from the real commands at a tiny budget: a generator trained for a few steps on
expert rollouts writes synthetic episodes (``compogen generate --episodes``) and independent
transitions (``compogen generate --n``), and real expert rollouts stand beside them; each file is
published with ``compogen publish --data``. What the documentation says, and what is checked:

- Minari, ``EpisodeData``: "observations ... The initial and final observations are included meaning
  that the number of observations will be increased by one compared to the number of steps";
  actions, rewards, terminations and truncations hold one value per step.
- Gymnasium, ``Env.step``: ``terminated`` (a terminal state of the MDP) or ``truncated`` (a condition
  outside it, such as a time limit) ends the episode, after which ``reset()`` must be called. In a
  dataset an episode therefore ends at its first True flag: flags on the last step only, and the
  last step has one.
- Minari, ``create_dataset_from_buffers``: the dataset's ``observation_space`` and ``action_space``
  are those of its observations and actions, so they contain every one (``Space.contains``).
- Minari: ``MinariDataset.sample_episodes``, ``minari.split_dataset`` and
  ``MinariDataset.recover_environment(eval_env=...)`` work; the metadata fields ``minari show``
  prints (algorithm, author, email, code permalink, Minari version) and the reference scores with
  ``num_episodes_average_score`` for ``minari.get_normalized_score``.
- A naive consumer reads ``s = observations[:-1]``, ``s' = observations[1:]`` in each episode.

d3rlpy's ``get_minari`` is checked for what it actually returns (d3rlpy 2.8.1): it does not return
every transition, so the README's "Use the data" section says in one line to use
``compogen.rl.to_d3rlpy``, and the tests show that ``to_d3rlpy`` returns every transition exactly and
takes what ``get_minari`` takes (flat Box and goal-conditioned Dict observations).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from compogen.data import read_synthetic
from compogen.rl import to_d3rlpy
from compogen.suites import get_suite

SUITE = get_suite("builtin")
TRAIN = ["fivelink-plate-none-shelf", "threelink-box-none-push"]
EXPERT_TASK = "fivelink-plate-none-shelf"  # a task with reference scores
UNSEEN = "fivelink-box-none-shelf"
KINDS = ("generated-episodes", "expert-episodes", "generated-transitions")
EPISODIC = KINDS[:2]
README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """``{kind: (dataset id, the published file's Transitions)}``, in a private Minari root."""
    from compogen.cli import main
    from compogen.data import Transitions, read_synthetic_attrs, write_synthetic
    from compogen.generator import TrainConfig, train_generator
    from compogen.rl import expert_transitions

    tmp = tmp_path_factory.mktemp("conformance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MINARI_DATASETS_PATH", str(tmp / "minari"))
        real = {t: expert_transitions(SUITE, t, 300, seed=0) for t in TRAIN}
        pool = Transitions.concatenate(list(real.values()))
        run = train_generator(
            pool, SUITE.transition_layout(), tmp / "gen", TrainConfig(arch="mlp", preset="tiny", steps=4), suite="builtin", progress=False
        )
        files = {kind: tmp / f"{kind}.h5" for kind in KINDS}
        for kind, how in (("generated-episodes", ["--episodes", "3"]), ("generated-transitions", ["--n", "60"])):
            args = ["generate", "--model", str(run), "--task", UNSEEN, *how, "--sampler", "fast", "--steps", "2", "--out", str(files[kind])]
            assert main([*args, "--quiet"]) in (0, None)
        write_synthetic(files["expert-episodes"], real[EXPERT_TASK], {"task": EXPERT_TASK, "layout": "episodes"})
        assert read_synthetic_attrs(files["generated-episodes"])["layout"] == "episodes"
        out = {}
        for kind in KINDS:
            dataset_id = f"conformance/{kind}-v0"
            assert main(["publish", "--data", str(files[kind]), "--id", dataset_id]) == 0
            out[kind] = (dataset_id, read_synthetic(files[kind]))
        yield out


def _load(published, kind):
    import minari

    dataset_id, data = published[kind]
    return minari.load_dataset(dataset_id), data


@pytest.mark.parametrize("kind", KINDS)
def test_episodes_hold_t_plus_one_observations_and_flags_on_their_last_step_only(published, kind):
    ds, data = _load(published, kind)
    episodes = list(ds.iterate_episodes())
    assert len(episodes) == ds.total_episodes and sum(len(ep.actions) for ep in episodes) == ds.total_steps == len(data)
    for ep in episodes:
        t = len(ep.actions)
        assert t >= 1 and len(ep.observations) == t + 1
        assert len(ep.rewards) == len(ep.terminations) == len(ep.truncations) == t
        assert not ep.terminations[:-1].any() and not ep.truncations[:-1].any(), f"episode {ep.id}: a flag before its last step"
        assert ep.terminations[-1] or ep.truncations[-1], f"episode {ep.id} ends without a flag"
    if kind == "generated-transitions":
        assert all(len(ep.actions) == 1 for ep in episodes)
    else:
        assert len(episodes) >= 2 and max(len(ep.actions) for ep in episodes) > 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_spaces_contain_every_observation_and_action(published, kind):
    ds, _ = _load(published, kind)
    for ep in ds.iterate_episodes():
        bad_obs = [i for i, o in enumerate(ep.observations) if not ds.observation_space.contains(o)]
        bad_act = [i for i, a in enumerate(ep.actions) if not ds.action_space.contains(a)]
        assert not bad_obs and not bad_act, f"episode {ep.id}: observations {bad_obs[:5]}, actions {bad_act[:5]} outside the spaces"


@pytest.mark.parametrize("kind", KINDS)
def test_a_naive_consumer_reads_exactly_the_published_transitions(published, kind):
    ds, data = _load(published, kind)
    cols = {k: [] for k in ("observations", "next_observations", "actions", "rewards", "terminals")}
    for ep in ds.iterate_episodes():
        cols["observations"].append(ep.observations[:-1])
        cols["next_observations"].append(ep.observations[1:])
        cols["actions"].append(ep.actions)
        cols["rewards"].append(ep.rewards)
        cols["terminals"].append(ep.terminations)
    for key, parts in cols.items():
        np.testing.assert_array_equal(np.concatenate(parts), getattr(data, key), err_msg=key)


@pytest.mark.parametrize("kind", KINDS)
def test_sample_episodes_and_split_dataset_work(published, kind):
    import minari

    ds, _ = _load(published, kind)
    ds.set_seed(0)
    sampled = ds.sample_episodes(2)
    assert len(sampled) == 2 and len({ep.id for ep in sampled}) == 2
    assert all(len(ep.observations) == len(ep.actions) + 1 for ep in sampled)
    n = ds.total_episodes
    first, second = minari.split_dataset(ds, [n // 2, n - n // 2], seed=0)
    assert first.total_episodes + second.total_episodes == n
    assert not set(first.episode_indices) & set(second.episode_indices)
    steps = [sum(len(ep.actions) for ep in part.iterate_episodes()) for part in (first, second)]
    assert sum(steps) == ds.total_steps


@pytest.mark.parametrize("kind", KINDS)
def test_recover_environment_gives_the_tasks_simulator(published, kind):
    ds, _ = _load(published, kind)
    action = next(ds.iterate_episodes()).actions[0]
    for eval_env in (False, True):
        env = ds.recover_environment(eval_env=eval_env)
        assert env.observation_space == ds.observation_space and env.action_space == ds.action_space
        obs, _ = env.reset(seed=0)
        obs2, reward, terminated, truncated, info = env.step(action)
        assert ds.observation_space.contains(obs) and ds.observation_space.contains(obs2) and "success" in info
        env.close()


@pytest.mark.parametrize("kind", KINDS)
def test_minaris_metadata_fields_are_filled(published, kind):
    import minari

    ds, _ = _load(published, kind)
    meta = ds.storage.metadata
    assert meta["algorithm_name"] == "compogen-mlp" or kind == "expert-episodes"
    assert isinstance(meta["code_permalink"], str) and meta["code_permalink"]
    for key in ("author", "author_email"):
        assert meta[key] and all(isinstance(v, str) and v for v in meta[key]), key
    assert meta["minari_version"] == minari.__version__ and meta["minari_version"] in minari.supported_dataset_versions
    assert meta["compogen"]["layout"] == ("transitions" if kind == "generated-transitions" else "episodes")
    assert f"layout '{meta['compogen']['layout']}'" in meta["description"]
    if kind == "expert-episodes":  # a task with measured reference returns: Minari's normalised score works
        assert meta["num_episodes_average_score"] == 50
        low, high = meta["ref_min_score"], meta["ref_max_score"]
        np.testing.assert_allclose(minari.get_normalized_score(ds, np.array([low, high])), [0.0, 1.0])


@pytest.mark.parametrize("kind", EPISODIC)
def test_d3rlpy_get_minari_misaligns_every_episode_after_the_first(published, kind):
    """What d3rlpy 2.8.1's ``get_minari`` returns: it joins the (T + 1)-long observations of all
    episodes end to end against the T-long actions, so episode k starts k observations late, and
    it drops the last step of every truncated episode (d3rlpy keeps no final observation). Only the
    first episode comes out right; the README tells users to take ``to_d3rlpy`` instead."""
    import d3rlpy

    ds, data = _load(published, kind)
    episodes = list(ds.iterate_episodes())
    theirs, _ = d3rlpy.datasets.get_minari(ds.id)
    truncated = sum(bool(ep.truncations[-1]) for ep in episodes)
    assert len(theirs.episodes) == len(episodes) and theirs.transition_count == len(data) - truncated
    joined = np.concatenate([ep.observations for ep in episodes])
    start = 0
    for k, (got, ep) in enumerate(zip(theirs.episodes, episodes, strict=True)):
        np.testing.assert_array_equal(got.actions, ep.actions)
        np.testing.assert_array_equal(got.observations, joined[start : start + len(ep.actions)])  # a slice of the joined arrays
        assert np.array_equal(got.observations, ep.observations[:-1]) == (k == 0)  # right for the first episode only
        start += len(ep.actions)


@pytest.mark.parametrize("kind", KINDS)
def test_to_d3rlpy_returns_every_transition_exactly(published, kind):
    dataset_id, data = published[kind]
    buf = to_d3rlpy(dataset_id)
    assert buf.transition_count == len(data)
    for i in range(len(data)):
        t = buf.transition_picker(buf.episodes[0], i)
        np.testing.assert_array_equal(t.observation, data.observations[i])
        np.testing.assert_array_equal(t.action, data.actions[i])
        np.testing.assert_array_equal(t.next_observation, data.next_observations[i])
        assert t.reward[0] == data.rewards[i] and t.terminal == float(data.terminals[i])


def test_to_d3rlpy_takes_the_goal_conditioned_datasets_get_minari_takes(tmp_path, monkeypatch):
    """``get_minari`` takes flat Box observations (compogen's, above) and goal-conditioned Dict ones
    (``observation`` + ``desired_goal``, joined); ``to_d3rlpy`` takes both, without an env."""
    import d3rlpy
    import gymnasium as gym
    import minari
    from minari.data_collector import EpisodeBuffer

    from .goal_env import GOAL_ENV_ID

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    env = gym.make(GOAL_ENV_ID)
    buffers, rows = [], []
    for seed in range(3):
        obs, _ = env.reset(seed=seed)
        steps = [obs]
        acts, rews, terms, truncs = [], [], [], []
        while True:
            a = env.action_space.sample()
            obs, r, term, trunc, _ = env.step(a)
            steps.append(obs)
            acts.append(a), rews.append(r), terms.append(term), truncs.append(trunc)
            if term or trunc:
                break
        flat = np.stack([np.concatenate([s["observation"], s["desired_goal"]]) for s in steps])
        rows.append((flat, np.stack(acts), np.array(terms)))
        observations = {k: np.stack([s[k] for s in steps]) for k in steps[0]}
        buffers.append(
            EpisodeBuffer(
                observations=observations, actions=np.stack(acts), rewards=np.array(rews), terminations=np.array(terms), truncations=np.array(truncs)
            )
        )
    meta = dict(author="t", author_email="t", code_permalink="t", algorithm_name="random", description="goal-conditioned test data")
    minari.create_dataset_from_buffers("compogentest/goal-v0", buffers, env=GOAL_ENV_ID, eval_env=GOAL_ENV_ID, **meta)
    theirs, _ = d3rlpy.datasets.get_minari("compogentest/goal-v0")
    np.testing.assert_array_equal(theirs.episodes[0].observations, rows[0][0][:-1])  # the same joined observations
    ours = to_d3rlpy("compogentest/goal-v0")
    assert ours.transition_count == sum(len(a) for _, a, _ in rows)
    i = 0
    for flat, acts, terms in rows:
        for t in range(len(acts)):
            got = ours.transition_picker(ours.episodes[0], i)
            np.testing.assert_array_equal(got.observation, flat[t])
            np.testing.assert_array_equal(got.next_observation, flat[t + 1])
            np.testing.assert_array_equal(got.action, acts[t])
            assert got.terminal == float(terms[t])
            i += 1


def test_the_readme_says_why_to_use_to_d3rlpy():
    section = README.read_text().split("## Use the data", 1)[1].split("\n## ", 1)[0]
    line = next((ln for ln in section.splitlines() if "get_minari" in ln), "")
    assert "to_d3rlpy" in line, "the README's 'Use the data' section must say in one line why to use to_d3rlpy, not get_minari"
