"""The wait estimate's error on generated days (sangdam/routing/waitsim.py).

    .venv/bin/python bench/wait_estimate.py --days 20

Prints, over ``--days`` seeded days of chats (9 hours, 2-4 agents, 20-55 arrivals an
hour, exponential handle times of 4 minutes): the mean wait, the mean absolute error of
the estimate Sangdam shows, of the simpler queue × handle ÷ agents, of always saying the
mean, and the floor no estimate can beat (each answer's own handling time is random).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from sangdam.routing.waitsim import naive, simulate_day

    ours = [simulate_day(seed=s) for s in range(1, args.days + 1)]
    simple = [simulate_day(seed=s, estimator=naive) for s in range(1, args.days + 1)]
    n = len(ours)
    print(f"{sum(d.inquiries for d in ours)} chats over {n} generated days")
    print(f"mean wait to first answer      {sum(d.mean_wait for d in ours) / n:6.2f} min")
    print(f"MAE, Sangdam's estimate        {sum(d.mae for d in ours) / n:6.2f} min")
    print(f"MAE, queue x handle / agents   {sum(d.mae for d in simple) / n:6.2f} min")
    print(f"MAE, always the mean           {sum(d.mae_constant for d in ours) / n:6.2f} min")
    print(f"MAE floor (queue known)        {sum(d.mae_floor for d in ours) / n:6.2f} min")


if __name__ == "__main__":
    main()
