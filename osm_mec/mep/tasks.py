"""asyncio helpers for the MEP's background loops."""

from __future__ import annotations

import asyncio


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait for event or timeout (asyncio.wait: never swallows a cancellation)."""
    waiter = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()


async def stop_tasks(tasks: list[asyncio.Task], timeout: float = 5.0) -> None:
    """Cancel tasks and wait for them, bounded."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)
