#!/usr/bin/env python3
"""Makes the tiny Qwen2-style test model under src/test/resources/models/tiny-qwen2/.

A random-weight Qwen2ForCausalLM (2 layers, hidden 64, 4 heads, 2 KV heads, SwiGLU, RMSNorm, rotary
embeddings, tied embeddings) with a byte-level BPE tokenizer trained here on a small built-in corpus and the
real Qwen2.5-Instruct chat template, exported to ONNX in the layouts Java runtimes meet in the wild:

  optimum-fp32/, optimum-fp16/        Optimum's current layout: one model.onnx "with past" decoder
  merged-fp32/, merged-fp16/          the legacy merged layout: decoder_model_merged.onnx (If on use_cache_branch)
  legacy-pair-fp32/, legacy-pair-fp16/  the legacy pair decoder_model.onnx + decoder_with_past_model.onnx
  onnx-community/                     transformers.js layout: onnx/model.onnx and onnx/model_fp16.onnx

and reference.json: the rendered prompts, their ids and the ids torch's model.generate produces (greedy, with
repetition penalty, and with the generation_config as saved) in fp32 and fp16. Every layout is replayed with
onnxruntime the way Optimum's ORTModelForCausalLM runs it (whole prompt once, then one token per run) and must
reproduce the torch ids; the script fails otherwise.

Optimum is not used (not installable here): the export wrapper below reproduces Optimum's IO names
(input_ids, attention_mask, position_ids, past_key_values.{i}.key/value -> logits, present.{i}.key/value) and
its dynamic axes, and the If-merge mirrors optimum.onnx.merge_decoders.

Regenerate (deterministic; needs torch, transformers, tokenizers, onnx, onnxruntime, jinja2):
  python3 agent-inference/src/test/python/make_tiny_qwen2.py
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import QuantType, quantize_dynamic
import torch
from onnx import TensorProto, helper, numpy_helper
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

import transformers
from transformers import AutoTokenizer, GenerationConfig, Qwen2Config, Qwen2ForCausalLM

SEED = int(os.environ.get("TINY_QWEN2_SEED", "7"))
OUT = Path(__file__).resolve().parents[1] / "resources" / "models" / "tiny-qwen2"
MAX_NEW_TOKENS = 32
EMBED_STD = float(os.environ.get("TINY_QWEN2_EMBED_STD", "0.3"))
WEIGHT_STD = float(os.environ.get("TINY_QWEN2_WEIGHT_STD", "0.3"))
REPETITION_PENALTY = 1.05
OPSET = 17
# The decoder's shape; make_bench_qwen2.py replaces it to make larger models of the same kind for benchmarks.
SIZES = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2)

# The Qwen2.5-Instruct chat template (tools support), exactly as in Qwen/Qwen2.5-7B-Instruct's
# tokenizer_config.json (llama.cpp keeps a copy at models/templates/Qwen-Qwen2.5-7B-Instruct.jinja).
QWEN25_TEMPLATE = (
    "{%- if tools %}\n"
    "    {{- '<|im_start|>system\\n' }}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- messages[0]['content'] }}\n"
    "    {%- else %}\n"
    "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n"
    "    {%- endif %}\n"
    "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\n"
    "You are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
    "    {%- for tool in tools %}\n"
    "        {{- \"\\n\" }}\n"
    "        {{- tool | tojson }}\n"
    "    {%- endfor %}\n"
    "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments "
    "within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": "
    "<args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
    "{%- else %}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
    "    {%- else %}\n"
    "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    "<|im_end|>\\n' }}\n"
    "    {%- endif %}\n"
    "{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or "
    "(message.role == \"assistant\" and not message.tool_calls) %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- elif message.role == \"assistant\" %}\n"
    "        {{- '<|im_start|>' + message.role }}\n"
    "        {%- if message.content %}\n"
    "            {{- '\\n' + message.content }}\n"
    "        {%- endif %}\n"
    "        {%- for tool_call in message.tool_calls %}\n"
    "            {%- if tool_call.function is defined %}\n"
    "                {%- set tool_call = tool_call.function %}\n"
    "            {%- endif %}\n"
    "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n"
    "            {{- tool_call.name }}\n"
    "            {{- '\", \"arguments\": ' }}\n"
    "            {{- tool_call.arguments | tojson }}\n"
    "            {{- '}\\n</tool_call>' }}\n"
    "        {%- endfor %}\n"
    "        {{- '<|im_end|>\\n' }}\n"
    "    {%- elif message.role == \"tool\" %}\n"
    "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n"
    "            {{- '<|im_start|>user' }}\n"
    "        {%- endif %}\n"
    "        {{- '\\n<tool_response>\\n' }}\n"
    "        {{- message.content }}\n"
    "        {{- '\\n</tool_response>' }}\n"
    "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n"
    "            {{- '<|im_end|>\\n' }}\n"
    "        {%- endif %}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)

# Qwen2's pre-tokenizer split pattern (from Qwen2.5's tokenizer.json).
QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
ADDED = ["<tool_call>", "</tool_call>", "<tool_response>", "</tool_response>"]
VOCAB_SIZE = 768

CORPUS = [
    "The quick brown fox jumps over the lazy dog. A small model can still answer questions about the weather.",
    "You are a helpful assistant. Answer the user's question briefly and call a tool when you need data.",
    "What is the weather like in Paris today? It is sunny and warm, with a light wind from the west.",
    "Please convert 100 euros to dollars. The exchange rate changes every day, so I will look it up.",
    "def get_weather(city: str) -> dict:\n    \"\"\"Returns the current weather for a city.\"\"\"\n    return {\"city\": city}",
    "public final class Agent {\n    private final String name;\n    public Agent(String name) { this.name = name; }\n}",
    "import json\n\nfor i in range(10):\n    print(json.dumps({\"index\": i, \"value\": i * i}))\n",
    '{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", '
    '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}',
    "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>",
    "The temperature is 21 degrees Celsius. Tomorrow it will rain in the morning and clear up in the evening.",
    "Agents plan, call tools, read the results and write an answer. Each step is recorded in the run log.",
    "Once upon a time there was a little robot who liked to read books about the history of computers.",
    "SELECT name, count(*) FROM users WHERE active = true GROUP BY name ORDER BY count(*) DESC;",
    "function add(a, b) { return a + b; }\nconsole.log(add(2, 3));\n",
    "The answer is 42. Numbers like 3.14, 2.718 and 1e-9 appear in code and in text alike.",
    "Hello! How can I help you today? I can search the web, do math, and tell you the time.",
]

SHORT = [{"role": "user", "content": "What is the weather in Paris?"}]

LONG_TEXT = (
    "I am planning a trip and I need help with a few things. First, tell me what the weather will be like in "
    "Paris and in Berlin this week, because I want to pack the right clothes. Second, convert 250 euros to "
    "dollars at today's rate. Third, write a short Python function that reads a JSON file and prints every key. "
    "Fourth, explain in two sentences why the sky is blue. Finally, give me a list of three books about the "
    "history of computers that a curious reader would enjoy on a long train ride."
)
LONG = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": LONG_TEXT},
]

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather in a city",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "The city name"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "convert_currency",
            "description": "Convert an amount between currencies",
            "parameters": {
                "type": "object",
                "properties": {
                    "amount": {"type": "number"},
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                },
                "required": ["amount", "from", "to"],
            },
        },
    },
]
TOOL_CONVERSATION = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Hello! Who are you?"},
    {"role": "assistant", "content": "I am a small assistant. How can I help?"},
    {"role": "user", "content": "What is the weather in Paris, in celsius?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "type": "function",
                "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}},
            }
        ],
    },
    {"role": "tool", "content": '{"temperature": 21.5, "condition": "sunny"}'},
]

PROMPTS = [
    {"name": "short", "messages": SHORT, "tools": None},
    {"name": "long", "messages": LONG, "tools": None},
    {"name": "tools", "messages": TOOL_CONVERSATION, "tools": TOOLS},
]


def seed_all() -> None:
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


# ----------------------------------------------------------------------------------------------- tokenizer


def build_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False, ignore_merges=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE - len(SPECIAL) - len(ADDED),
        min_frequency=2,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
    )
    corpus = CORPUS * 4 + [LONG_TEXT, json.dumps(TOOLS), QWEN25_TEMPLATE]
    tok.train_from_iterator(corpus, trainer=trainer)
    # Like Qwen2.5: the control tokens come after the BPE vocabulary; <tool_call> and friends are added
    # tokens that are not special (they survive skip_special_tokens).
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in ADDED])
    return tok


def write_tokenizer_files(tok: Tokenizer, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tok.save(str(out / "tokenizer.json"))
    decoder = {}
    for token in SPECIAL + ADDED:
        decoder[str(tok.token_to_id(token))] = {
            "content": token,
            "lstrip": False,
            "normalized": False,
            "rstrip": False,
            "single_word": False,
            "special": token in SPECIAL,
        }
    config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "chat_template": QWEN25_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 512,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    (out / "chat_template.jinja").write_text(QWEN25_TEMPLATE)
    special_map = {
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "eos_token": {"content": "<|im_end|>", "lstrip": False, "normalized": False, "rstrip": False,
                      "single_word": False},
        "pad_token": {"content": "<|endoftext|>", "lstrip": False, "normalized": False, "rstrip": False,
                      "single_word": False},
    }
    (out / "special_tokens_map.json").write_text(json.dumps(special_map, indent=2) + "\n")


# ----------------------------------------------------------------------------------------------- model


def build_model(tok: Tokenizer) -> tuple[Qwen2ForCausalLM, Qwen2Config, GenerationConfig]:
    eos = tok.token_to_id("<|im_end|>")
    eot = tok.token_to_id("<|endoftext|>")
    config = Qwen2Config(
        vocab_size=tok.get_vocab_size(with_added_tokens=True),
        **SIZES,
        hidden_act="silu",
        max_position_embeddings=512,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        use_cache=True,
        use_sliding_window=False,
        sliding_window=None,
        max_window_layers=SIZES["num_hidden_layers"],
        attention_dropout=0.0,
        initializer_range=0.02,
        bos_token_id=eot,
        eos_token_id=eos,  # Qwen2.5-Instruct's config.json names <|im_end|>
        pad_token_id=eot,
    )
    config._attn_implementation = "eager"
    seed_all()
    model = Qwen2ForCausalLM(config).eval()
    # Random init at std 0.02 gives almost flat logits; widen the weights so greedy picks are decided by a
    # clear margin and survive fp16 rounding, as a trained model's are.
    with torch.no_grad():
        gen = torch.Generator().manual_seed(SEED)
        for name, p in model.named_parameters():
            if p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) * (EMBED_STD if "embed" in name else WEIGHT_STD))
            else:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
    gen_config = GenerationConfig(
        bos_token_id=eot,
        eos_token_id=[eos, eot],
        pad_token_id=eot,
        do_sample=False,
        repetition_penalty=REPETITION_PENALTY,
    )
    model.generation_config = gen_config
    return model, config, gen_config


# ----------------------------------------------------------------------------------------------- export


class OnnxDecoder(torch.nn.Module):
    """Qwen2 forward written with plain ops over the HF model's weights, so it traces to a clean graph.

    Mirrors transformers' eager Qwen2 code: RMSNorm in float32, rotary embeddings computed in float32,
    softmax in float32, everything else in the model's dtype. Takes and returns the KV cache as flat tensors
    named like Optimum's.
    """

    def __init__(self, model: Qwen2ForCausalLM, with_past: bool):
        super().__init__()
        self.m = model.model
        self.lm_head = model.lm_head
        cfg = model.config
        self.with_past = with_past
        self.layers = cfg.num_hidden_layers
        self.heads = cfg.num_attention_heads
        self.kv_heads = cfg.num_key_value_heads
        self.head_dim = cfg.hidden_size // cfg.num_attention_heads
        self.eps = cfg.rms_norm_eps
        theta = (getattr(cfg, "rope_parameters", None) or {}).get("rope_theta") or cfg.rope_theta
        inv = 1.0 / (theta ** (torch.arange(0, self.head_dim, 2, dtype=torch.int64).float() / self.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def rms(self, norm, x):
        dtype = x.dtype
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return norm.weight * h.to(dtype)

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return torch.cat((-x[..., half:], x[..., :half]), dim=-1)

    def forward(self, input_ids, attention_mask, position_ids, *past):
        dtype = self.m.embed_tokens.weight.dtype
        h = self.m.embed_tokens(input_ids)
        freqs = position_ids[:, :, None].float() * self.inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = emb.cos().to(dtype)[:, None, :, :]
        sin = emb.sin().to(dtype)[:, None, :, :]
        seq = input_ids.shape[1]
        total = attention_mask.shape[1]
        past_len = total - seq
        # causal mask over (seq, total) combined with the padding mask, as an additive float mask
        q_pos = torch.arange(seq, device=input_ids.device)[:, None] + past_len
        k_pos = torch.arange(total, device=input_ids.device)[None, :]
        allowed = (k_pos <= q_pos)[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        neg = torch.finfo(dtype).min
        mask = torch.where(allowed, torch.zeros((), dtype=dtype), torch.full((), neg, dtype=dtype))
        presents = []
        bsz = input_ids.shape[0]
        groups = self.heads // self.kv_heads
        for i, layer in enumerate(self.m.layers):
            x = self.rms(layer.input_layernorm, h)
            att = layer.self_attn
            q = att.q_proj(x).view(bsz, seq, self.heads, self.head_dim).transpose(1, 2)
            k = att.k_proj(x).view(bsz, seq, self.kv_heads, self.head_dim).transpose(1, 2)
            v = att.v_proj(x).view(bsz, seq, self.kv_heads, self.head_dim).transpose(1, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            if self.with_past:
                k = torch.cat((past[2 * i], k), dim=2)
                v = torch.cat((past[2 * i + 1], v), dim=2)
            presents += [k, v]
            kk = k[:, :, None, :, :].expand(bsz, self.kv_heads, groups, k.shape[2], self.head_dim)
            kk = kk.reshape(bsz, self.heads, k.shape[2], self.head_dim)
            vv = v[:, :, None, :, :].expand(bsz, self.kv_heads, groups, v.shape[2], self.head_dim)
            vv = vv.reshape(bsz, self.heads, v.shape[2], self.head_dim)
            w = torch.matmul(q, kk.transpose(2, 3)) * (self.head_dim**-0.5)
            w = w + mask
            w = torch.softmax(w, dim=-1, dtype=torch.float32).to(dtype)
            o = torch.matmul(w, vv).transpose(1, 2).reshape(bsz, seq, self.heads * self.head_dim)
            h = h + att.o_proj(o)
            x = self.rms(layer.post_attention_layernorm, h)
            mlp = layer.mlp
            h = h + mlp.down_proj(torch.nn.functional.silu(mlp.gate_proj(x)) * mlp.up_proj(x))
        h = self.rms(self.m.norm, h)
        logits = self.lm_head(h)
        return (logits, *presents)


def io_names(layers: int, with_past: bool):
    inputs = ["input_ids", "attention_mask", "position_ids"]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    outputs = ["logits"]
    for i in range(layers):
        for kind in ("key", "value"):
            if with_past:
                name = f"past_key_values.{i}.{kind}"
                inputs.append(name)
                axes[name] = {0: "batch_size", 2: "past_sequence_length"}
            name = f"present.{i}.{kind}"
            outputs.append(name)
            axes[name] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    return inputs, outputs, axes


def export(model: Qwen2ForCausalLM, path: Path, with_past: bool) -> None:
    cfg = model.config
    dtype = model.model.embed_tokens.weight.dtype
    wrapper = OnnxDecoder(model, with_past).eval()
    head_dim = cfg.hidden_size // cfg.num_attention_heads
    batch, seq, past = 2, 3, 4 if with_past else 0
    ids = torch.randint(0, cfg.vocab_size, (batch, seq))
    mask = torch.ones(batch, past + seq, dtype=torch.int64)
    pos = torch.arange(past, past + seq, dtype=torch.int64)[None, :].expand(batch, seq).contiguous()
    pkv = []
    if with_past:
        for _ in range(2 * cfg.num_hidden_layers):
            pkv.append(torch.randn(batch, cfg.num_key_value_heads, past, head_dim).to(dtype))
    inputs, outputs, axes = io_names(cfg.num_hidden_layers, with_past)
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (ids, mask, pos, *pkv),
            str(path),
            input_names=inputs,
            output_names=outputs,
            dynamic_axes=axes,
            opset_version=OPSET,
            # no folding: it would store the tied embedding twice (once transposed for the LM head);
            # onnxruntime folds the weight transposes itself when it loads the session
            do_constant_folding=False,
            dynamo=False,
            external_data=False,
        )
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    strip_doc(m)
    onnx.save(m, str(path))


def strip_doc(m: onnx.ModelProto) -> None:
    """Drops doc strings (they carry local source paths) so the files are reproducible."""
    m.producer_name = "agentrt make_tiny_qwen2.py"
    m.producer_version = "1"
    m.doc_string = ""
    for node in m.graph.node:
        node.doc_string = ""


def merge_decoders(no_past_path: Path, with_past_path: Path, out: Path) -> None:
    """Builds decoder_model_merged.onnx like optimum.onnx.merge_decoders.

    Graph inputs are the with-past decoder's plus a bool scalar use_cache_branch; one If node runs the with-past
    graph (then) or the no-past graph (else); both share the weights, which live once in the outer graph.
    """
    a = onnx.load(str(no_past_path))
    b = onnx.load(str(with_past_path))
    shared = {}
    inits = []
    renames = {"a": {}, "b": {}}
    for tag, m in (("a", a), ("b", b)):
        for t in m.graph.initializer:
            arr = numpy_helper.to_array(t)
            digest = hashlib.sha256(f"{t.data_type}:{list(t.dims)}".encode() + arr.tobytes()).hexdigest()
            if digest in shared:
                renames[tag][t.name] = shared[digest]
                continue
            new_name = t.name if tag == "a" or all(t.name != x.name for x in inits) else f"with_past::{t.name}"
            shared[digest] = new_name
            renames[tag][t.name] = new_name
            t2 = copy.deepcopy(t)
            t2.name = new_name
            inits.append(t2)
    outer_inputs = {i.name for i in b.graph.input}

    def branch(m: onnx.ModelProto, tag: str, prefix: str) -> onnx.GraphProto:
        rename = dict(renames[tag])
        for node in m.graph.node:
            for o in node.output:
                if o and o not in rename:
                    rename[o] = prefix + o
        nodes = []
        for node in m.graph.node:
            n = copy.deepcopy(node)
            n.name = prefix + (n.name or n.op_type)
            for k, x in enumerate(n.input):
                if x in rename:
                    n.input[k] = rename[x]
                elif x and x not in outer_inputs:
                    raise ValueError(f"unresolved input {x}")
            for k, x in enumerate(n.output):
                if x:
                    n.output[k] = rename[x]
            nodes.append(n)
        outs = []
        for o in m.graph.output:
            o2 = copy.deepcopy(o)
            o2.name = rename[o.name]
            outs.append(o2)
        return helper.make_graph(nodes, prefix + "graph", [], outs)

    then_g = branch(b, "b", "with_past/")
    else_g = branch(a, "a", "no_past/")
    use_cache = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    if_node = helper.make_node(
        "If", ["use_cache_branch"], [o.name for o in b.graph.output], name="optimum::if",
        then_branch=then_g, else_branch=else_g,
    )
    graph = helper.make_graph(
        [if_node], "merged", list(b.graph.input) + [use_cache], list(b.graph.output), initializer=inits
    )
    merged = helper.make_model(graph, opset_imports=list(b.opset_import), ir_version=b.ir_version)
    strip_doc(merged)
    onnx.checker.check_model(merged)
    onnx.save(merged, str(out))


# ----------------------------------------------------------------------------------------------- reference


def torch_generate(model, ids, **kw):
    with torch.no_grad():
        out = model.generate(
            torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.int64),
            max_new_tokens=MAX_NEW_TOKENS, **kw,
        )
    return out[0, len(ids):].tolist()


def penalize(scores: np.ndarray, seen: list[int], penalty: float) -> np.ndarray:
    """transformers' RepetitionPenaltyLogitsProcessor over every id seen so far (prompt included)."""
    if penalty == 1.0:
        return scores
    scores = scores.copy()
    idx = np.unique(np.asarray(seen))
    s = scores[idx]
    scores[idx] = np.where(s < 0, s * penalty, s / penalty)
    return scores


class OrtRunner:
    """Replays generation the way Optimum's ORTModelForCausalLM does: prompt at once, then one token per run."""

    def __init__(self, layout: str, paths: list[Path], cfg: Qwen2Config, dtype):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        self.sessions = [ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"]) for p in paths]
        self.layout = layout
        self.cfg = cfg
        self.dtype = dtype
        self.head_dim = cfg.hidden_size // cfg.num_attention_heads

    def empty_past(self, length: int):
        shape = (1, self.cfg.num_key_value_heads, length, self.head_dim)
        return {
            f"past_key_values.{i}.{k}": np.zeros(shape, dtype=self.dtype)
            for i in range(self.cfg.num_hidden_layers)
            for k in ("key", "value")
        }

    def step(self, ids: list[int], past: dict | None, past_len: int):
        feed = {
            "input_ids": np.asarray([ids], dtype=np.int64),
            "attention_mask": np.ones((1, past_len + len(ids)), dtype=np.int64),
            "position_ids": np.arange(past_len, past_len + len(ids), dtype=np.int64)[None, :],
        }
        if self.layout == "merged":
            feed["use_cache_branch"] = np.asarray([past is not None])
            # Optimum feeds a dummy past of length 1 on the first run of a merged decoder
            feed.update(past if past is not None else self.empty_past(1))
            session = self.sessions[0]
        elif self.layout == "pair":
            if past is not None:
                feed.update(past)
            session = self.sessions[1 if past is not None else 0]
        else:
            feed.update(past if past is not None else self.empty_past(0))
            session = self.sessions[0]
        names = [o.name for o in session.get_outputs()]
        outs = session.run(names, feed)
        res = dict(zip(names, outs))
        new_past = {
            f"past_key_values.{i}.{k}": res[f"present.{i}.{k}"]
            for i in range(self.cfg.num_hidden_layers)
            for k in ("key", "value")
        }
        assert res["logits"].dtype == self.dtype, (self.layout, res["logits"].dtype)
        return res["logits"][0, -1].astype(np.float32), new_past

    def generate(self, prompt: list[int], penalty: float, eos: list[int]):
        seen = list(prompt)
        logits, past = self.step(prompt, None, 0)
        out = []
        margins = []
        while True:
            scores = penalize(logits, seen, penalty)
            order = np.argsort(-scores, kind="stable")
            margins.append(float(scores[order[0]] - scores[order[1]]))
            nxt = int(np.argmax(scores))
            out.append(nxt)
            seen.append(nxt)
            if nxt in eos or len(out) == MAX_NEW_TOKENS:
                return out, min(margins)
            logits, past = self.step([nxt], past, len(seen) - 1)


# ----------------------------------------------------------------------------------------------- main


def write_readme(reference: dict, long_len: int) -> None:
    rows = []
    for f in sorted(OUT.rglob("*")):
        if f.is_file() and f.name != "README.md":
            rows.append(f"| `{f.relative_to(OUT)}` | {f.stat().st_size:,} |")
    layouts = "\n".join(
        f"| `{name}/` | {', '.join('`' + x + '`' for x in v['files'])} | {v['dtype']} |"
        for name, v in reference["layouts"].items()
    )
    replay = "\n".join(
        f"| `{name}` | {'n/a' if any(x['matches_torch'] is None for x in v.values()) else all(x['matches_torch'] for x in v.values())} | "
        f"{min(x['min_top1_margin'] for x in v.values())} |"
        for name, v in reference["onnxruntime_replay"].items()
    )
    text = f"""# tiny-qwen2: a realistic test model

A random-weight Qwen2 decoder made by `src/test/python/make_tiny_qwen2.py` so that tests can check a local runtime
token for token against transformers without torch. Architecture as Qwen2.5: RMSNorm, rotary embeddings
(rope_theta 1e6), grouped-query attention (4 query heads, 2 KV heads, head_dim 16), SwiGLU MLP, tied embeddings;
hidden 64, 2 layers, intermediate 128, vocabulary 768, max_position_embeddings 512. Weights are random (seed
{SEED}, normal with std {EMBED_STD} for the embedding and {WEIGHT_STD} for the other matrices), so the text it
writes is noise; what matters is that the ids are those transformers produces.

The tokenizer is a byte-level BPE trained by the script on a small built-in English and code corpus, with Qwen2's
NFC normalizer, split regex, byte-level pre-tokenizer and decoder; `<|endoftext|>` (pad), `<|im_start|>`,
`<|im_end|>` (eos) are special tokens, `<tool_call>`, `</tool_call>`, `<tool_response>`, `</tool_response>` added
(non-special) tokens, as in Qwen2.5. The chat template is Qwen2.5-Instruct's, byte for byte (tools included), in
both `tokenizer_config.json` and `chat_template.jinja`. `generation_config.json` has `do_sample: false`,
`repetition_penalty: 1.05` (as Qwen2.5's), `eos_token_id: [<|im_end|>, <|endoftext|>]`, `pad_token_id`.

## Layouts

Every directory is a complete model directory (`config.json`, `generation_config.json`, `tokenizer.json`,
`tokenizer_config.json`, `chat_template.jinja`, `special_tokens_map.json`) plus its graphs:

| directory | graphs | dtype |
|---|---|---|
{layouts}

- Optimum's current layout (`optimum-*`): one decoder with past inputs; the first run gets a past of length 0.
- The legacy merged layout (`merged-*`): `decoder_model_merged.onnx` takes an extra bool `use_cache_branch`
  ([1]) and runs one of two subgraphs in an If node (then: with past; else: without past, the past inputs are
  ignored). On the first run Optimum feeds `use_cache_branch=false` and a dummy past (length 1 in the releases
  that introduced the merged decoder, length 0 in later ones: the else branch ignores it, so both give the same
  ids; the script replays with length 1). Weights are stored once.
- The legacy pair (`legacy-pair-*`): `decoder_model.onnx` (no past inputs) for the prompt,
  `decoder_with_past_model.onnx` for each next token.
- The onnx-community / transformers.js layout (`onnx-community`): `onnx/model.onnx` (fp32),
  `onnx/model_fp16.onnx` and `onnx/model_quantized.onnx` (onnxruntime's `quantize_dynamic`, int8 weights:
  MatMulInteger with DynamicQuantizeLinear; logits and cache stay float32). The quantized graph has no torch
  reference: its ids are in `expected_onnxruntime.q8`.

IO names are Optimum's: inputs `input_ids`, `attention_mask`, `position_ids` (int64, [batch, sequence]),
`past_key_values.{{i}}.key` / `.value` ([batch, 2, past_sequence, 16]); outputs `logits` ([batch, sequence, 768]),
`present.{{i}}.key` / `.value`. In the fp16 graphs the past, present and logits tensors are float16
(like `optimum-cli export onnx --dtype fp16`); ids and masks stay int64. Opset {OPSET}, exported with
`torch.onnx.export` (TorchScript exporter) from a wrapper that mirrors transformers' eager Qwen2 code (RMSNorm,
rotary tables and softmax computed in float32).

## reference.json

- `prompts`: three conversations rendered by transformers' `apply_chat_template(..., add_generation_prompt=True)`:
  `short` (one user turn, {len(reference['prompts'][0]['prompt_ids'])} tokens), `long` (system + a long user turn,
  {long_len} tokens, over the 128 of a prefill chunk), `tools` (system, two user and two assistant turns, two tools,
  an assistant tool call and a tool result, {len(reference['prompts'][2]['prompt_ids'])} tokens); each with its
  `rendered` string and `prompt_ids` (the string encoded by tokenizer.json, no special tokens added).
- `expected.{{fp32,fp16}}.{{prompt}}.{{setting}}`: the new token ids of `model.generate(max_new_tokens=32)` with
  `greedy` (`do_sample=False, repetition_penalty=1.0`), `repetition_penalty_1.05` and `generation_config`
  (nothing but `max_new_tokens`, so generation_config.json applies; equal to `repetition_penalty_1.05`).
  A list shorter than 32 ends with an eos id. fp16 ids come from the torch model cast to float16 on CPU.
- `expected_onnxruntime.{{fp32,fp16,q8}}...`: the same, produced by onnxruntime on the exported graphs (every layout of
  a dtype gives the same ids; the script checks it). In fp32 they equal `expected`. In fp16 torch's CPU kernels
  and onnxruntime's round differently, and where two scores are within an fp16 step of each other the pick can
  differ: `fp16_torch_vs_onnxruntime` lists those runs and the step where they part
  ({json.dumps(reference["fp16_torch_vs_onnxruntime"])}). A runtime built on onnxruntime should reproduce
  `expected_onnxruntime` token for token in fp16, and `expected` (= `expected_onnxruntime`) in fp32.
- `first_step_torch.{{fp32,fp16}}.{{prompt}}`: the five best ids and their logits after the prompt (torch), for
  tests that compare scores with a tolerance.
- `onnxruntime_replay`: for each layout, whether onnxruntime {ort.__version__} run as Optimum's
  `ORTModelForCausalLM` runs it (whole prompt once, then one token per run, cache fed back) reproduced the torch
  ids, and the smallest gap between the best and second-best score seen over all steps.

| layout | onnxruntime = torch | min top-1 margin |
|---|---|---|
{replay}

## Regenerate

```
python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers tokenizers onnx onnxruntime jinja2 numpy
/tmp/venv/bin/python agent-inference/src/test/python/make_tiny_qwen2.py
```

Made with transformers {transformers.__version__}, torch {torch.__version__}, tokenizers, onnx {onnx.__version__}.
The script is deterministic (fixed seeds, one thread); it fails when any layout does not reproduce the torch ids.

## Files

| file | bytes |
|---|---|
""" + "\n".join(rows) + "\n"
    (OUT / "README.md").write_text(text)


def save_configs(config: Qwen2Config, gen_config: GenerationConfig, out: Path) -> None:
    """config.json (float32) and generation_config.json in out."""
    config.save_pretrained(out)
    # config.json also in the classic field names Qwen2.5's own file uses (transformers 5 writes rope_parameters)
    c = json.loads((out / "config.json").read_text())
    c["architectures"] = ["Qwen2ForCausalLM"]
    c["rope_theta"] = c.get("rope_parameters", {}).get("rope_theta", 1000000.0)
    c["torch_dtype"] = "float32"
    (out / "config.json").write_text(json.dumps(c, indent=2, sort_keys=True) + "\n")
    gen_config.save_pretrained(out)


def copy_common(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                 "chat_template.jinja", "special_tokens_map.json"):
        shutil.copy(src / name, dst / name)


def main() -> int:
    seed_all()
    if OUT.exists():
        shutil.rmtree(OUT)
    work = OUT / ".work"
    common = work / "common"
    tok = build_tokenizer()
    write_tokenizer_files(tok, common)
    model, config, gen_config = build_model(tok)
    save_configs(config, gen_config, common)
    # config.json as Optimum/transformers.js exports carry it (float32 export; fp16 dirs say float16)
    hf_tok = AutoTokenizer.from_pretrained(str(common))

    # --- rendered prompts and their ids, from transformers
    prompts = []
    for p in PROMPTS:
        text = hf_tok.apply_chat_template(p["messages"], tools=p["tools"], tokenize=False, add_generation_prompt=True)
        ids = hf_tok(text, add_special_tokens=True)["input_ids"]
        raw = tok.encode(text).ids
        assert ids == raw, f"transformers and tokenizers disagree on {p['name']}"
        assert hf_tok.decode(ids) == text, f"decode does not round-trip for {p['name']}"
        prompts.append({**p, "rendered": text, "prompt_ids": ids})
    long_len = len(prompts[1]["prompt_ids"])
    assert long_len > 128, f"long prompt is only {long_len} tokens"

    # --- torch reference
    eos = list(gen_config.eos_token_id)
    expected = {}
    models_by_dtype = {"fp32": model, "fp16": copy.deepcopy(model).to(torch.float16)}
    for dname, m in models_by_dtype.items():
        m.eval()
        for p in prompts:
            ids = p["prompt_ids"]
            expected.setdefault(dname, {})[p["name"]] = {
                "greedy": torch_generate(m, ids, do_sample=False, repetition_penalty=1.0),
                "repetition_penalty_1.05": torch_generate(m, ids, do_sample=False, repetition_penalty=1.05),
                "generation_config": torch_generate(m, ids),
            }

    # first-step scores, for tests that compare logits with a tolerance rather than ids
    first_step = {}
    for dname, m in models_by_dtype.items():
        for p in prompts:
            with torch.no_grad():
                logits = m(torch.tensor([p["prompt_ids"]])).logits[0, -1].float()
            top = torch.topk(logits, 5)
            first_step.setdefault(dname, {})[p["name"]] = {
                "top5_ids": top.indices.tolist(), "top5_logits": [round(float(x), 5) for x in top.values]}

    # --- exports
    layouts = {}
    for dname, m in models_by_dtype.items():
        suffix = "fp32" if dname == "fp32" else "fp16"
        cfg_dtype = "float32" if dname == "fp32" else "float16"
        opt = OUT / f"optimum-{suffix}"
        copy_common(common, opt)
        export(m, opt / "model.onnx", with_past=True)
        layouts[f"optimum-{suffix}"] = ("past", [opt / "model.onnx"], dname)

        merged = OUT / f"merged-{suffix}"
        copy_common(common, merged)
        export(m, work / suffix / "decoder_model.onnx", with_past=False)
        export(m, work / suffix / "decoder_with_past_model.onnx", with_past=True)
        merge_decoders(work / suffix / "decoder_model.onnx", work / suffix / "decoder_with_past_model.onnx",
                       merged / "decoder_model_merged.onnx")
        layouts[f"merged-{suffix}"] = ("merged", [merged / "decoder_model_merged.onnx"], dname)

        pair = OUT / f"legacy-pair-{suffix}"
        copy_common(common, pair)
        shutil.copy(work / suffix / "decoder_model.onnx", pair / "decoder_model.onnx")
        shutil.copy(work / suffix / "decoder_with_past_model.onnx", pair / "decoder_with_past_model.onnx")
        layouts[f"legacy-pair-{suffix}"] = (
            "pair", [pair / "decoder_model.onnx", pair / "decoder_with_past_model.onnx"], dname)
        dirs = [opt, merged, pair]

        for d in dirs:
            c = json.loads((d / "config.json").read_text())
            c["torch_dtype"] = cfg_dtype
            (d / "config.json").write_text(json.dumps(c, indent=2, sort_keys=True) + "\n")

    community = OUT / "onnx-community"
    copy_common(common, community)
    (community / "onnx").mkdir()
    shutil.copy(OUT / "optimum-fp32" / "model.onnx", community / "onnx" / "model.onnx")
    shutil.copy(OUT / "optimum-fp16" / "model.onnx", community / "onnx" / "model_fp16.onnx")
    layouts["onnx-community/onnx/model.onnx"] = ("past", [community / "onnx" / "model.onnx"], "fp32")
    layouts["onnx-community/onnx/model_fp16.onnx"] = ("past", [community / "onnx" / "model_fp16.onnx"], "fp16")
    # transformers.js' default file: int8 weights, dynamic quantization of the activations (no torch reference)
    quantize_dynamic(str(community / "onnx" / "model.onnx"), str(community / "onnx" / "model_quantized.onnx"),
                     weight_type=QuantType.QInt8, per_channel=False, reduce_range=False)
    q = onnx.load(str(community / "onnx" / "model_quantized.onnx"))
    strip_doc(q)
    onnx.save(q, str(community / "onnx" / "model_quantized.onnx"))
    layouts["onnx-community/onnx/model_quantized.onnx"] = ("past", [community / "onnx" / "model_quantized.onnx"], "q8")
    shutil.rmtree(work)

    # --- replay every layout with onnxruntime
    verification = {}
    failures = []
    ort_ids = {}
    for lname, (kind, paths, dname) in layouts.items():
        runner = OrtRunner(kind, paths, config, np.float16 if dname == "fp16" else np.float32)
        for p in prompts:
            for setting, penalty in (("greedy", 1.0), ("repetition_penalty_1.05", REPETITION_PENALTY),
                                     ("generation_config", REPETITION_PENALTY)):
                got, margin = runner.generate(p["prompt_ids"], penalty, eos)
                want = expected[dname][p["name"]][setting] if dname in expected else None
                first = ort_ids.setdefault(dname, {}).setdefault(p["name"], {}).setdefault(setting, got)
                if got != first:
                    failures.append(("layouts of one dtype disagree", lname, p["name"], setting, got, first))
                ok = got == want
                verification.setdefault(lname, {})[f"{p['name']}/{setting}"] = {
                    "matches_torch": ok if want is not None else None, "min_top1_margin": round(margin, 4)}
                if not ok and dname == "fp32":
                    failures.append((lname, p["name"], setting, got, want))
    # fp16 arithmetic differs between torch's CPU kernels and onnxruntime's: a near tie can go the other way.
    # Record where, rather than hide it; a runtime built on onnxruntime must reproduce expected_onnxruntime.
    fp16_divergence = {}
    for name, settings in expected["fp16"].items():
        for setting, want in settings.items():
            got = ort_ids["fp16"][name][setting]
            if got != want:
                step = next(i for i, (a, b) in enumerate(zip(got + [-1], want + [-2])) if a != b)
                fp16_divergence[f"{name}/{setting}"] = {"first_different_step": step}

    reference = {
        "about": "Tiny random Qwen2 decoder; expected ids from transformers' model.generate (see README.md).",
        "transformers_version": transformers.__version__,
        "torch_version": torch.__version__,
        "onnxruntime_version": ort.__version__,
        "max_new_tokens": MAX_NEW_TOKENS,
        "eos_token_ids": eos,
        "settings": {
            "greedy": {"do_sample": False, "repetition_penalty": 1.0},
            "repetition_penalty_1.05": {"do_sample": False, "repetition_penalty": 1.05},
            "generation_config": "model.generate(input_ids, max_new_tokens=32) with generation_config.json as saved",
        },
        "fp16_reference": "expected.fp16: torch Qwen2ForCausalLM (eager attention) cast to float16, run on CPU; "
                          "expected_onnxruntime.fp16: the fp16 graphs run by onnxruntime (all fp16 layouts agree)",
        "prompts": [
            {"name": p["name"], "messages": p["messages"], "tools": p["tools"], "add_generation_prompt": True,
             "rendered": p["rendered"], "prompt_ids": p["prompt_ids"]}
            for p in prompts
        ],
        "expected": expected,
        "expected_onnxruntime": ort_ids,
        "first_step_torch": first_step,
        "fp16_torch_vs_onnxruntime": fp16_divergence,
        "layouts": {
            "optimum-fp32": {"files": ["model.onnx"], "dtype": "fp32"},
            "optimum-fp16": {"files": ["model.onnx"], "dtype": "fp16"},
            "merged-fp32": {"files": ["decoder_model_merged.onnx"], "dtype": "fp32"},
            "merged-fp16": {"files": ["decoder_model_merged.onnx"], "dtype": "fp16"},
            "legacy-pair-fp32": {"files": ["decoder_model.onnx", "decoder_with_past_model.onnx"], "dtype": "fp32"},
            "legacy-pair-fp16": {"files": ["decoder_model.onnx", "decoder_with_past_model.onnx"], "dtype": "fp16"},
            "onnx-community": {"files": ["onnx/model.onnx", "onnx/model_fp16.onnx", "onnx/model_quantized.onnx"],
                               "dtype": "fp32, fp16 and q8 (int8 weights)"},
        },
        "common_files": ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                         "chat_template.jinja", "special_tokens_map.json"],
        "onnxruntime_replay": verification,
    }
    (OUT / "reference.json").write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n")
    write_readme(reference, long_len)
    for f in failures:
        print("MISMATCH", f, file=sys.stderr)
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {OUT} ({total} bytes); long prompt {long_len} tokens; {len(failures)} mismatches")
    for lname, v in verification.items():
        print(f"  {lname}: min top-1 margin {min(x['min_top1_margin'] for x in v.values())}")
    for dname in expected:
        for name, settings in expected[dname].items():
            print(dname, name, {k: len(v) for k, v in settings.items()})
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
