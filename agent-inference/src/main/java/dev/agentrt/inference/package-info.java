/**
 * In-process models through DJL (ONNX Runtime engine, HuggingFace tokenizers): local embeddings and
 * local chat generation, running on the bounded compute scheduler.
 */
@NullMarked
package dev.agentrt.inference;

import org.jspecify.annotations.NullMarked;
