package dev.agentrt.tools.internal.git;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.CheckoutConflictException;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/** {@code git_branch}: list branches, switch to one, or create one and switch to it. */
final class BranchTool extends GitTool {
    static final String NAME = "git_branch";

    BranchTool(GitSettings settings) {
        super(settings, NAME, """
                Without `name`: list the local branches, the current one marked with '*'. With `name`: switch \
                to that branch, updating the working tree (refused if uncommitted changes would be lost); with \
                create=true, first create it at `start_point` (default HEAD), like `git switch -c`.""",
                """
                        {"type":"object","properties":{
                          "name":{"type":"string","minLength":1,"description":"the branch to switch to"},
                          "create":{"type":"boolean","description":"create the branch first (default false)"},
                          "start_point":{"type":"string","minLength":1,"description":"where a new branch starts (default HEAD)"}},
                         "additionalProperties":false}""");
    }

    @Override
    public List<Capability> requiredCapabilities(JsonObject arguments) {
        if (arguments.getString("name").isEmpty()) {
            return List.of(readRepository());
        }
        return List.of(readRepository(), Capability.fileWrite(settings.root()));
    }

    @Override
    ToolResult run(Git git, JsonObject arguments, ToolContext context) throws IOException, GitAPIException {
        Repository repo = git.getRepository();
        String name = arguments.getString("name").orElse(null);
        if (name == null) {
            return list(git, repo);
        }
        boolean create = arguments.getBoolean("create").orElse(false);
        String start = arguments.getString("start_point").orElse(null);
        if (start != null && !create) {
            throw GitException.invalid("start_point is only for a new branch (create=true)");
        }
        if (name.startsWith("-") || !Repository.isValidRefName(Constants.R_HEADS + name)) {
            throw GitException.invalid(Repo.quote(name) + " is not a valid branch name");
        }
        Ref existing = repo.exactRef(Constants.R_HEADS + name);
        if (create && existing != null) {
            throw GitException.invalid("a branch named " + name + " already exists; switch to it with create=false");
        }
        if (!create && existing == null) {
            throw GitException.invalid("there is no branch named " + name + "; create it with create=true");
        }
        if (repo.resolve(Constants.HEAD + "^{commit}") == null) {
            throw GitException.invalid("the repository has no commits yet; commit first, then branch");
        }
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit target = commit(repo, walk, create
                    ? (start == null ? Constants.HEAD : start)
                    : Constants.R_HEADS + name);
            checkPathsToWrite(repo, walk, target);
            git.checkout().setName(name).setCreateBranch(create).setStartPoint(create ? target : null).call();
            return ToolResult.text((create ? "Switched to a new branch " : "Switched to branch ") + name + " at "
                    + target.abbreviate(7).name() + ": " + target.getShortMessage());
        } catch (CheckoutConflictException e) {
            throw GitException.invalid("switching to " + name + " would overwrite uncommitted changes in: "
                    + String.join(", ", e.getConflictingPaths()) + "; commit them first (nothing was changed)");
        }
    }

    /** Refuses a switch that would write through a symbolic link to a directory of the work tree. */
    private void checkPathsToWrite(Repository repo, RevWalk walk, RevCommit target) throws IOException {
        ObjectId head = repo.resolve(Constants.HEAD + "^{tree}");
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(head);
            tw.addTree(walk.parseCommit(target).getTree());
            tw.setRecursive(true);
            tw.setFilter(TreeFilter.ANY_DIFF);
            while (tw.next()) {
                String path = tw.getPathString();
                Repo.noLinkOnTheWay(settings.root(), Arrays.asList(path.split("/", -1)), false, Repo.quote(path));
            }
        }
    }

    private static ToolResult list(Git git, Repository repo) throws IOException, GitAPIException {
        String current = repo.getFullBranch();
        var out = new StringBuilder();
        for (Ref ref : git.branchList().call()) {
            out.append(ref.getName().equals(current) ? "* " : "  ")
                    .append(Repository.shortenRefName(ref.getName()))
                    .append('\n');
        }
        return ToolResult.text(out.isEmpty() ? "No branches yet (no commits)." : out.toString().stripTrailing());
    }
}
