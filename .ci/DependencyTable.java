import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes docs/architecture-dependencies.md, the dependency table of ARCHITECTURE.md, from the trees the build
 * resolves, so that the table says what the poms say. Run from the repository root after
 * {@code ./mvnw -B -o -q dependency:tree -DoutputFile=target/dependency-tree.txt}:
 *
 * <pre>
 * java .ci/DependencyTable.java agent-core agent-tools agent-sandbox agent-inference agent-memory examples benchmarks \
 *     &gt; docs/architecture-dependencies.md
 * </pre>
 *
 * Needs nothing but a JDK (17 or later, through the source launcher).
 */
public final class DependencyTable {
    private DependencyTable() {}

    /** One node of a tree; {@code parent} is null for a direct dependency. */
    record Node(String group, String artifact, String classifier, String version, String scope, boolean optional,
            Node parent) {
        String ga() {
            return group + ":" + artifact + (classifier.isEmpty() ? "" : ":" + classifier);
        }

        boolean agentrt() {
            return group.equals("dev.agentrt");
        }

        boolean runtime() {
            return scope.equals("compile") || scope.equals("runtime");
        }

        String coordinates() {
            return "`" + ga() + ":" + version + "`" + (scope.equals("runtime") ? " (runtime)" : "")
                    + (optional ? " **optional**" : "");
        }
    }

    public static void main(String[] args) throws IOException {
        Map<String, List<Node>> trees = new LinkedHashMap<>();
        for (String module : args) {
            trees.put(module, parse(Path.of(module, "target", "dependency-tree.txt")));
        }
        StringBuilder out = new StringBuilder();
        out.append("# Module dependencies, as the poms resolve them\n\n");
        out.append("""
                Generated from each module's `target/dependency-tree.txt` (written by
                `./mvnw -B -o -q dependency:tree -DoutputFile=target/dependency-tree.txt`) with
                `java .ci/DependencyTable.java %s`; do not edit by hand.

                Versions are those the build resolves and tests. **optional**: the module's pom marks the dependency
                `<optional>true</optional>`, and everything only it brings is optional too: a user adds it for the
                feature that needs it (`agent-bom` manages its version). A published (flattened) pom lists every
                compile and runtime artifact below that is not optional, at this version, and nothing else.

                """.formatted(String.join(" ", args)));
        out.append("## Table for ARCHITECTURE.md\n\n");
        out.append("| module | agentrt modules | third-party dependencies (declared; what they bring: see below) |\n");
        out.append("|---|---|---|\n");
        for (var e : trees.entrySet()) {
            List<Node> direct = e.getValue().stream().filter(n -> n.parent() == null && n.runtime()).toList();
            String modules = direct.stream().filter(Node::agentrt)
                    .map(n -> n.artifact() + (n.classifier().isEmpty() ? "" : " (" + n.classifier() + ")")
                            + (n.optional() ? " **optional**" : ""))
                    .collect(Collectors.joining(", "));
            String thirdParty = direct.stream().filter(n -> !n.agentrt())
                    .map(n -> n.ga() + " " + n.version() + (n.scope().equals("runtime") ? " (runtime)" : "")
                            + (n.optional() ? " **optional**" : ""))
                    .collect(Collectors.joining(", "));
            out.append("| ").append(e.getKey()).append(" | ").append(modules.isEmpty() ? "—" : modules).append(" | ")
                    .append(thirdParty.isEmpty() ? "—" : thirdParty).append(" |\n");
        }
        for (var e : trees.entrySet()) {
            out.append("\n## ").append(e.getKey()).append("\n\n");
            List<Node> nodes = e.getValue();
            List<Node> runtime = nodes.stream().filter(n -> n.runtime() && !n.agentrt()).toList();
            List<Node> modules = nodes.stream().filter(n -> n.runtime() && n.agentrt()).toList();
            if (!modules.isEmpty()) {
                out.append("agentrt modules: ").append(modules.stream().map(Node::coordinates)
                        .collect(Collectors.joining(", "))).append("\n\n");
            }
            out.append("Compile and runtime (").append(runtime.size()).append(" third-party artifacts):\n\n");
            for (Node n : runtime) {
                out.append("- ").append(n.coordinates()).append(" — ").append(via(n)).append('\n');
            }
            List<Node> tests = nodes.stream().filter(n -> n.scope().equals("test") && n.parent() == null).toList();
            long testTransitive = nodes.stream().filter(n -> n.scope().equals("test") && n.parent() != null).count();
            out.append("\nTest only (declared; they bring ").append(testTransitive)
                    .append(" more test-scope artifacts):\n\n");
            for (Node n : tests) {
                out.append("- `").append(n.ga()).append(":").append(n.version()).append("`\n");
            }
            if (tests.isEmpty()) {
                out.append("- none\n");
            }
            List<String> inputs = buildInputs(e.getKey());
            if (!inputs.isEmpty()) {
                out.append("\nBuild-time inputs (files the build unpacks into the module's jar; no pom names them, so no")
                        .append(" user resolves them):\n\n");
                for (String input : inputs) {
                    out.append("- ").append(input).append('\n');
                }
            }
        }
        System.out.print(out);
    }

    private static final Pattern ARTIFACT_ITEM = Pattern.compile("<artifactItem>(.*?)</artifactItem>", Pattern.DOTALL);
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    /** The artifactItems of the module's pom (maven-dependency-plugin unpack/copy), properties from the root pom. */
    static List<String> buildInputs(String module) throws IOException {
        String pom = Files.readString(Path.of(module, "pom.xml"));
        String root = Files.readString(Path.of("pom.xml"));
        List<String> inputs = new ArrayList<>();
        Matcher m = ARTIFACT_ITEM.matcher(pom);
        while (m.find()) {
            String item = m.group(1);
            String coordinates = element(item, "groupId") + ":" + element(item, "artifactId") + ":"
                    + element(item, "version");
            Matcher p = PROPERTY.matcher(coordinates);
            StringBuilder resolved = new StringBuilder();
            while (p.find()) {
                p.appendReplacement(resolved, Matcher.quoteReplacement(element(root, p.group(1))));
            }
            p.appendTail(resolved);
            String includes = element(item, "includes");
            inputs.add("`" + resolved + "`" + (includes.isEmpty() ? "" : ": " + includes.replace(",", ", ")));
        }
        return inputs;
    }

    private static String element(String xml, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">\\s*([^<]*?)\\s*</" + Pattern.quote(name) + ">")
                .matcher(xml);
        return m.find() ? m.group(1) : "";
    }

    private static String via(Node n) {
        if (n.parent() == null) {
            return "declared";
        }
        List<String> path = new ArrayList<>();
        for (Node p = n.parent(); p != null; p = p.parent()) {
            path.add(0, p.artifact());
        }
        return "via " + String.join(" > ", path);
    }

    static List<Node> parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<Node> nodes = new ArrayList<>();
        List<Node> stack = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            int start = 0;
            while (start < line.length() && " |+-\\".indexOf(line.charAt(start)) >= 0) {
                start++;
            }
            int depth = start / 3;
            String rest = line.substring(start);
            int space = rest.indexOf(' ');
            String coordinates = space < 0 ? rest : rest.substring(0, space);
            boolean optional = space >= 0 && rest.substring(space).contains("(optional)");
            String[] p = coordinates.split(":");
            if (depth < 1 || p.length < 5 || p.length > 6) {
                throw new IllegalArgumentException(file + ": cannot read dependency tree line: " + line);
            }
            while (stack.size() >= depth) {
                stack.remove(stack.size() - 1);
            }
            Node parent = stack.isEmpty() ? null : stack.get(stack.size() - 1);
            String classifier = p.length == 6 ? p[3] : "";
            Node node = new Node(p[0], p[1], classifier, p[p.length - 2], p[p.length - 1], optional, parent);
            stack.add(node);
            nodes.add(node);
        }
        return nodes;
    }
}
