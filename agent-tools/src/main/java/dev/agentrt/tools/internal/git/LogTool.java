package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.MaxCountRevFilter;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code git_log}: the commits reachable from a revision, newest first, one line each. */
final class LogTool extends GitTool {
    static final String NAME = "git_log";

    LogTool(GitSettings settings) {
        super(settings, NAME, """
                List commits, newest first, one per line: abbreviated id, date, author and subject, like \
                `git log --oneline`. `rev` is where to start (default HEAD); `path` lists only commits that change \
                that file or directory. Use git_show to see one commit in full.""", """
                {"type":"object","properties":{
                  "rev":{"type":"string","minLength":1,"description":"the revision to start from (default HEAD)"},
                  "max_count":{"type":"integer","minimum":1,"description":"most commits to list (default 20)"},
                  "path":{"type":"string","minLength":1,"description":"only commits changing this path"}},
                 "additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        arguments.getString("path").ifPresent(p -> relative(p, "path"));
        return List.of(readRepository());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException {
        Repository repo = git.getRepository();
        String rev = arguments.getString("rev").orElse("HEAD");
        int max = (int) Math.min(arguments.getLong("max_count").orElse(20L), settings.maxLogEntries());
        String path = arguments.getString("path").map(p -> String.join("/", relative(p, "path"))).orElse("");
        if (rev.equals("HEAD") && repo.resolve("HEAD^{commit}") == null) {
            return ToolResult.text("No commits yet on branch " + repo.getBranch() + ".");
        }
        var out = new StringBuilder();
        int shown = 0;
        try (RevWalk walk = new RevWalk(repo)) {
            walk.markStart(commit(repo, walk, rev));
            if (!path.isEmpty()) {
                walk.setTreeFilter(AndTreeFilter.create(PathFilter.create(path), TreeFilter.ANY_DIFF));
            }
            walk.setRevFilter(MaxCountRevFilter.create(max + 1));
            for (RevCommit c : walk) {
                if (shown == max) {
                    out.append("[... more commits follow: raise max_count (at most ")
                            .append(settings.maxLogEntries())
                            .append(") or start from an older rev]\n");
                    break;
                }
                PersonIdent a = c.getAuthorIdent();
                out.append(c.abbreviate(7).name())
                        .append(' ')
                        .append(DateTimeFormatter.ISO_LOCAL_DATE.format(a.getWhenAsInstant().atZone(a.getZoneId())))
                        .append(' ')
                        .append(a.getName())
                        .append(": ")
                        .append(c.getShortMessage())
                        .append('\n');
                shown++;
                if (out.length() > settings.maxOutputChars()) {
                    break;
                }
            }
        }
        String text = out.length() > settings.maxOutputChars()
                ? out.substring(0, settings.maxOutputChars()) + "\n[... truncated: output limit reached]"
                : out.toString();
        return ToolResult.text(text.isEmpty() ? "No commits match." : text.stripTrailing());
    }
}
