from __future__ import annotations

from catalogue.demo import LOADERS, demo_loader
from catalogue.demo.accounts import seed_accounts
from catalogue.demo.lists import seed_lists


def test_the_demo_modules_register_their_loaders_in_step_order() -> None:
    names = [f"{loader.__module__}.{loader.__name__}" for loader in LOADERS]
    assert names == [
        "catalogue.demo.identities._identities",
        "catalogue.demo.resources._catalogue",
        "catalogue.demo.accounts.seed_accounts",
        "catalogue.demo.lists.seed_lists",
    ]
    assert LOADERS[-2] is seed_accounts
    assert LOADERS[-1] is seed_lists


def test_a_registered_loader_takes_its_step() -> None:
    before = list(LOADERS)

    async def first(*_: object) -> None: ...

    try:
        assert demo_loader(step=0)(first) is first
        assert [first, *before] == LOADERS
    finally:
        LOADERS.remove(first)
