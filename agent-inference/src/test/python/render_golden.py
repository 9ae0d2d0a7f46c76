#!/usr/bin/env python3
"""Renders every chat template in src/test/resources/chat-templates for every scenario in
scenarios.json with jinja2, set up exactly as Hugging Face transformers' apply_chat_template sets
it up (transformers/utils/chat_template_utils.py: _compile_jinja_template, render_jinja_template),
and writes expected.json, the golden strings JinjaGoldenTest compares our renderer with; also
features.json, single language features rendered the same way.

    python3 agent-inference/src/test/python/render_golden.py

Needs only jinja2 (Debian: python3-jinja2). strftime_now is pinned to scenarios.json's
"strftime_now" so the output does not depend on the day it is run.
"""
import json
import pathlib
from datetime import datetime

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
CORPUS = HERE.parent / "resources" / "chat-templates"


class AssistantTracker(Extension):
    # transformers' {% generation %} ... {% endgeneration %}: renders its body; the tracking of
    # assistant token spans is irrelevant to the rendered string.
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render", []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def compile_template(source, now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


# Single features of the language, each checked against jinja2 on its own (features.json).
FEATURE_VARIABLES = {"xs": [1, 2, 3], "s": "Hello World", "d": {"b": 1, "a": [True, None, 1.5]}, "n": None, "f": 0.1}
FEATURES = [
 ("whitespace control strips both sides", "a  {{- 'b' -}}  \n c"),
 ("lstrip and trim blocks", "x\n    {% if true %}\n    y\n    {% endif %}\nz"),
 ("a plus sign keeps the indentation", "x\n    {%+ if true %}y{% endif %}"),
 ("comments strip like blocks", "a\n  {# note #}\nb{#- c -#}  d"),
 ("one trailing newline is dropped", "a\n\n"),
 ("not binds looser than filters and comparisons", "{{ not xs|length == 1 }} {{ not n is defined }} {{ not missing is defined }}"),
 ("python printing", "{{ true }} {{ n }} {{ xs }} {{ d }} {{ f }} {{ 1/3 }} {{ 2**10 }} {{ 7//2 }} {{ -7 % 3 }} {{ 'it''s' }}"),
 ("floats print as python repr", "{{ [1.0, 0.0001, 0.00001, 12345678.9, 1e16, 1e15, 1.5e-7, 100.0, -0.0] }}"),
 ("tojson writes what json.dumps writes", "{{ {'a': [1.0, 0.0001, 12345678.9, 1e16, True, None, 'é\"\\n'], 'b': {}} | tojson }}|{{ d | tojson(indent=2) }}|{{ d | tojson(separators=(',', ':'), sort_keys=true) }}"),
 ("tests", "{{ s is string }} {{ s is iterable }} {{ xs is sequence }} {{ d is mapping }} {{ 1 is number }} {{ true is number }} {{ true is integer }} {{ 1.0 is float }} {{ n is none }} {{ strftime_now is defined }} {{ 3 is odd }} {{ 'a' in s|lower }}"),
 ("loops with filters, else, controls and loop attributes", "{% for x in xs if x > 1 %}{{ loop.index }}/{{ loop.length }}{{ loop.first }}{{ loop.last }}{{ loop.previtem }}|{% endfor %}{% for x in [] %}no{% else %}empty{% endfor %}{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 3 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
 ("assignments in a loop stay in it; namespaces carry out", "{% set v = 0 %}{% set ns = namespace(v=0) %}{% for x in xs %}{% set v = x %}{% set ns.v = ns.v + x %}{% endfor %}{{ v }} {{ ns.v }}"),
 ("macros, block set and filters", "{% macro m(a, b='B') %}[{{ a }}{{ b }}]{% endmacro %}{{ m(1) }}{{ m(1, b=2) }}{% set t %} x {% endset %}{{ t|trim|upper }}{% filter upper %}lo{% endfilter %}"),
 ("string methods and slices", "{{ s[::-1] }} {{ s[1:4] }} {{ s.split() }} {{ s.split('o', 1) }} {{ '  a '.strip() }}| {{ s.startswith(('x', 'He')) }} {{ s.replace('l', 'L', 2) }} {{ s.title() }} {{ 'ab cd'|title }} {{ s.find('o') }} {{ xs[-1] }} {{ xs[5] is defined }}"),
 ("dict access and methods", "{{ d.b }} {{ d['a'][0] }} {{ d.get('z', 'dflt') }} {{ d.get('z') }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d|items|list }} {{ d.keys()|list }} {{ d.missing is defined }}"),
 ("filters", "{{ xs|join(', ') }} {{ xs|first }} {{ xs|last }} {{ missing|default('dflt') }} {{ n|default('x') }} {{ ''|default('e', true) }} {{ '3'|int + 1 }} {{ 2.5|round }} {{ 3.14159|round(2) }} {{ -3|abs }} {{ [3,1,2]|sort }} {{ [1,1,2]|unique|list }} {{ [{'n': 'a', 'k': 1}, {'n': 'b'}]|selectattr('k', 'defined')|map(attribute='n')|list }} {{ 'a\nb\n\nc'|indent(2) }} {{ xs|sum }} {{ xs|max }}"),
 ("conditional expressions and concatenation", "{{ 'y' if xs else 'n' }}{{ 'y' if n }}|{{ 1 ~ 'a' ~ n ~ missing }} {{ xs + [4] }} {{ 'ab' * 2 }} {{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'b' not in 'abc' }}"),
 ("more string methods, formatting and tuples", "{{ ' a b  '.split(None, 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '%s-%d' % ('x', 3) }} {{ '{}+{name}'.format(1, name='n') }} {{ ('a',) }} {{ (1, 2) }} {{ ['a', 'b']|map('upper')|list }} {% for x in xs %}{{ loop.cycle('o', 'e') }}{% endfor %} {{ n is not none }} {{ s|wordcount }} {{ s.lower().count('l') }} {{ 'x'.center(5, '*') }}"),
 ("raw blocks", "a\n  {% raw %}{{ x }}\n  {% endraw %}\nb{%- raw -%}  {% if %}  {%- endraw %}c\n{% raw %}\n  x{% endraw +%}\ny"),
 ("each loop iteration has its own scope; macros see variables when called", "{% for i in xs %}{% if i == 1 %}{% set x = 'a' %}{% endif %}[{{ x }}]{% endfor %}{% set y = 1 %}{% macro m() %}{{ y }}{% endmacro %}{% set y = 2 %}{{ m() }} {{ 5|round }} {{ 5|round(1, 'floor') }} {{ (1, 2) == [1, 2] }} {{ 'x' ~ 1.0 }}"),
 ("macro varargs and kwargs", "{% macro f(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}{{ f(1) }} {{ f(1, 3, 4) }} {{ f(a=5) }}"),
 ("strftime_now and range", "{{ strftime_now('%d %b %Y %B %A %H:%M:%S %-d %y') }} {{ range(3)|list }} {{ range(1, 7, 2)|list }} {{ dict(a=1) }}"),
]


def main():
    corpus = json.loads((CORPUS / "scenarios.json").read_text(encoding="utf-8"))
    now = datetime.fromisoformat(corpus["strftime_now"])
    expected = {}
    for name, special_tokens in sorted(corpus["templates"].items()):
        source = (CORPUS / (name + ".jinja")).read_text(encoding="utf-8")
        template = compile_template(source, now)
        for scenario in corpus["scenarios"]:
            tools = corpus["tools"] if scenario.get("tools") else None
            for add_generation_prompt in (False, True):
                key = f"{name} | {scenario['name']} | add_generation_prompt={add_generation_prompt}"
                try:
                    out = template.render(messages=scenario["messages"], tools=tools, documents=None,
                                          add_generation_prompt=add_generation_prompt, **special_tokens)
                    expected[key] = {"output": out}
                except jinja2.exceptions.TemplateError as e:
                    kind = type(e).__name__
                    expected[key] = {"error": str(e), "type": kind}
                except Exception as e:  # a Python error inside the template, e.g. a TypeError
                    expected[key] = {"error": str(e), "type": type(e).__name__}
    with open(CORPUS / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(expected)} renderings, {sum('error' in v for v in expected.values())} errors")
    features = []
    for name, source in FEATURES:
        output = compile_template(source, now).render(**FEATURE_VARIABLES)
        features.append({"name": name, "template": source, "output": output})
    with open(CORPUS / "features.json", "w", encoding="utf-8") as f:
        json.dump({"variables": FEATURE_VARIABLES, "strftime_now": corpus["strftime_now"], "cases": features}, f,
                  ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
