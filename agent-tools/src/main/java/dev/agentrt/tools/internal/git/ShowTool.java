package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** {@code git_show}: one commit's metadata, message and diff against its first parent. */
final class ShowTool extends GitTool {
    static final String NAME = "git_show";

    ShowTool(GitSettings settings) {
        super(settings, NAME, """
                Show one commit, like `git show`: its id, author, date, full message and the diff it \
                introduced (against its first parent). `rev` defaults to HEAD.""", """
                {"type":"object","properties":{
                  "rev":{"type":"string","minLength":1,"description":"the commit to show (default HEAD)"}},
                 "additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        return List.of(readRepository());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException {
        Repository repo = git.getRepository();
        var out = new Capped(settings.maxOutputChars());
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit c = commit(repo, walk, arguments.getString("rev").orElse("HEAD"));
            PersonIdent a = c.getAuthorIdent();
            var head = new StringBuilder();
            head.append("commit ").append(c.name()).append('\n');
            if (c.getParentCount() > 1) {
                head.append("Merge:");
                for (RevCommit p : c.getParents()) {
                    head.append(' ').append(p.abbreviate(7).name());
                }
                head.append('\n');
            }
            head.append("Author: ").append(a.getName()).append(" <").append(a.getEmailAddress()).append(">\n");
            head.append("Date:   ")
                    .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            a.getWhenAsInstant().atZone(a.getZoneId())))
                    .append("\n\n");
            for (String line : c.getFullMessage().stripTrailing().split("\n", -1)) {
                head.append("    ").append(line).append('\n');
            }
            head.append('\n');
            try (DiffFormatter f = Diffs.formatter(repo, out, settings)) {
                try {
                    out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                    f.format(c.getParentCount() == 0 ? null : walk.parseCommit(c.getParent(0)).getTree(), c.getTree());
                    f.flush();
                } catch (Capped.Full e) {
                    // The text so far is returned with a note.
                }
            }
        }
        return ToolResult.text(out.text("use git_diff with from, to and paths to see parts of it").stripTrailing());
    }
}
