package dev.agentrt.inference.internal.chat;

/** The key/value cache of a decoder: {@code layers} pairs of {@code [batch, heads, past, headDim]}. */
public record CacheShape(int layers, int heads, int headDim) {}
