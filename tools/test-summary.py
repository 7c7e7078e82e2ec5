#!/usr/bin/python3
"""Print the one summary line of a migkit test run: `N passed, N failed, N skipped`.

Reads meson's testlog.json of each build given (default: build/meson-logs/testlog.json), and
counts them all in the one line.  A test that speaks TAP (QEMU's migration-test, our shell
suites) counts each of its test points; a CppUTest binary counts each of its tests; any other
test counts once.  Each failure is printed first, with its build: `FAILED [build-asan] NAME`.
A testlog that cannot be read counts as one failure.  Exits 1 when anything failed.

    tools/test-summary.py [BUILD/meson-logs/testlog.json]...
"""
import json
import os
import re
import sys

TAP_POINT = re.compile(r'^(not ok|ok)\b.*?(#\s*(SKIP|TODO)\b)?', re.IGNORECASE)
CPPUTEST_OK = re.compile(r'^OK \((\d+) tests, (\d+) ran, \d+ checks, (\d+) ignored')
CPPUTEST_ERR = re.compile(r'^Errors \((\d+) failures, (\d+) tests, (\d+) ran, \d+ checks, (\d+) ignored')


def count(entry):
    """Return (passed, failed, skipped, failed_names) for one testlog entry."""
    out = entry.get('stdout') or ''
    result = entry.get('result', 'FAIL')
    name = entry.get('name', '?')
    ok = result in ('OK', 'EXPECTEDFAIL')
    passed = failed = skipped = 0
    names = []
    tap = False
    for line in out.splitlines():
        # CppUTest's "OK (N tests, ..." first: TAP_POINT would take it for one "ok".
        c = CPPUTEST_OK.match(line) or CPPUTEST_ERR.match(line)
        if c and c.re is CPPUTEST_OK:
            ran, ignored = int(c.group(2)), int(c.group(3))
            return ran, 0 if ok else 1, ignored, [] if ok else [name]
        if c:
            failures, ran, ignored = int(c.group(1)), int(c.group(3)), int(c.group(4))
            return ran - failures, max(failures, 1), ignored, [name]
        m = TAP_POINT.match(line)
        if not m:
            continue
        tap = True
        if m.group(3):
            skipped += 1
        elif m.group(1).lower() == 'ok':
            passed += 1
        else:
            failed += 1
            names.append(f'{name}: {line.strip()}')
    if tap:
        if not ok and failed == 0:  # died between test points
            failed, names = 1, [f'{name}: {result}']
        return passed, failed, skipped, names
    if result == 'SKIP':
        return 0, 0, 1, []
    return (1, 0, 0, []) if ok else (0, 1, 0, [f'{name}: {result}'])


def build_of(path):
    """Return the build folder's name for @path (BUILD/meson-logs/testlog.json)."""
    parts = os.path.normpath(path).split(os.sep)
    return parts[-3] if len(parts) >= 3 and parts[-2] == 'meson-logs' else path


def main():
    paths = sys.argv[1:] or ['build/meson-logs/testlog.json']
    totals = [0, 0, 0]
    failures = []
    for path in paths:
        build = build_of(path)
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                entries = [json.loads(line) for line in f if line.strip()]
        except OSError as e:
            print(f'test-summary: cannot read {path}: {e.strerror}', file=sys.stderr)
            failures.append(f'[{build}] testlog: not written')
            totals[1] += 1
            continue
        for entry in entries:
            p, fl, s, names = count(entry)
            totals[0] += p
            totals[1] += fl
            totals[2] += s
            failures += [f'[{build}] {n}' for n in names]
    for n in failures:
        print(f'FAILED {n}')
    print(f'{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped')
    return 1 if totals[1] else 0


if __name__ == '__main__':
    sys.exit(main())
