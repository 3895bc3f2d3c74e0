"""TEST DOUBLE helper: parse and dump YAML the way the TrueNAS middleware does.

Behaviour re-implemented (not copied) after truenas/middleware tag TS-25.10.6
src/middlewared/middlewared/plugins/apps/ix_apps/utils.py:
  - safe_yaml_load: yaml.load with the C safe loader;
  - dump_yaml: yaml.dump with default options (keys sorted) and a SafeDumper whose str
    representer uses double quotes, or a literal block for strings with a newline.
Reads one JSON request on stdin: {"op": "load", "text": "..."} or {"op": "dump", "data": ...};
writes one JSON answer on stdout: {"data": ...} / {"text": "..."} / {"error": "..."}.
"""
import json
import sys

import yaml


class DoubleQuotingDumper(yaml.SafeDumper):
    pass


def represent_str(dumper, value):
    style = '|' if '\n' in value else '"'
    return dumper.represent_scalar('tag:yaml.org,2002:str', value, style=style)


DoubleQuotingDumper.add_representer(str, represent_str)


def main():
    req = json.load(sys.stdin)
    if req['op'] == 'load':
        try:
            data = yaml.load(req['text'], Loader=yaml.CSafeLoader)
        except yaml.YAMLError as e:
            json.dump({'error': 'Invalid YAML provided', 'detail': str(e)}, sys.stdout)
            return
        json.dump({'data': data}, sys.stdout, default=str)
    elif req['op'] == 'dump':
        json.dump({'text': yaml.dump(req['data'], Dumper=DoubleQuotingDumper)}, sys.stdout)
    else:
        json.dump({'error': 'unknown op'}, sys.stdout)


main()
