"""Write the README's generated tables (settings, commands) anew, or check them.

Usage: .venv/bin/python tools/readme.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.cli import cli
from server.readme import readme_path, render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is not up to date")
    args = parser.parse_args()
    path = readme_path()
    text = path.read_text(encoding="utf-8")
    fresh = render(text, cli)
    if args.check:
        if fresh != text:
            print("README.md is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
