"""Workspaces side by side: which rows each take holds, and a digest before its items."""

from __future__ import annotations

from bot.events import TenantRef
from bot.ports import ManualClock
from bot.schedule.content import Message
from bot.schedule.outbox import AHEAD, TAKE, TOP_UP
from bot.schedule.outbox.lanes import Lanes
from bot.schedule.outbox.lease import Due, Ready
from bot.store.deliveries import DeliveryKind
from tests.schedule.helpers import RecordingMessenger
from tests.schedule.outbox.seed import NOW

MESSENGERS = {"slack": RecordingMessenger(ManualClock(NOW))}


def rows(tenant: str, ids: range, kind: str = DeliveryKind.CHECKIN) -> list[Due]:
    return [Due(i, "slack", tenant, kind) for i in ids]


def ready(delivery_id: int, kind: str = DeliveryKind.CHECKIN) -> Ready:
    return Ready(delivery_id, kind, "U1", Message(("hi",)), {})


def test_rows_for_a_platform_not_running_here_wait_and_rows_read_twice_count_once() -> None:
    lanes = Lanes(MESSENGERS)
    assert lanes.queue([Due(1, "discord", "G1", "checkin"), *rows("T1", range(2, 4))]) == 1
    assert lanes.queue(rows("T1", range(2, 5))) == 0
    (lane,) = lanes
    assert [i for i, _ in lane.rows] == [2, 3, 4]


def test_every_workspace_gets_a_fair_share_of_a_take() -> None:
    lanes = Lanes(MESSENGERS)
    for n in range(10):
        lanes.queue(rows(f"T{n}", range(n * 1000, n * 1000 + 100)))

    chosen = lanes.choose()
    assert len(chosen.ids) == TAKE
    per_lane = {lane.tenant: 0 for lane in lanes}
    for lane in chosen.owner.values():
        per_lane[lane.tenant] += 1
    assert set(per_lane.values()) == {TAKE // 10}


def test_a_lane_with_enough_ahead_wants_no_more_until_topped_up() -> None:
    lanes = Lanes(MESSENGERS)
    lanes.queue(rows("T1", range(1, 200)))
    (lane,) = lanes
    taken = lanes.choose()
    assert len(taken.ids) == AHEAD
    taken.deal([ready(i) for i in taken.ids], [])
    assert lane.wants() == 0 and lanes.choose().ids == []
    for _ in range(TOP_UP):
        lane.ready.popleft()  # sent
    assert lane.wants() == TOP_UP


def test_a_take_waits_for_its_turn_unless_a_lane_runs_short_or_a_whole_take_is_wanted() -> None:
    lanes = Lanes(MESSENGERS)
    lanes.queue(rows("T1", range(1, 200)))
    (lane,) = lanes
    assert lane.short and lanes.pressing  # nothing ready yet: served at once
    taken = lanes.choose()
    taken.deal([ready(i) for i in taken.ids], [])
    for _ in range(TOP_UP):
        lane.ready.popleft()  # sent
    assert lane.wants() == TOP_UP and not lane.short and not lanes.pressing  # plenty ahead
    while len(lane.ready) >= TOP_UP:
        lane.ready.popleft()
    assert lane.short and lanes.pressing  # fewer than TOP_UP left to send: at once

    many = Lanes(MESSENGERS)
    for n in range(TAKE // TOP_UP):
        many.queue(rows(f"T{n}", range(n * 1000, n * 1000 + 100)))
    for lane in many:
        lane.flying = AHEAD - TOP_UP  # each wants a top-up, none runs short
    assert not any(lane.short for lane in many) and not many.pressing
    many.queue(rows("T-last", range(99_000, 99_100)))
    (last,) = [lane for lane in many if lane.tenant.external_id == "T-last"]
    last.flying = AHEAD - TOP_UP
    assert many.pressing  # together they want a whole take


def test_a_digest_is_taken_alone_first_and_holds_its_lane_until_it_is_out() -> None:
    lanes = Lanes(MESSENGERS)
    lanes.queue(rows("T1", range(1, 4), DeliveryKind.DIGEST_ITEM))
    lanes.queue([Due(9, "slack", "T1", DeliveryKind.DIGEST)])
    (lane,) = lanes

    taken = lanes.choose()
    assert taken.ids == [9] and lane.blocked
    assert taken.deal([ready(9, DeliveryKind.DIGEST)], []) == [lane]
    assert lanes.choose().ids == []  # nothing more while the digest is on its way
    lane.held.append(7)  # an item taken too early: it waits for the digest
    lane.digest_out()
    assert not lane.blocked
    assert lanes.choose().ids == [7, 1, 2, 3]


def test_a_digest_not_taken_after_all_frees_its_lane() -> None:
    lanes = Lanes(MESSENGERS)
    lanes.queue([Due(9, "slack", "T1", DeliveryKind.DIGEST), *rows("T1", range(1, 3))])
    (lane,) = lanes

    assert lanes.choose().deal([], []) == []  # another outbox sent it
    assert not lane.blocked and lanes.choose().ids == [1, 2]


def test_lanes_are_done_when_nothing_is_left_to_take_or_send() -> None:
    lanes = Lanes(MESSENGERS)
    lanes.queue(rows("T1", range(1, 3)))
    assert not lanes.done
    taken = lanes.choose()
    taken.deal([ready(i) for i in taken.ids], [])
    assert not lanes.done
    (lane,) = lanes
    lane.ready.clear()
    assert lanes.done and TenantRef("slack", "T1") == lane.tenant
