package dev.agentrt.tools.internal.git;

import dev.agentrt.core.internal.fs.Confined;
import dev.agentrt.core.internal.fs.Dir;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code git_format_patch}: the commits after a base as a patch series in {@code git format-patch} form, plus a
 * pull-request description ({@code PR.md}), written to a directory of the repository.
 */
final class FormatPatchTool extends GitTool {
    static final String NAME = "git_format_patch";
    static final String DESCRIPTION_FILE = "PR.md";
    private static final String DEFAULT_DIR = "patches";

    FormatPatchTool(GitSettings settings) {
        super(settings, NAME, """
                Write the commits after `base` (up to `head`, default HEAD) as a patch series, one file per \
                commit in `git format-patch` form (0001-subject.patch, ...; `git am` applies them), and a \
                pull-request description PR.md with `title`, `description`, the commits and the files changed. \
                Files go to `output_dir` (relative to the repository, default "patches"); they are not part of \
                the change, so do not git_add them. Merge commits are skipped, as git does.""",
                """
                        {"type":"object","properties":{
                          "base":{"type":"string","minLength":1,"description":"the revision the change is based on, e.g. main"},
                          "head":{"type":"string","minLength":1,"description":"the last commit of the change (default HEAD)"},
                          "output_dir":{"type":"string","minLength":1,"description":"directory for the files (default patches)"},
                          "title":{"type":"string","minLength":1,"description":"the pull request's title (default: the first commit's subject)"},
                          "description":{"type":"string","description":"the pull request's description: what changed and why"}},
                         "required":["base"],"additionalProperties":false}""");
    }

    private List<String> outputDir(JsonObject arguments) {
        return relative(arguments.getString("output_dir").orElse(DEFAULT_DIR), "output_dir");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(readRepository(), Capability.fileWrite(absolute(outputDir(arguments))));
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException {
        Repository repo = git.getRepository();
        List<String> dirNames = outputDir(arguments);
        String dirShown = dirNames.isEmpty() ? "." : String.join("/", dirNames);
        var commits = new ArrayList<RevCommit>();
        int merges = 0;
        Map<String, byte[]> files = new LinkedHashMap<>();
        var stats = new ArrayList<Patches.Stat>();
        try (RevWalk walk = new RevWalk(repo); ObjectReader reader = repo.newObjectReader()) {
            RevCommit base = commit(repo, walk, arguments.getString("base").orElseThrow());
            RevCommit head = commit(repo, walk, arguments.getString("head").orElse("HEAD"));
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.REVERSE, true);
            walk.markStart(head);
            walk.markUninteresting(base);
            for (RevCommit c : walk) {
                if (c.getParentCount() > 1) {
                    merges++;
                } else {
                    commits.add(c);
                }
            }
            if (commits.isEmpty()) {
                throw GitException.invalid("there are no commits after " + arguments.getString("base").orElseThrow()
                        + " up to " + arguments.getString("head").orElse("HEAD") + (merges > 0 ? " but merges" : "")
                        + "; commit the change first (git_commit)");
            }
            for (int i = 0; i < commits.size(); i++) {
                RevCommit c = commits.get(i);
                RevTree parent = c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0)).getTree();
                byte[] mail = Patches.mail(repo, reader, c, parent, i + 1, commits.size(), settings.maxFileBytes(),
                        stats);
                files.put(Patches.fileName(i + 1, c.getShortMessage()), mail);
            }
        }
        String title = arguments.getString("title").orElse(commits.getFirst().getShortMessage());
        files.put(DESCRIPTION_FILE, description(title, arguments.getString("description").orElse(""), commits, stats)
                .getBytes(StandardCharsets.UTF_8));
        try (Dir dir = Confined.openReal(settings.root(), dirNames, true)) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Confined.writeAtomically(dir, f.getKey(), f.getValue());
            }
        }
        return ToolResult.text("Wrote " + commits.size() + (commits.size() == 1 ? " patch" : " patches") + " and "
                + DESCRIPTION_FILE + " to " + dirShown + "/: " + String.join(", ", files.keySet())
                + (merges > 0 ? " (" + merges + " merge commit" + (merges == 1 ? "" : "s") + " skipped)" : "")
                + ". They apply with `git am " + dirShown + "/*.patch`.");
    }

    private static String description(String title, String description, List<RevCommit> commits,
            List<Patches.Stat> stats) {
        var md = new StringBuilder();
        md.append("# ").append(title.strip()).append("\n\n");
        if (!description.isBlank()) {
            md.append(description.strip()).append("\n\n");
        }
        md.append("## Commits\n\n");
        for (RevCommit c : commits) {
            md.append("- ").append(c.abbreviate(7).name()).append(' ').append(c.getShortMessage()).append('\n');
        }
        Map<String, int[]> byPath = new LinkedHashMap<>();
        var binary = new java.util.HashSet<String>();
        for (Patches.Stat s : stats) {
            int[] n = byPath.computeIfAbsent(s.path(), p -> new int[2]);
            n[0] += s.insertions();
            n[1] += s.deletions();
            if (s.binary()) {
                binary.add(s.path());
            }
        }
        md.append("\n## Files changed\n\n");
        for (Map.Entry<String, int[]> e : byPath.entrySet()) {
            md.append("- `")
                    .append(e.getKey())
                    .append("` ")
                    .append(binary.contains(e.getKey())
                            ? "(binary)"
                            : "(+" + e.getValue()[0] + " -" + e.getValue()[1] + ")")
                    .append('\n');
        }
        return md.toString();
    }
}
