#!/usr/bin/env python3
"""Turns a lava-run log into JUnit XML; fails on any failed test case.

    lava/results-junit.py LOG [--out FILE]

LOG is what lava-run wrote (its log, on stderr): one YAML flow mapping a
line.  The `lvl: results` lines are the test cases, both LAVA's own (the
definition "lava": each action, and "job") and the scenarios' (the
definition is the test action's name, e.g. "0_maintenance").  Each
definition becomes a <testsuite>, each case a <testcase>: "fail" (and
"unknown") a <failure>, "skip" a <skipped>.  The XML goes to FILE, or to
stdout.

Exit status: 0 when there is at least one case and none failed; 1 when a
case failed or the log holds no results at all (a job that never ran
proves nothing); 2 when LOG cannot be read.  A failed case is named on
stderr, one line each.  lava-run itself exits 0 even when cases fail, so
this is the verdict a regression gate uses.
"""
import argparse
import sys
import xml.etree.ElementTree as ET

import yaml

FAILED = ('fail', 'unknown')


def results(lines):
    """The `msg` of every results line of a lava-run log, in order."""
    for line in lines:
        line = line.strip()
        if line.startswith('- '):  # the on-disk output.yaml list form
            line = line[2:]
        if '"lvl": "results"' not in line:
            continue
        try:
            entry = yaml.safe_load(line)
        except yaml.YAMLError:
            continue
        if isinstance(entry, dict) and entry.get('lvl') == 'results' \
                and isinstance(entry.get('msg'), dict):
            yield entry['msg']


def junit(cases):
    """The <testsuites> element for the result dicts CASES."""
    root = ET.Element('testsuites')
    suites = {}
    for case in cases:
        definition = str(case.get('definition', 'lava'))
        suite = suites.get(definition)
        if suite is None:
            suite = suites[definition] = ET.SubElement(root, 'testsuite', name=definition)
        name = str(case.get('case', ''))
        label = (case.get('extra') or {}).get('label') if isinstance(case.get('extra'), dict) else None
        if label:  # LAVA's per-image actions share one case name
            name += ' (%s)' % label
        tc = ET.SubElement(suite, 'testcase', classname=definition, name=name)
        if case.get('duration') is not None:
            tc.set('time', str(case['duration']))
        result = str(case.get('result', 'unknown'))
        if result in FAILED:
            failure = ET.SubElement(tc, 'failure', message='LAVA result: %s' % result)
            failure.text = yaml.safe_dump(case, default_flow_style=False)
        elif result == 'skip':
            ET.SubElement(tc, 'skipped')
    for suite in suites.values():
        cases_here = suite.findall('testcase')
        suite.set('tests', str(len(cases_here)))
        suite.set('failures', str(sum(1 for c in cases_here if c.find('failure') is not None)))
        suite.set('skipped', str(sum(1 for c in cases_here if c.find('skipped') is not None)))
    return root


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('log', help='the lava-run log')
    ap.add_argument('--out', help='JUnit XML file (default: stdout)')
    a = ap.parse_args()
    try:
        with open(a.log, errors='replace') as f:
            cases = list(results(f))
    except OSError as e:
        print('results-junit: cannot read %s: %s' % (a.log, e.strerror), file=sys.stderr)
        return 2

    tree = ET.ElementTree(junit(cases))
    ET.indent(tree)
    if a.out:
        tree.write(a.out, encoding='utf-8', xml_declaration=True)
    else:
        tree.write(sys.stdout, encoding='unicode', xml_declaration=True)
        sys.stdout.write('\n')

    failed = [c for c in cases if str(c.get('result', 'unknown')) in FAILED]
    for c in failed:
        print('results-junit: FAILED %s/%s: %s' % (c.get('definition'), c.get('case'),
                                                  c.get('result', 'unknown')), file=sys.stderr)
    if not cases:
        print('results-junit: no test results in %s' % a.log, file=sys.stderr)
    return 1 if failed or not cases else 0


if __name__ == '__main__':
    sys.exit(main())
