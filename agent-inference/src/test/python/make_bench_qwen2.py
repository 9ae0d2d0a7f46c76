#!/usr/bin/env python3
"""Makes a larger random-weight Qwen2 decoder of a real model's shape, for benchmarks only.

The tiny test model (make_tiny_qwen2.py: hidden 64, 2 layers) runs a 30-token prompt in well under a
millisecond, so any fixed cost of the runtime weighs on it as it never would on a real model. This script
makes the same kind of model (the same tokenizer, chat template, generation config and Optimum layout, one
model.onnx "with past", fp32) in the shape of SmolLM2-135M (hidden 576, 30 layers, 9 attention heads, 3 KV
heads, intermediate 1536), with the test tokenizer's 768-token vocabulary. Weights are random (seed 7, the
same widening as the tiny model), so the text is nonsense; what is measured is the time. About 430 MB: it is
not committed; run it where the benchmark runs.

  python3 agent-inference/src/test/python/make_bench_qwen2.py /tmp/bench-qwen2
  java --enable-native-access=ALL-UNNAMED -Dagentrt.bench.qwen2=/tmp/bench-qwen2 \\
      -cp benchmarks/target/benchmarks.jar dev.agentrt.benchmarks.LocalChatPaired 10 0.5

Needs torch, transformers, tokenizers and onnx (Debian: python3-torch, python3-onnx; transformers from pip).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_tiny_qwen2 as tiny  # noqa: E402

SMOLLM2_135M = dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                    num_key_value_heads=3)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    out = Path(sys.argv[1]).resolve()
    if out.exists():
        shutil.rmtree(out)
    common = out / ".common"
    tiny.SIZES = dict(SMOLLM2_135M)
    tiny.seed_all()
    tok = tiny.build_tokenizer()
    tiny.write_tokenizer_files(tok, common)
    model, config, gen_config = tiny.build_model(tok)
    tiny.save_configs(config, gen_config, common)
    tiny.copy_common(common, out)
    tiny.export(model, out / "model.onnx", with_past=True)
    shutil.rmtree(common)
    params = sum(p.numel() for p in model.parameters())
    print(f"{out}: {params / 1e6:.1f} M parameters, {(out / 'model.onnx').stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
