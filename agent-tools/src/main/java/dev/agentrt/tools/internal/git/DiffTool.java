package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.dircache.DirCacheIterator;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code git_diff}: work tree against the index, the index against HEAD, or between two revisions. */
final class DiffTool extends GitTool {
    static final String NAME = "git_diff";

    DiffTool(GitSettings settings) {
        super(settings, NAME, """
                Show changes as a unified diff, like `git diff`. With no arguments: changes in the working tree \
                not yet staged. staged=true: changes staged for the next commit (against HEAD, or against `from`). \
                `from` alone: the working tree against that revision. `from` and `to`: between two revisions \
                (branches, tags, commit ids, HEAD~1...). `paths` limits the diff to those files or directories.""",
                """
                        {"type":"object","properties":{
                          "staged":{"type":"boolean","description":"diff the staged changes (the index) instead of the working tree"},
                          "from":{"type":"string","minLength":1,"description":"the old revision"},
                          "to":{"type":"string","minLength":1,"description":"the new revision (needs from)"},
                          "paths":{"type":"array","items":{"type":"string","minLength":1},
                                   "description":"files or directories to limit the diff to, relative to the repository"}},
                         "additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        paths(arguments);
        return List.of(readRepository());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    private List<String> paths(JsonObject arguments) {
        var out = new ArrayList<String>();
        for (String raw : strings(arguments, "paths")) {
            List<String> names = relative(raw, "path");
            if (!names.isEmpty()) {
                out.add(String.join("/", names));
            }
        }
        return out;
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException {
        Repository repo = git.getRepository();
        boolean staged = arguments.getBoolean("staged").orElse(false);
        String from = arguments.getString("from").orElse(null);
        String to = arguments.getString("to").orElse(null);
        if (to != null && from == null) {
            throw GitException.invalid("`to` needs `from`: give both revisions to compare");
        }
        if (to != null && staged) {
            throw GitException.invalid("staged compares the index; it cannot be combined with `to`");
        }
        List<String> paths = paths(arguments);
        try (ObjectReader reader = repo.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            AbstractTreeIterator oldTree;
            AbstractTreeIterator newTree;
            if (to != null) {
                oldTree = tree(reader, walk, repo, from);
                newTree = tree(reader, walk, repo, to);
            } else if (staged) {
                oldTree = from != null ? tree(reader, walk, repo, from) : head(reader, walk, repo);
                newTree = new DirCacheIterator(repo.readDirCache());
            } else if (from != null) {
                oldTree = tree(reader, walk, repo, from);
                newTree = new WorkTreeIterator(repo);
            } else {
                oldTree = new DirCacheIterator(repo.readDirCache());
                newTree = new WorkTreeIterator(repo);
            }
            var out = new Capped(settings.maxOutputChars());
            try (DiffFormatter f = Diffs.formatter(repo, out, settings)) {
                if (!paths.isEmpty()) {
                    f.setPathFilter(PathFilterGroup.createFromStrings(paths));
                }
                List<DiffEntry> entries = f.scan(oldTree, newTree);
                if (entries.isEmpty()) {
                    return ToolResult.text("No differences.");
                }
                try {
                    f.format(entries);
                    f.flush();
                } catch (Capped.Full e) {
                    // The text so far is returned with a note.
                }
            }
            return ToolResult.text(out.text("limit the diff with `paths` to see the rest"));
        }
    }

    private static AbstractTreeIterator head(ObjectReader reader, RevWalk walk, Repository repo) throws IOException {
        return repo.resolve("HEAD^{commit}") == null ? new EmptyTreeIterator() : tree(reader, walk, repo, "HEAD");
    }

    static AbstractTreeIterator tree(ObjectReader reader, RevWalk walk, Repository repo, String rev)
            throws IOException {
        return new CanonicalTreeParser(null, reader, commit(repo, walk, rev).getTree());
    }
}
