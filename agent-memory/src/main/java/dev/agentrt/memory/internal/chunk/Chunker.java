package dev.agentrt.memory.internal.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Splits a document into chunks of at most {@code maxTokens} tokens, cut where the text has natural seams: for
 * source files between declarations and at blank lines, for prose at headings and between paragraphs. A chunk that
 * does not start at a heading or declaration repeats the last lines of the previous chunk (up to
 * {@code overlapTokens}) so that a passage cut in two can still be found whole. A block too long for one chunk is cut
 * between lines, and a line too long between words (or anywhere, for a word longer than a chunk). Nothing of the text
 * is dropped except line ends and the blank lines at a chunk's edges.
 *
 * <p>Token counts come from the embedding model; a chunk is measured whole before it is returned, so the limit holds
 * even where the sum of its blocks' counts would not.
 */
public final class Chunker {
    private static final Set<String> CODE_EXTENSIONS = Set.of("java", "kt", "kts", "scala", "groovy", "py", "js",
            "mjs", "cjs", "ts", "tsx", "jsx", "go", "rs", "c", "h", "cc", "cpp", "hpp", "cs", "rb", "php", "swift",
            "m", "sh", "bash", "sql", "lua", "dart", "zig", "proto", "gradle");

    // A line that starts a top-level or member declaration (indented at most one level).
    private static final Pattern DECLARATION = Pattern
            .compile("^(?: {0,4}|\\t?)(?:@[A-Za-z]|(?:public|protected|private"
                    + "|static|final|abstract|sealed|non-sealed|default|synchronized|native|class|interface|enum|record|def"
                    + "|async|fn|pub|func|function|export|impl|struct|trait|type|const|module|package|object|val|var|let"
                    + "|fun|override|suspend|internal|data|namespace|template|typedef|CREATE|create)\\b)");
    // A doc comment at the top level or one level in: the declaration under it starts where the comment does.
    private static final Pattern DOC_COMMENT = Pattern.compile("^(?: {0,4}|\\t?)/\\*\\*");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s");
    private static final Pattern COMMENT_OR_ANNOTATION = Pattern.compile("^\\s*(?:/\\*|\\*|//|#|@|--|\"\"\")");

    private final ToIntFunction<String> tokens;
    private final int maxTokens;
    private final int overlapTokens;

    /**
     * @param tokens counts the tokens of a text as the embedding model would
     * @param maxTokens the most tokens of one chunk; at least 8
     * @param overlapTokens the most tokens a chunk repeats from the one before; less than half of {@code maxTokens}
     */
    public Chunker(ToIntFunction<String> tokens, int maxTokens, int overlapTokens) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        if (maxTokens < 8) {
            throw new IllegalArgumentException("maxTokens must be at least 8, was " + maxTokens);
        }
        if (overlapTokens < 0 || overlapTokens * 2 >= maxTokens) {
            throw new IllegalArgumentException(
                    "overlapTokens must be between 0 and half of maxTokens (" + maxTokens + "), was " + overlapTokens);
        }
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
    }

    /** Whether {@code path} names a source file, split at declarations rather than at headings. */
    public static boolean isCode(String path) {
        int dot = path.lastIndexOf('.');
        return dot >= 0 && dot > path.lastIndexOf('/')
                && CODE_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The chunks of {@code text}, in order; none for a blank text. */
    public List<Chunk> split(String path, String text) {
        String[] lines = text.split("\r?\n|\r", -1);
        List<Block> blocks = blocks(lines, isCode(path) ? DECLARATION : HEADING);
        List<Chunk> out = new ArrayList<>();
        List<Line> current = new ArrayList<>();
        int currentTokens = 0;
        for (Block block : blocks) {
            int blockTokens = tokens.applyAsInt(block.text(lines));
            boolean fits = currentTokens + blockTokens <= maxTokens;
            boolean seam = block.section && currentTokens >= maxTokens / 3;
            // A block too long for any chunk is packed line by line after what is already there.
            if (!current.isEmpty() && ((!fits && blockTokens <= maxTokens) || seam)) {
                emit(current, out);
                current = block.section ? new ArrayList<>() : overlap(current);
                currentTokens = current.isEmpty() ? 0 : tokens.applyAsInt(join(current));
                if (currentTokens + blockTokens > maxTokens) {
                    current.clear();
                    currentTokens = 0;
                }
            }
            if (blockTokens > maxTokens) {
                for (Line line : block.lines(lines)) {
                    int lineTokens = tokens.applyAsInt(line.text);
                    if (!current.isEmpty() && currentTokens + lineTokens > maxTokens) {
                        emit(current, out);
                        current = overlap(current);
                        currentTokens = current.isEmpty() ? 0 : tokens.applyAsInt(join(current));
                        if (currentTokens + lineTokens > maxTokens) {
                            current.clear();
                            currentTokens = 0;
                        }
                    }
                    current.add(line);
                    currentTokens += lineTokens;
                }
            } else {
                current.addAll(block.lines(lines));
                currentTokens += blockTokens;
            }
        }
        emit(current, out);
        return out;
    }

    /** Adds the lines as one or more chunks, each measured whole and cut further while it is over the limit. */
    private void emit(List<Line> lines, List<Chunk> out) {
        int first = 0;
        int last = lines.size() - 1;
        while (first <= last && lines.get(first).text.isBlank()) {
            first++;
        }
        while (last >= first && lines.get(last).text.isBlank()) {
            last--;
        }
        if (first > last) {
            return;
        }
        List<Line> kept = lines.subList(first, last + 1);
        String text = join(kept);
        if (tokens.applyAsInt(text) <= maxTokens) {
            out.add(new Chunk(text, kept.get(0).number, kept.get(kept.size() - 1).number));
        } else if (kept.size() > 1) {
            int half = kept.size() / 2;
            emit(new ArrayList<>(kept.subList(0, half)), out);
            emit(new ArrayList<>(kept.subList(half, kept.size())), out);
        } else {
            int number = kept.get(0).number;
            for (String piece : cutLine(text)) {
                out.add(new Chunk(piece, number, number));
            }
        }
    }

    /** Cuts one over-long line into pieces within the limit, between words where it can. */
    private List<String> cutLine(String line) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < line.length()) {
            int low = start + 1;
            int high = line.length();
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (tokens.applyAsInt(line.substring(start, mid)) <= maxTokens) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            int end = low;
            if (end < line.length()) {
                int space = line.lastIndexOf(' ', end - 1);
                if (space > start) {
                    end = space + 1;
                }
                if (Character.isHighSurrogate(line.charAt(end - 1)) && end - 1 > start) {
                    end--;
                }
            }
            String piece = line.substring(start, end).strip();
            if (!piece.isEmpty()) {
                pieces.add(piece);
            }
            start = end;
        }
        return pieces;
    }

    /** The trailing lines of a chunk, up to the overlap budget, that the next chunk starts with. */
    private List<Line> overlap(List<Line> previous) {
        List<Line> tail = new ArrayList<>();
        if (overlapTokens == 0) {
            return tail;
        }
        int used = 0;
        for (int i = previous.size() - 1; i >= 0; i--) {
            Line line = previous.get(i);
            int lineTokens = tokens.applyAsInt(line.text);
            if (used + lineTokens > overlapTokens) {
                break;
            }
            tail.add(0, line);
            used += lineTokens;
        }
        return tail;
    }

    /**
     * Groups lines into blocks: a block starts after a blank line, and at a section start (a heading, or a
     * declaration not directly under a comment or annotation that belongs to it). Blank lines stay with the block
     * before them.
     */
    private static List<Block> blocks(String[] lines, Pattern sectionStart) {
        List<Block> blocks = new ArrayList<>();
        int start = 0;
        boolean section = false;
        for (int i = 1; i <= lines.length; i++) {
            boolean boundary = i == lines.length;
            boolean startsSection = false;
            if (!boundary && !lines[i].isBlank()) {
                boolean afterBlank = lines[i - 1].isBlank();
                boolean declaration = sectionStart.matcher(lines[i]).find()
                        || (sectionStart == DECLARATION && DOC_COMMENT.matcher(lines[i]).find());
                startsSection = declaration && (afterBlank || !COMMENT_OR_ANNOTATION.matcher(lines[i - 1]).find());
                boundary = afterBlank || startsSection;
            }
            if (boundary) {
                blocks.add(new Block(start, i, section));
                start = i;
                section = startsSection;
            }
        }
        return blocks;
    }

    private static String join(List<Line> lines) {
        var sb = new StringBuilder();
        for (Line line : lines) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(line.text);
        }
        return sb.toString();
    }

    private record Line(String text, int number) {}

    private record Block(int from, int to, boolean section) {
        String text(String[] lines) {
            return String.join("\n", java.util.Arrays.asList(lines).subList(from, to));
        }

        List<Line> lines(String[] lines) {
            List<Line> out = new ArrayList<>(to - from);
            for (int i = from; i < to; i++) {
                out.add(new Line(lines[i], i + 1));
            }
            return out;
        }
    }
}
