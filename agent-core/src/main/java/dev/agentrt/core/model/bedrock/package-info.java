/**
 * The Amazon Bedrock Converse API client, {@link dev.agentrt.core.model.bedrock.BedrockChatModel}:
 * requests signed with AWS Signature Version 4 (or a Bedrock API key), replies streamed as AWS event
 * streams.
 *
 * <pre>{@code
 * ChatModel claude = BedrockChatModel.builder()
 *         .model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
 *         .build();   // region and credentials as the AWS SDKs find them
 * }</pre>
 *
 * <p>Models are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.model.bedrock;

import org.jspecify.annotations.NullMarked;
