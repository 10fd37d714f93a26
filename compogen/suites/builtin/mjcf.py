"""MJCF text for one task of the built-in suite (small: a few boxes, one plane).

Collision groups: static geoms (table, obstacles, goal structures) have
``contype=1, conaffinity=0``; the object ``1/1``; the gripper (palm, fingers)
``2/1``. The arm's links are visual only (``0/0``): the arm moves beside the
work plane and only its hand enters it, so obstacles act on the gripper and the
object. Static obstacle and goal bodies are moved per episode through
``model.body_pos``.
"""

from __future__ import annotations

from compogen.suites.builtin.elements import (
    FINGER_HALF_LEN,
    FINGER_HALF_THICK,
    FINGER_MAX,
    PALM_THICK,
    ArmSpec,
    ObjectiveSpec,
    ObjectSpec,
    ObstacleSpec,
)

__all__ = ["build_mjcf", "TIMESTEP", "FRAME_SKIP"]

#: Physics step (s) and physics steps per control step (control at 50 Hz).
TIMESTEP = 0.005
FRAME_SKIP = 4


def _boxes(boxes, prefix: str, attrs: str, half_y: float) -> str:
    return "\n".join(
        f'<geom name="{prefix}{i}" type="box" pos="{x} 0 {z}" size="{hx} {half_y} {hz}" {attrs}/>' for i, (x, z, hx, hz) in enumerate(boxes)
    )


def _object_geoms(obj: ObjectSpec) -> str:
    """The object's boxes, its mass spread by box area (the boxes share the same depth)."""
    areas = [hx * hz for _, _, hx, hz in obj.boxes]
    return "\n".join(
        f'<geom name="obj{i}" type="box" pos="{x} 0 {z}" size="{hx} 0.03 {hz}" mass="{obj.mass * a / sum(areas):.5f}" '
        f'contype="1" conaffinity="1" friction="0.5 0.005 0.0001" rgba="{obj.rgba}"/>'
        for i, ((x, z, hx, hz), a) in enumerate(zip(obj.boxes, areas, strict=True))
    )


def _arm_links(arm: ArmSpec) -> tuple[str, str]:
    """The arm's nested link bodies (hinges about -y: a positive angle lifts the link towards +z), and their closing tags."""
    arm_xml = ""
    closing = ""
    for i, length in enumerate(arm.links):
        pos = f"{arm.base[0]} 0 {arm.base[1]}" if i == 0 else f"{arm.links[i - 1]} 0 0"
        arm_xml += (
            f'<body name="link{i}" pos="{pos}" gravcomp="1">\n'
            f'<joint name="j{i}" type="hinge" axis="0 -1 0" damping="{arm.damping}" armature="0.05" range="-3.1 3.1"/>\n'
            f'<geom type="capsule" fromto="0 0 0 {length} 0 0" size="0.018" mass="{arm.link_mass}" contype="0" '
            f'conaffinity="0" rgba="{arm.rgba}"/>\n'
        )
        closing += "</body>\n"
    return arm_xml, closing


def _hand(arm: ArmSpec) -> str:
    """The gripper at the end of the last link: palm, site ``ee``, two sliding fingers."""
    fx = PALM_THICK + FINGER_HALF_LEN
    finger = (
        f'size="{FINGER_HALF_LEN} 0.02 {FINGER_HALF_THICK}" mass="0.1" contype="2" conaffinity="1" friction="1.5 0.005 0.0001" rgba="0.2 0.2 0.2 1"'
    )
    return (
        f'<body name="hand" pos="{arm.links[-1]} 0 0" gravcomp="1">\n'
        f'<geom name="palm" type="box" pos="{PALM_THICK / 2} 0 0" size="{PALM_THICK / 2} 0.025 0.02" mass="0.1" '
        f'contype="2" conaffinity="1" rgba="0.3 0.3 0.3 1"/>\n'
        f'<site name="ee" pos="{fx} 0 0" size="0.005"/>\n'
        f'<body name="finger_l" pos="{fx} 0 0" gravcomp="1">\n'
        f'<joint name="fl" type="slide" axis="0 0 1" range="0 {FINGER_MAX}" damping="2" armature="0.05"/>\n'
        f'<geom name="finger_l" type="box" pos="0 0 {FINGER_HALF_THICK}" {finger}/>\n'
        f"</body>\n"
        f'<body name="finger_r" pos="{fx} 0 0" gravcomp="1">\n'
        f'<joint name="fr" type="slide" axis="0 0 -1" range="0 {FINGER_MAX}" damping="2" armature="0.05"/>\n'
        f'<geom name="finger_r" type="box" pos="0 0 {-FINGER_HALF_THICK}" {finger}/>\n'
        f"</body>\n"
        f"</body>\n"
    )


def build_mjcf(arm: ArmSpec, obj: ObjectSpec, obstacle: ObstacleSpec, objective: ObjectiveSpec) -> str:
    """The model of one task. Body names: ``object``, ``obstacle``, ``goal``; site ``ee``."""
    static = 'contype="1" conaffinity="0" friction="0.5 0.005 0.0001" rgba="0.55 0.5 0.45 1"'
    obj_geoms = _object_geoms(obj)
    arm_xml, closing = _arm_links(arm)
    hand = _hand(arm)
    actuators = "\n".join(f'<position name="a{i}" joint="j{i}" kp="{arm.kp}" kv="{arm.kv}"/>' for i in range(arm.num_joints))
    return f"""<mujoco model="compogen_builtin_{arm.name}_{obj.name}_{obstacle.name}_{objective.name}">
<compiler angle="radian" autolimits="true"/>
<option timestep="{TIMESTEP}" integrator="implicitfast" cone="pyramidal" jacobian="dense">
  <flag energy="disable" filterparent="enable"/>
</option>
<default>
<geom solref="0.01 1" solimp="0.95 0.99 0.001"/>
</default>
<worldbody>
<geom name="table" type="plane" size="2 0.3 0.1" {static}/>
<body name="obstacle" pos="0 0 0">
{_boxes(obstacle.boxes, "obst", static, 0.1)}
</body>
<body name="goal" pos="0 0 0">
{_boxes(objective.boxes, "goal", static, 0.1)}
<geom name="goal_marker" type="box" pos="0 0 {objective.surface + 0.001}" size="{objective.half_range} 0.05 0.001" contype="0" conaffinity="0" rgba="0.2 0.8 0.2 0.4"/>
</body>
<body name="object" pos="0 0 0">
<joint name="obj_x" type="slide" axis="1 0 0" damping="0.05"/>
<joint name="obj_z" type="slide" axis="0 0 1" damping="0.05"/>
{obj_geoms}
</body>
{arm_xml}{hand}{closing}</worldbody>
<actuator>
{actuators}
<position name="grip_l" joint="fl" kp="300" kv="6" forcerange="-12 12"/>
<position name="grip_r" joint="fr" kp="300" kv="6" forcerange="-12 12"/>
</actuator>
<sensor>
<contact name="touch_l" geom1="finger_l" body2="object" num="1" data="found"/>
<contact name="touch_r" geom1="finger_r" body2="object" num="1" data="found"/>
</sensor>
</mujoco>
"""
