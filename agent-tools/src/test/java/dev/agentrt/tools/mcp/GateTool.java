package dev.agentrt.tools.mcp;

import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;

import java.util.concurrent.CountDownLatch;

/**
 * A served tool that holds its call, on the thread the server runs it on, until the test lets it go: {@link
 * #entered} when called, it waits for {@link #release} and answers "released"; interrupted first (the call cancelled
 * or abandoned), it counts down {@link #interrupted} and answers "interrupted".
 */
final class GateTool {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    final Tool tool;

    GateTool(String name) {
        tool = Tool.builder(name).description("Waits until released or interrupted").blockingHandler((args, ctx) -> {
            entered.countDown();
            try {
                release.await();
                return ToolResult.text("released");
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                return ToolResult.text("interrupted");
            }
        }).build();
    }
}
