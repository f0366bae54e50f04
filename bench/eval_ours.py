"""Score the extractors on eval/ours only: `python bench/eval_ours.py [--verbose]`.

Same as `python bench/eval_dev.py --set ours` (see that module).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_dev import main

if __name__ == "__main__":
    sys.exit(main(default_set="ours"))
