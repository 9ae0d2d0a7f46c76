package dev.agentrt.tools.git;

import dev.agentrt.core.egress.EgressLimits;
import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.UrlGuard;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.tools.internal.git.GitSettings;
import dev.agentrt.tools.internal.git.GitToolSet;
import dev.agentrt.tools.internal.git.HttpRemote;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Git tools for one repository, on JGit: {@code git_status}, {@code git_diff}, {@code git_log}, {@code git_show},
 * {@code git_branch} (list, switch, create), {@code git_add}, {@code git_commit}, {@code git_format_patch} (the
 * change as a patch series {@code git am} applies, plus a pull-request description {@code PR.md}) and, only when
 * {@link Builder#pushTo(Path)} or {@link Builder#pushTo(URI)} names a repository, {@code git_push}.
 *
 * <pre>{@code
 * GitTools git = GitTools.builder(repo).author("Fixer Bot", "fixer@example.com").build();
 * Agent agent = Agent.builder()
 *     .model(model)
 *     .tools(git.tools())
 *     .grant(Capability.fileRead(repo), Capability.fileWrite(repo), GitTools.commitCapability())
 *     .build();
 * }</pre>
 *
 * <h2>Capabilities</h2>
 * Each call asks for what it touches and the registry checks that against the task's grants before the call runs:
 * every tool {@code FileRead} of the repository; {@code git_add} also {@code FileRead} of each path it stages and
 * {@code FileWrite} of {@code .git}; {@code git_commit} {@code FileWrite} of {@code .git} and the custom capability
 * {@code git:commit} scoped to the repository's real path ({@link #commitCapability()} grants it for any
 * repository); {@code git_branch} switching {@code FileWrite} of the repository (it rewrites the work tree);
 * {@code git_format_patch} {@code FileWrite} of its output directory; {@code git_push} {@code FileWrite} of the
 * bare repository pushed to, or {@code Capability.net(host, port)} of the smart-HTTP(S) remote pushed to. Nothing is
 * pushed unless the application builds the set with {@code pushTo}.
 *
 * <h2>Pushing over the network</h2>
 * <pre>{@code
 * GitTools git = GitTools.builder(repo)
 *     .pushTo(URI.create("https://git.example.com/team/project.git"))
 *     .pushCredentials("x-access-token", () -> System.getenv("GIT_TOKEN"))
 *     .build();
 * agent = Agent.builder().tools(git.tools())
 *     .grant(Capability.fileRead(repo), Capability.net("git.example.com", 443))
 *     .build();
 * }</pre>
 * An {@code http://} or {@code https://} remote speaks git's smart HTTP protocol through agent-core's egress layer,
 * like the web tools: the host is resolved once per request, every address checked against the task's grants (a
 * loopback or private address needs a grant that allows private addresses, or one naming the address), the
 * connection made to a checked address, TLS verified with the JDK's trust store against the remote's host name. No
 * request goes to another origin: a redirect to another host, port or scheme fails the push before any connection.
 * Credentials come from {@link Builder#pushCredentials} only (never from {@code ~/.git-credentials}, the URL, a
 * Kerberos ticket or JGit's default credentials provider), are sent as HTTP Basic to the remote's origin only, and
 * are never logged; over plain {@code http://} they travel unencrypted, as with git itself. The repository's
 * {@code http.*} configuration cannot send cookies or credentials, add headers other than the few git's protocol
 * uses ({@code http.extraHeader}), switch TLS verification off or set a proxy; one naming {@code http.cookieFile} is
 * refused. A push sends at most {@link Builder#maxPushBytes} (the pack is buffered in memory) and each HTTP request
 * ends within {@link Builder#pushTimeout}. {@code ssh://}, {@code git://} and
 * scp-like ({@code git@host:path}) remotes are not supported.
 *
 * <h2>A hostile repository</h2>
 * The repository is treated as attacker-controlled. Before JGit opens it, each call checks through the file
 * confinement layer that no link leads to the work tree, that {@code .git} is a directory of the work tree (not a
 * link, not a {@code gitdir:} file), that nothing in {@code .git} is a symbolic link, that the repository reads no
 * other repository's objects ({@code objects/info/alternates}, {@code commondir}) and that {@code .git/config}
 * includes no other file. The work tree is always the granted directory ({@code core.worktree} is ignored), the
 * {@code GIT_*} environment is not read, and JGit runs on a file system that never starts a program: hooks (also
 * under {@code core.hooksPath}) do not run, and a filter driver ({@code filter.x.clean} with
 * {@code .gitattributes}) makes the call fail with a {@code PERMISSION_DENIED} result instead of running. Links in
 * the work tree are read and staged as links, never followed; a path argument through a link, and a branch switch
 * that would write through one, are refused. A nested repository (a submodule's checkout) is read only when its
 * {@code .git} stays inside the repository. Path arguments may not leave the work tree or name {@code .git}. JGit
 * reads the work tree by path name, so these checks hold against what a repository contains, not against another
 * process racing a call.
 *
 * <h2>Limits</h2>
 * Diffs, {@code git_show} and {@code git_status} stop at {@link Builder#maxOutputChars} with a truncation note;
 * files larger than {@link Builder#maxFileBytes} or holding NUL bytes show as binary ({@code git_format_patch} writes
 * them as {@code GIT binary patch} literals); {@code git_log} lists at most {@link Builder#maxLogEntries} commits.
 *
 * <p>Immutable and thread-safe. The tools block (file I/O) and say so through {@link Tool#blocking()}, so the
 * registry runs them on {@code AgentSchedulers.blocking()}; each call opens the repository afresh.
 * {@link Builder#build()} resolves the repository's real path and so blocks briefly.
 */
public final class GitTools implements ToolSource {
    public static final String STATUS = "git_status";
    public static final String DIFF = "git_diff";
    public static final String LOG = "git_log";
    public static final String SHOW = "git_show";
    public static final String BRANCH = "git_branch";
    public static final String ADD = "git_add";
    public static final String COMMIT = "git_commit";
    public static final String FORMAT_PATCH = "git_format_patch";
    public static final String PUSH = "git_push";
    /** The most bytes read of one answer of a network remote (its advertised refs, the push's report). */
    private static final long MAX_RESPONSE_BYTES = 16L * 1024 * 1024;

    private final Builder settings;
    private final Path root;
    private final @Nullable Path pushRemote;
    private final @Nullable URI pushUrl;
    private final List<Tool> tools;

    private GitTools(Builder b, Path root, @Nullable Path pushRemote, @Nullable HttpRemote httpRemote) {
        this.settings = b.copy();
        this.root = root;
        this.pushRemote = pushRemote;
        this.pushUrl = httpRemote == null ? null : httpRemote.target().uri();
        this.tools = GitToolSet.create(new GitSettings(root, b.authorName, b.authorEmail, b.clock, b.zone,
                b.maxOutputChars, b.maxLogEntries, b.maxFileBytes, pushRemote, httpRemote), b.readOnly);
    }

    /** All tools but {@code git_push}, with the default limits and the repository's own author identity. */
    public static GitTools forRepository(Path repository) {
        return builder(repository).build();
    }

    /** A builder for tools on the repository whose work tree is {@code repository} (it holds {@code .git}). */
    public static Builder builder(Path repository) {
        return new Builder(repository);
    }

    /** The grant that lets {@code git_commit} commit in any repository: {@code Capability.custom("git:commit")}. */
    public static Capability commitCapability() {
        return Capability.custom(GitToolSet.COMMIT_CAPABILITY);
    }

    /** The grant that lets {@code git_commit} commit in {@code repository} only (its real path). */
    public static Capability commitCapability(Path repository) {
        return Capability.custom(GitToolSet.COMMIT_CAPABILITY, realPath(repository, "repository").toString());
    }

    /** A builder holding these settings, to make a variant. */
    public Builder toBuilder() {
        return settings.copy();
    }

    @Override
    public List<Tool> tools() {
        return tools;
    }

    /** The tool named {@code name} ({@link #STATUS}, ...), if this set has it. */
    public Optional<Tool> tool(String name) {
        Objects.requireNonNull(name, "name");
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst();
    }

    /** The real path of the repository's work tree: what the tools' capability requests are below. */
    public Path root() {
        return root;
    }

    /** The real path of the bare repository on this machine {@code git_push} pushes to, if it pushes to one. */
    public Optional<Path> pushRemote() {
        return Optional.ofNullable(pushRemote);
    }

    /** The (normalised) URL of the smart-HTTP(S) repository {@code git_push} pushes to, if it pushes to one. */
    public Optional<URI> pushUrl() {
        return Optional.ofNullable(pushUrl);
    }

    @Override
    public String toString() {
        return "GitTools[root=" + root + (settings.readOnly ? ", read-only" : "")
                + (pushRemote == null ? "" : ", push to " + pushRemote)
                + (pushUrl == null ? "" : ", push to " + pushUrl) + "]";
    }

    private static Path realPath(Path dir, String what) {
        Path p = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalArgumentException(what + " must be an existing directory: " + p);
        }
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " must be an existing directory: " + p + " (" + e + ")", e);
        }
    }

    /** Settings of a {@link GitTools}. Not thread-safe; {@link #build()} copies into an immutable set. */
    public static final class Builder {
        private final Path repository;
        private @Nullable String authorName;
        private @Nullable String authorEmail;
        private InstantSource clock = InstantSource.system();
        private ZoneId zone = ZoneOffset.UTC;
        private boolean readOnly;
        private int maxOutputChars = 50_000;
        private int maxLogEntries = 200;
        private int maxFileBytes = 4 * 1024 * 1024;
        private @Nullable Path pushTo;
        private @Nullable URI pushUrl;
        private @Nullable String pushUser;
        private @Nullable Supplier<String> pushPassword;
        private Duration pushTimeout = Duration.ofMinutes(2);
        private long maxPushBytes = 64L * 1024 * 1024;
        private Network network = Network.SYSTEM;

        private Builder(Path repository) {
            this.repository = Objects.requireNonNull(repository, "repository").toAbsolutePath().normalize();
        }

        private Builder copy() {
            Builder b = new Builder(repository);
            b.authorName = authorName;
            b.authorEmail = authorEmail;
            b.clock = clock;
            b.zone = zone;
            b.readOnly = readOnly;
            b.maxOutputChars = maxOutputChars;
            b.maxLogEntries = maxLogEntries;
            b.maxFileBytes = maxFileBytes;
            b.pushTo = pushTo;
            b.pushUrl = pushUrl;
            b.pushUser = pushUser;
            b.pushPassword = pushPassword;
            b.pushTimeout = pushTimeout;
            b.maxPushBytes = maxPushBytes;
            b.network = network;
            return b;
        }

        /** Who commits ({@code git_commit}'s author and committer); by default the repository's {@code user.name}. */
        public Builder author(String name, String email) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(email, "email");
            if (name.isBlank() || name.indexOf('<') >= 0 || name.indexOf('>') >= 0 || name.indexOf('\n') >= 0
                    || email.indexOf('<') >= 0 || email.indexOf('>') >= 0 || email.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("author name and email must be non-blank single lines without "
                        + "'<' or '>': " + name + " <" + email + ">");
            }
            this.authorName = name;
            this.authorEmail = email;
            return this;
        }

        /** The time commits are made at (default the system clock); a test passes a fixed one. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The time zone commits are recorded in (default UTC). */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** Only {@code git_status}, {@code git_diff}, {@code git_log} and {@code git_show}. */
        public Builder readOnly() {
            return readOnly(true);
        }

        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /** The longest result text (default 50,000); longer output ends with a truncation note. */
        public Builder maxOutputChars(int maxOutputChars) {
            this.maxOutputChars = maxOutputChars;
            return this;
        }

        /** The most commits {@code git_log} lists in one call (default 200). */
        public Builder maxLogEntries(int maxLogEntries) {
            this.maxLogEntries = maxLogEntries;
            return this;
        }

        /** Files larger than this (default 4 MiB) are shown as binary in diffs. */
        public Builder maxFileBytes(int maxFileBytes) {
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /**
         * Adds {@code git_push}, pushing branches to the repository at {@code remoteRepository} only: a bare
         * repository on this machine. The push runs in process, with no hook and no program run, and never forces.
         * Replaces a URL given to {@link #pushTo(URI)}.
         */
        public Builder pushTo(Path remoteRepository) {
            this.pushTo = Objects.requireNonNull(remoteRepository, "remoteRepository");
            this.pushUrl = null;
            return this;
        }

        /**
         * Adds {@code git_push}, pushing branches to {@code remote} only: an {@code http://} or {@code https://}
         * repository speaking git's smart HTTP protocol, reached through the egress layer under a
         * {@code Capability.net(host, port)} grant (see the class comment), or a {@code file:///} URL, which is
         * {@link #pushTo(Path)} of its path. The push never forces. Replaces a path given to {@link #pushTo(Path)}.
         *
         * @throws IllegalArgumentException for another scheme ({@code ssh}, {@code git}, {@code file://host/}...),
         *         a URL with user info (give credentials to {@link #pushCredentials}), a query or a fragment, or a
         *         URL the egress layer does not accept
         */
        public Builder pushTo(URI remote) {
            Objects.requireNonNull(remote, "remote");
            String scheme = remote.getScheme() == null ? "" : remote.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("file") && remote.getRawAuthority() == null && remote.getPath() != null
                    && remote.getRawQuery() == null && remote.getRawFragment() == null) {
                return pushTo(Path.of(remote));
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("git_push cannot push to " + remote + ": it supports http:// and "
                        + "https:// remotes (git's smart HTTP protocol) and bare repositories on this machine (a path, "
                        + "or a file:/// URL); ssh://, git://, scp-like (user@host:path) and file:// URLs naming "
                        + "another host are not supported");
            }
            if (remote.getRawUserInfo() != null) {
                throw new IllegalArgumentException("the push URL must not hold user info; give credentials to "
                        + "pushCredentials");
            }
            if (remote.getRawQuery() != null || remote.getRawFragment() != null) {
                throw new IllegalArgumentException("the push URL must not have a query or a fragment: " + remote);
            }
            try {
                UrlGuard.parse(remote.toString());
            } catch (UrlGuard.RefusedException e) {
                throw new IllegalArgumentException("the push URL is not usable: " + e.getMessage(), e);
            }
            this.pushUrl = remote;
            this.pushTo = null;
            return this;
        }

        /**
         * The credentials {@code git_push} sends to an http(s) remote, as HTTP Basic: {@code username} and the secret
         * {@code password} gives (a token, for most hosts), asked for at each push so it may rotate. Sent to the
         * remote's origin only, never after a redirect elsewhere, never logged. Without them a push that the remote
         * asks credentials for fails with {@code PERMISSION_DENIED}.
         */
        public Builder pushCredentials(String username, Supplier<String> password) {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            for (int i = 0; i < username.length(); i++) {
                char c = username.charAt(i);
                if (c == ':' || c < 0x20 || c == 0x7f) {
                    throw new IllegalArgumentException("the push user name must hold no ':' and no control "
                            + "character");
                }
            }
            this.pushUser = username;
            this.pushPassword = password;
            return this;
        }

        /** The longest one HTTP request of a network push may take, connection and TLS included (default 2 minutes). */
        public Builder pushTimeout(Duration timeout) {
            this.pushTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The most bytes one network push sends (the pack, buffered in memory; default 64 MiB). */
        public Builder maxPushBytes(long maxPushBytes) {
            this.maxPushBytes = maxPushBytes;
            return this;
        }

        /** The egress layer's resolver, connector, TLS and clock; for tests of this package. */
        Builder network(Network network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /**
         * Checks the settings and resolves the repository's real path (blocking briefly). Fails with
         * {@code IllegalArgumentException} naming the setting that is out of range, or the repository or push
         * remote when it is not an existing directory. The repository itself is checked at each call.
         */
        public GitTools build() {
            positive("maxOutputChars", maxOutputChars);
            positive("maxLogEntries", maxLogEntries);
            positive("maxFileBytes", maxFileBytes);
            positive("maxPushBytes", maxPushBytes);
            if (pushTimeout.isNegative() || pushTimeout.isZero()) {
                throw new IllegalArgumentException("pushTimeout must be positive, was " + pushTimeout);
            }
            if ((pushTo != null || pushUrl != null) && readOnly) {
                throw new IllegalArgumentException("pushTo cannot be combined with readOnly");
            }
            if (pushUser != null && pushUrl == null) {
                throw new IllegalArgumentException("pushCredentials needs an http(s) remote (pushTo(URI))");
            }
            Path real = realPath(repository, "repository");
            Path remote = pushTo == null ? null : realPath(pushTo, "pushTo");
            if (remote != null && (remote.startsWith(real) || real.startsWith(remote))) {
                throw new IllegalArgumentException("pushTo must be a repository outside " + real + ": " + remote);
            }
            HttpRemote http = pushUrl == null
                    ? null
                    : new HttpRemote(UrlGuard.parse(pushUrl.toString()), pushUser,
                            pushPassword, new EgressLimits(MAX_RESPONSE_BYTES, pushTimeout, 0), maxPushBytes, network);
            return new GitTools(this, real, remote, http);
        }

        private static void positive(String setting, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(setting + " must be positive, was " + value);
            }
        }
    }
}
