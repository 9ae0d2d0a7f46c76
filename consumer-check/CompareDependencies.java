import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Compares what a consumer project resolves with what agentrt's own build resolved and tested, from the
 * text trees {@code mvn dependency:tree -DoutputFile=...} writes. Runs with the JDK's source launcher
 * ({@code java CompareDependencies.java ...}, Java 17 or later) and needs nothing but the JDK.
 *
 * <pre>
 * module &lt;module&gt; &lt;module's own tree&gt; &lt;consumer's tree&gt; [&lt;add-on&gt; &lt;add-on's own tree&gt; [&lt;forbidden&gt;]]
 *     A consumer that depends on the module alone, with no BOM and no pins, must resolve every artifact
 *     the module's build had at compile or runtime scope at the same version, nothing else, and none of
 *     the module's optional dependencies. With an add-on (another agentrt module the consumer adds, one
 *     that is optional in the module: agent-inference for agent-memory), the consumer must also resolve
 *     exactly what the add-on's own build had; "none" for no add-on. {@code forbidden} is a file of
 *     groupId[:artifactId] prefixes, one a line ({@code #} starts a comment), that the consumer must not
 *     resolve at all, whatever the trees say (a file that does not exist forbids nothing).
 * bom &lt;consumer's tree&gt; &lt;consumer's effective POM&gt; &lt;module tree&gt;...
 *     A consumer that imports agent-bom and depends on every module and optional add-on without
 *     versions must resolve exactly what the modules' builds had; and agent-bom must manage every one
 *     of those artifacts at the version the build tested, so that other dependencies of the
 *     consumer cannot move them.
 * </pre>
 *
 * Exits with status 1 after printing every difference, naming the artifact and both versions.
 */
public final class CompareDependencies {
    private CompareDependencies() {}

    /** One resolved artifact of a tree: {@code key} is groupId:artifactId:type[:classifier]. */
    record Resolved(String key, String version, String scope, boolean optional, boolean underOptional,
            String via) {
        boolean runtime() {
            return scope.equals("compile") || scope.equals("runtime");
        }
    }

    /** A parsed tree: its root (the project) and every other node, by key. */
    record Tree(String rootKey, String rootVersion, Map<String, Resolved> nodes) {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 4 && args[0].equals("module")) {
            String addon = args.length >= 6 && !args[4].equals("none") ? args[4] : null;
            Path addonTree = addon == null ? null : Path.of(args[5]);
            Path forbidden = args.length >= 7 ? Path.of(args[6]) : null;
            System.exit(module(args[1], Path.of(args[2]), Path.of(args[3]), addon, addonTree, forbidden));
        } else if (args.length >= 4 && args[0].equals("bom")) {
            List<Path> modules = new ArrayList<>();
            for (int i = 3; i < args.length; i++) {
                modules.add(Path.of(args[i]));
            }
            System.exit(bom(Path.of(args[1]), Path.of(args[2]), modules));
        } else {
            System.err.println("usage: CompareDependencies module <module> <module-tree> <consumer-tree>"
                    + " [<add-on>|none <add-on-tree>|none [<forbidden-file>]]");
            System.err.println("       CompareDependencies bom <consumer-tree> <effective-pom> <module-tree>...");
            System.exit(2);
        }
    }

    static int module(String module, Path buildTree, Path consumerTree, String addon, Path addonTree,
            Path forbiddenFile) throws IOException {
        Tree build = parse(buildTree);
        Tree consumer = parse(consumerTree);
        String self = "dev.agentrt:" + module + ":jar";
        List<String> problems = new ArrayList<>();
        List<String> forbidden = forbiddenFile != null && Files.exists(forbiddenFile)
                ? Files.readAllLines(forbiddenFile).stream()
                        .map(line -> line.replaceFirst("#.*", "").strip())
                        .filter(line -> !line.isEmpty())
                        .toList()
                : List.of();
        for (Resolved got : consumer.nodes().values()) {
            for (String prefix : forbidden) {
                if (got.key().startsWith(prefix)) {
                    problems.add(got.key() + ": a consumer of " + module + " gets " + got.version() + " (via "
                            + got.via() + "), which " + forbiddenFile + " forbids (" + prefix + ")");
                }
            }
        }
        Tree addonBuild = null;
        String addonSelf = null;
        if (addon != null) {
            addonBuild = parse(addonTree);
            addonSelf = "dev.agentrt:" + addon + ":jar";
            Resolved declared = build.nodes().get(addonSelf);
            if (declared == null || !declared.optional()) {
                problems.add(addonSelf + ": checked as an add-on of " + module + ", but " + module
                        + "'s build does not have it as an optional dependency");
            }
            for (Resolved tested : addonBuild.nodes().values()) {
                if (tested.runtime() && !tested.underOptional() && !consumer.nodes().containsKey(tested.key())) {
                    problems.add(tested.key() + ": " + addon + "'s build had " + tested.version() + " at "
                            + tested.scope() + " scope (via " + tested.via() + "), a consumer of " + module + " and "
                            + addon + " does not get it");
                }
            }
        }
        for (Resolved got : consumer.nodes().values()) {
            if (got.key().equals(self) || got.key().equals(addonSelf)) {
                continue;
            }
            Resolved viaAddon = addonBuild == null ? null : addonBuild.nodes().get(got.key());
            if (viaAddon != null && viaAddon.runtime() && !viaAddon.underOptional()) {
                if (!viaAddon.version().equals(got.version())) {
                    problems.add(got.key() + ": " + addon + "'s build tested " + viaAddon.version()
                            + ", a consumer of " + module + " and " + addon + " gets " + got.version() + " (via "
                            + got.via() + ")");
                }
                continue;
            }
            Resolved tested = build.nodes().get(got.key());
            if (tested == null) {
                problems.add(got.key() + ": a consumer of " + module + " gets " + got.version() + " (via "
                        + got.via() + "), which " + module + "'s build did not have at all");
            } else if (!tested.runtime()) {
                problems.add(got.key() + ": a consumer of " + module + " gets " + got.version() + " (via "
                        + got.via() + "), which " + module + "'s build had only in " + tested.scope()
                        + " scope");
            } else if (!tested.version().equals(got.version())) {
                problems.add(got.key() + ": " + module + "'s build tested " + tested.version()
                        + ", a consumer of " + module + " gets " + got.version() + " (via " + got.via() + ")");
            } else if (tested.optional()) {
                problems.add(got.key() + ": optional in " + module + ", yet a consumer of " + module + " gets it"
                        + " (via " + got.via() + ")");
            }
        }
        for (Resolved tested : build.nodes().values()) {
            if (tested.runtime() && !tested.underOptional() && !consumer.nodes().containsKey(tested.key())) {
                problems.add(tested.key() + ": " + module + "'s build had " + tested.version() + " at "
                        + tested.scope() + " scope (via " + tested.via() + "), a consumer of " + module
                        + " does not get it");
            }
        }
        String who = addon == null ? module + " alone" : module + " and " + addon;
        return report("a consumer of " + who + " (no BOM, no pins)", consumer.nodes().size(), problems);
    }

    static int bom(Path consumerTree, Path effectivePom, List<Path> moduleTrees) throws Exception {
        List<String> problems = new ArrayList<>();
        Map<String, Resolved> tested = new TreeMap<>();
        Map<String, String> testedBy = new LinkedHashMap<>();
        String agentrtVersion = null;
        for (Path file : moduleTrees) {
            Tree tree = parse(file);
            String module = tree.rootKey();
            agentrtVersion = tree.rootVersion();
            for (Resolved r : tree.nodes().values()) {
                if (!r.runtime() || r.key().startsWith("dev.agentrt:")) {
                    continue;
                }
                Resolved earlier = tested.putIfAbsent(r.key(), r);
                if (earlier == null) {
                    testedBy.put(r.key(), module);
                } else if (!earlier.version().equals(r.version())) {
                    problems.add(r.key() + ": " + testedBy.get(r.key()) + "'s build resolves " + earlier.version()
                            + ", " + module + "'s build " + r.version());
                }
            }
        }
        Tree consumer = parse(consumerTree);
        for (Resolved got : consumer.nodes().values()) {
            if (got.key().startsWith("dev.agentrt:")) {
                if (!got.version().equals(agentrtVersion)) {
                    problems.add(got.key() + ": the build made " + agentrtVersion + ", the consumer gets "
                            + got.version());
                }
                continue;
            }
            Resolved want = tested.get(got.key());
            if (want == null) {
                problems.add(got.key() + ": the consumer gets " + got.version() + " (via " + got.via()
                        + "), which no module's build had");
            } else if (!want.version().equals(got.version())) {
                problems.add(got.key() + ": " + testedBy.get(got.key()) + "'s build tested " + want.version()
                        + ", the consumer gets " + got.version() + " (via " + got.via() + ")");
            }
        }
        Map<String, String> managed = managedVersions(effectivePom);
        for (Resolved want : tested.values()) {
            if (!consumer.nodes().containsKey(want.key())) {
                problems.add(want.key() + ": " + testedBy.get(want.key()) + "'s build had " + want.version()
                        + ", the consumer does not get it");
            }
            String pinned = managed.get(want.key());
            if (pinned == null) {
                problems.add(want.key() + ": agent-bom does not manage it; " + testedBy.get(want.key())
                        + "'s build tests " + want.version() + " (via " + want.via() + ")");
            } else if (!pinned.equals(want.version())) {
                problems.add(want.key() + ": agent-bom manages " + pinned + ", " + testedBy.get(want.key())
                        + "'s build tests " + want.version());
            }
        }
        return report("a consumer importing agent-bom", consumer.nodes().size(), problems);
    }

    private static int report(String who, int artifacts, List<String> problems) {
        if (problems.isEmpty()) {
            System.out.println("consumer check: " + who + " resolves the " + artifacts
                    + " artifacts the build tested, at the tested versions");
            return 0;
        }
        System.err.println();
        System.err.println("consumer check FAILED: " + who + " does not resolve what the build tested ("
                + problems.size() + " differences):");
        for (String p : problems) {
            System.err.println("  - " + p);
        }
        System.err.println();
        return 1;
    }

    /**
     * Reads a tree as {@code maven-dependency-plugin:tree} writes it in its text form:
     * <pre>
     * g:a:jar:1.0
     * +- g:b:jar:2.0:compile
     * |  \- g:c:jar:tests:3.0:test
     * \- g:d:jar:4.0:runtime (optional)
     * </pre>
     */
    static Tree parse(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty: not a dependency tree");
        }
        String[] root = lines.get(0).strip().split(":");
        if (root.length < 4) {
            throw new IllegalArgumentException(file + ": not a dependency tree root: " + lines.get(0));
        }
        String rootKey = root[0] + ":" + root[1];
        String rootVersion = root[root.length - 1];
        Map<String, Resolved> nodes = new LinkedHashMap<>();
        List<Boolean> optionalAbove = new ArrayList<>();
        List<String> path = new ArrayList<>();
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
            String key = p[0] + ":" + p[1] + ":" + p[2] + (p.length == 6 ? ":" + p[3] : "");
            String version = p[p.length - 2];
            String scope = p[p.length - 1];
            while (optionalAbove.size() >= depth) {
                optionalAbove.remove(optionalAbove.size() - 1);
                path.remove(path.size() - 1);
            }
            boolean underOptional = optional || (!optionalAbove.isEmpty() && optionalAbove.get(depth - 2));
            optionalAbove.add(underOptional);
            path.add(p[0] + ":" + p[1]);
            String via = path.size() == 1 ? "direct" : String.join(" > ", path.subList(0, path.size() - 1));
            if (nodes.putIfAbsent(key, new Resolved(key, version, scope, optional, underOptional, via)) != null) {
                throw new IllegalArgumentException(file + ": " + key + " appears twice in the tree");
            }
        }
        return new Tree(rootKey, rootVersion, nodes);
    }

    /** The dependencyManagement of an effective POM ({@code help:effective-pom}), by key. */
    static Map<String, String> managedVersions(Path effectivePom) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        var document = factory.newDocumentBuilder().parse(effectivePom.toFile());
        Map<String, String> managed = new TreeMap<>();
        NodeList sections = document.getElementsByTagName("dependencyManagement");
        for (int s = 0; s < sections.getLength(); s++) {
            Node section = sections.item(s);
            if (!(section.getParentNode() instanceof Element parent) || !parent.getTagName().equals("project")) {
                continue;
            }
            NodeList dependencies = ((Element) section).getElementsByTagName("dependency");
            for (int i = 0; i < dependencies.getLength(); i++) {
                Element d = (Element) dependencies.item(i);
                String type = text(d, "type", "jar");
                String classifier = text(d, "classifier", "");
                String key = text(d, "groupId", "") + ":" + text(d, "artifactId", "") + ":" + type
                        + (classifier.isEmpty() ? "" : ":" + classifier);
                managed.putIfAbsent(key, text(d, "version", ""));
            }
        }
        return managed;
    }

    private static String text(Element dependency, String child, String otherwise) {
        for (Node n = dependency.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(child)) {
                return e.getTextContent().strip();
            }
        }
        return otherwise;
    }
}
