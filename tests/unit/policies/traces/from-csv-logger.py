#!/usr/bin/env python3
# Converts what the csv-logger sample plugin wrote during a real migration into a trace for
# the policy tests (the columns of make-trace.py), keeping pre-copy samples only.
#
#   from-csv-logger.py LOGGED.csv 'how it was recorded' > recorded-NAME.csv
import csv
import sys

src, how = sys.argv[1], sys.argv[2]
cols = ['elapsed_ms', 'iteration', 'remaining_bytes', 'transferred_bytes', 'dirty_rate',
        'bandwidth', 'expected_downtime_ms', 'throttle_percent']
fields = ['elapsed_ms', 'iteration', 'ram_remaining_bytes', 'ram_transferred_bytes',
          'dirty_rate_bytes_per_second', 'bandwidth_bytes_per_second', 'expected_downtime_ms',
          'throttle_percent']
print('# recorded: ' + how)
print(','.join(cols))
with open(src, newline='') as f:
    for row in csv.DictReader(f):
        if row['phase'] != '1':  # MIGKIT_PHASE_PRECOPY
            continue
        print(','.join(row[name] for name in fields))
