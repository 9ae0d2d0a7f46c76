package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.invalid;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Rejects a loop of references that come back to the same value without descending into it, such
 * as {@code {"$ref": "#"}} or {@code {"anyOf": [{"$ref": "#"}]}}: validating with it would never
 * end. Loops through properties or items are fine: the value is finite.
 */
final class CycleCheck {
    private CycleCheck() {}

    /** Checks every node with {@link Node#sameValue} edges; throws for the first endless loop. */
    static void check(List<Node> linked) {
        Set<Node> done = Collections.newSetFromMap(new IdentityHashMap<>());
        var path = new ArrayList<Node>();
        for (Node node : linked) {
            visit(node, done, path);
        }
    }

    private static void visit(Node node, Set<Node> done, List<Node> path) {
        if (done.contains(node)) {
            return;
        }
        int onPath = path.lastIndexOf(node);
        if (onPath >= 0) {
            for (Node step : path.subList(onPath, path.size())) {
                if (step instanceof Ref ref) {
                    throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " leads back to the same schema without"
                            + " descending into the value, so validation would never end");
                }
            }
            throw new IllegalStateException("a schema cycle without a $ref"); // cannot happen: only refs loop
        }
        path.add(node);
        for (Node next : node.sameValue()) {
            visit(next, done, path);
        }
        path.remove(path.size() - 1);
        done.add(node);
    }
}
