#!/usr/bin/env python3
"""A scenario that must fail under `vgw test --record`
(test_test_record.py): scenario_options.py's OPTIONS, then a check that
fails on purpose, so that its recording is kept."""
import sys

from scenario_options import main

if __name__ == '__main__':
    sys.exit(main(fail_on_purpose=True))
