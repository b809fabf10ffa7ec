"""The GPU budget before → after, per class, from what plan/budget.py computed for each side.

Only trees compiled from specs carry a budget (`Tree.gpu_budget`); a folder diff has none and
shows no budget section."""

from __future__ import annotations

from .result import BudgetChange

Budget = dict[str, tuple[int | str, int | None]]  # GPU class → (demand, quota)


def budget_changes(old: Budget | None, new: Budget | None) -> tuple[BudgetChange, ...]:
    if old is None or new is None:
        return ()
    changes = []
    for gpu_class in sorted(set(old) | set(new)):
        before = old[gpu_class][0] if gpu_class in old else None
        after = new[gpu_class][0] if gpu_class in new else None
        if before != after:
            quota = (new.get(gpu_class) or old.get(gpu_class) or (None, None))[1]
            changes.append(BudgetChange(gpu_class, before, after, quota))
    return tuple(changes)
