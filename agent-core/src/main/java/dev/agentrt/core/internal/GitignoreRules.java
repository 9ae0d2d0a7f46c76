package dev.agentrt.core.internal;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rules of one {@code .gitignore} file (or of {@code .git/info/exclude}), with git's semantics.
 *
 * <pre>{@code
 * GitignoreRules rules = GitignoreRules.parse("build/\n*.log\n!keep.log\n");
 * rules.isIgnored("src/build/out.txt", false); // true: inside an ignored directory
 * rules.isIgnored("logs/keep.log", false);     // false: re-included by the negation
 * }</pre>
 *
 * <p>Paths are relative to the directory holding the rules and use {@code '/'} as the separator. Supported: comments,
 * blank lines, {@code !} negation (the last matching rule wins), {@code \#} and {@code \!} escapes, trailing spaces
 * trimmed unless escaped, a trailing {@code /} for directories only, anchoring by a leading or inner {@code /},
 * {@code *}, {@code ?}, bracket expressions (ranges, {@code !}/{@code ^} negation, POSIX classes) and {@code **} as a
 * whole leading, trailing or inner segment (any number of directories). Matching is case-sensitive
 * ({@code core.ignoreCase=false}). A pattern git would reject (a trailing lone backslash, an unknown POSIX class)
 * never matches.
 *
 * <p>Each pattern is compiled to a {@link Pattern} once; instances are immutable and thread-safe.
 */
public final class GitignoreRules {
    private static final Logger log = LoggerFactory.getLogger(GitignoreRules.class);

    /** Rules that match nothing. */
    public static final GitignoreRules EMPTY = new GitignoreRules(List.of());

    /** What the rules say about one path, ignoring what they say about its parent directories. */
    public enum Match {
        /** No rule matches. */
        NONE,
        /** The last matching rule ignores the path. */
        IGNORED,
        /** The last matching rule is a negation ({@code !pattern}): the path is re-included. */
        NOT_IGNORED
    }

    private final List<Rule> rules;

    private GitignoreRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Parses the text of a {@code .gitignore} file; lines may end with LF, CRLF or CR. */
    public static GitignoreRules parse(String text) {
        Objects.requireNonNull(text, "text");
        return of(text.lines().toList());
    }

    /** Parses gitignore lines, one pattern (or comment) per element. */
    public static GitignoreRules of(List<String> lines) {
        Objects.requireNonNull(lines, "lines");
        List<Rule> rules = new ArrayList<>();
        for (String line : lines) {
            Rule rule = compile(Objects.requireNonNull(line, "line"));
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules.isEmpty() ? EMPTY : new GitignoreRules(rules);
    }

    /** Whether there are no (valid) patterns. */
    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * Whether git would ignore the path: a path is ignored when one of its parent directories is ignored (a file
     * inside an ignored directory cannot be re-included), or when the last rule matching it is not a negation.
     *
     * @param relativePath path relative to the rules' directory, {@code '/'}-separated; a trailing {@code '/'} marks a
     *     directory
     * @param isDirectory whether the path names a directory (directory-only patterns match only then)
     */
    public boolean isIgnored(String relativePath, boolean isDirectory) {
        Objects.requireNonNull(relativePath, "relativePath");
        String path = relativePath;
        boolean directory = isDirectory;
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
            directory = true;
        }
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            if (match(path.substring(0, slash), true) == Match.IGNORED) {
                return true;
            }
        }
        return match(path, directory) == Match.IGNORED;
    }

    /**
     * What the last rule matching this exact path says, without looking at its parent directories; for a walker
     * that does not descend into ignored directories and combines several rule files by precedence.
     */
    public Match match(String relativePath, boolean isDirectory) {
        Objects.requireNonNull(relativePath, "relativePath");
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rule rule = rules.get(i);
            if ((isDirectory || !rule.directoryOnly()) && rule.regex().matcher(relativePath).matches()) {
                return rule.negated() ? Match.NOT_IGNORED : Match.IGNORED;
            }
        }
        return Match.NONE;
    }

    @Override
    public String toString() {
        return "GitignoreRules" + rules.stream().map(Rule::source).toList();
    }

    private record Rule(String source, Pattern regex, boolean negated, boolean directoryOnly) {}

    private static @Nullable Rule compile(String line) {
        if (line.startsWith("#")) {
            return null;
        }
        String pattern = trimTrailingSpaces(line);
        boolean negated = pattern.startsWith("!");
        if (negated) {
            pattern = pattern.substring(1);
        }
        boolean directoryOnly = pattern.endsWith("/");
        if (directoryOnly) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        // A separator at the start or in the middle anchors the pattern to the .gitignore's directory; otherwise it
        // matches the name at any depth.
        boolean anchored = pattern.indexOf('/') >= 0;
        if (pattern.startsWith("/")) {
            pattern = pattern.substring(1);
        }
        if (pattern.isEmpty()) {
            return null;
        }
        try {
            String regex = anchored ? anchoredRegex(pattern) : "(?:.*/)?" + segmentRegex(pattern);
            return new Rule(line, Pattern.compile(regex, Pattern.DOTALL), negated, directoryOnly);
        } catch (IllegalArgumentException e) { // includes PatternSyntaxException
            log.debug("Ignoring invalid gitignore pattern '{}': {}", line, e.getMessage());
            return null;
        }
    }

    /** Trailing spaces are dropped unless escaped with a backslash (git does not trim tabs). */
    private static String trimTrailingSpaces(String line) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            int backslashes = 0;
            for (int i = end - 2; i >= 0 && line.charAt(i) == '\\'; i--) {
                backslashes++;
            }
            if (backslashes % 2 == 1) {
                break;
            }
            end--;
        }
        return line.substring(0, end);
    }

    private static String anchoredRegex(String pattern) {
        String[] segments = pattern.split("/", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            if (segments[i].equals("**")) {
                // Leading "**/" and inner "/**/" match zero or more directories; a trailing "/**" matches everything
                // inside (but not the directory itself).
                regex.append(last ? ".+" : "(?:.*/)?");
            } else {
                regex.append(segmentRegex(segments[i]));
                if (!last) {
                    regex.append('/');
                }
            }
        }
        return regex.toString();
    }

    /** One path segment: wildcards never match '/', and "**" inside a segment is an ordinary "*". */
    private static String segmentRegex(String segment) {
        StringBuilder regex = new StringBuilder();
        int length = segment.length();
        for (int i = 0; i < length; i++) {
            char c = segment.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 == length) {
                        throw new IllegalArgumentException("trailing backslash");
                    }
                    appendLiteral(regex, segment.charAt(++i));
                }
                case '*' -> {
                    while (i + 1 < length && segment.charAt(i + 1) == '*') {
                        i++;
                    }
                    regex.append("[^/]*");
                }
                case '?' -> regex.append("[^/]");
                case '[' -> i = appendBracket(regex, segment, i);
                default -> appendLiteral(regex, c);
            }
        }
        return regex.toString();
    }

    /**
     * Appends a bracket expression starting at {@code open} and returns the index of its closing ']'. Git's wildmatch
     * gives up on the whole pattern when a bracket is not closed, so that is an invalid pattern here.
     */
    private static int appendBracket(StringBuilder regex, String segment, int open) {
        int i = open + 1;
        int length = segment.length();
        boolean negated = i < length && (segment.charAt(i) == '!' || segment.charAt(i) == '^');
        if (negated) {
            i++;
        }
        StringBuilder items = new StringBuilder();
        boolean first = true;
        while (i < length) {
            char c = segment.charAt(i);
            if (c == ']' && !first) {
                if (items.isEmpty()) {
                    regex.append(negated ? "[^/]" : "(?!)");
                } else {
                    regex.append(negated ? "[^/" : "[").append(items).append(']');
                }
                return i;
            }
            first = false;
            if (c == '[' && i + 1 < length && segment.charAt(i + 1) == ':') {
                int close = segment.indexOf(":]", i + 2);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed character class");
                }
                items.append(posixClass(segment.substring(i + 2, close)));
                i = close + 2;
                continue;
            }
            if (c == '\\') {
                if (i + 1 == length) {
                    throw new IllegalArgumentException("trailing backslash");
                }
                c = segment.charAt(++i);
            }
            if (i + 2 < length && segment.charAt(i + 1) == '-' && segment.charAt(i + 2) != ']') {
                int endIndex = i + 2;
                char end = segment.charAt(endIndex);
                if (end == '\\' && endIndex + 1 < length) {
                    end = segment.charAt(++endIndex);
                }
                if (c <= end) { // git: a reversed range matches nothing
                    appendClassChar(items, c);
                    items.append('-');
                    appendClassChar(items, end);
                }
                i = endIndex + 1;
                continue;
            }
            appendClassChar(items, c);
            i++;
        }
        throw new IllegalArgumentException("unclosed bracket expression");
    }

    private static String posixClass(String name) {
        return switch (name) {
            case "alnum" -> "\\p{Alnum}";
            case "alpha" -> "\\p{Alpha}";
            case "blank" -> "\\p{Blank}";
            case "cntrl" -> "\\p{Cntrl}";
            case "digit" -> "\\p{Digit}";
            case "graph" -> "\\p{Graph}";
            case "lower" -> "\\p{Lower}";
            case "print" -> "\\p{Print}";
            case "punct" -> "\\p{Punct}";
            case "space" -> "\\p{Space}";
            case "upper" -> "\\p{Upper}";
            case "xdigit" -> "\\p{XDigit}";
            default -> throw new IllegalArgumentException("unknown character class [:" + name + ":]");
        };
    }

    private static void appendLiteral(StringBuilder regex, char c) {
        // Backslash before ASCII letters or digits would change their meaning; before other ASCII it is always safe.
        if (c < 128 && !Character.isLetterOrDigit(c)) {
            regex.append('\\');
        }
        regex.append(c);
    }

    private static void appendClassChar(StringBuilder items, char c) {
        if (c < 128 && !Character.isLetterOrDigit(c)) {
            items.append('\\');
        }
        items.append(c);
    }
}
