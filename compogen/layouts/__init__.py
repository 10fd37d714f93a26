"""Where each factor sits in an observation and in a flat ``[s, a, r, s', d]`` transition.

Depends only on :mod:`compogen.tasks`; suites declare an :class:`ObservationLayout`,
data, generators and validation read transitions through a :class:`TransitionLayout`.
"""

from compogen.layouts.observation import COMPOSUITE_OBSERVATION_LAYOUT, Factor, ObservationLayout
from compogen.layouts.transition import Token, TransitionLayout

__all__ = ["COMPOSUITE_OBSERVATION_LAYOUT", "Factor", "ObservationLayout", "Token", "TransitionLayout"]
