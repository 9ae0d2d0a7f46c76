#!/usr/bin/env python3
"""Renders every chat template in src/test/resources/chat-templates for every scenario in
scenarios.json with jinja2, set up exactly as Hugging Face transformers' apply_chat_template sets
it up (transformers/utils/chat_template_utils.py: _compile_jinja_template, render_jinja_template),
and writes expected.json, the golden strings ChatTemplateGoldenTest compares our renderer with.

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


if __name__ == "__main__":
    main()
