"""Online RL warm-started from (synthetic) offline data: RLPD and SAC, written for compogen."""

from compogen.online.agent import Agent
from compogen.online.config import ALGOS, ONLINE_PRESETS, OnlineConfig, online_preset
from compogen.online.replay import ReplayBuffer, SymmetricSampler
from compogen.online.runs import load_offline, plot_curves, run_seeds, write_results
from compogen.online.trainer import read_curve, run_online

__all__ = [
    "ALGOS",
    "Agent",
    "ONLINE_PRESETS",
    "OnlineConfig",
    "ReplayBuffer",
    "SymmetricSampler",
    "load_offline",
    "online_preset",
    "plot_curves",
    "read_curve",
    "run_online",
    "run_seeds",
    "write_results",
]
