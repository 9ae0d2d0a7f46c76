/**
 * Model files for tests and benchmarks, written from Java: small ONNX graphs (encoded by hand, no
 * protobuf library) with matching tokenizers and chat templates. Shipped in agent-inference's
 * test-jar.
 */
@NullMarked
package dev.agentrt.inference.testing;

import org.jspecify.annotations.NullMarked;
