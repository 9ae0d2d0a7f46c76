package dev.agentrt.memory.internal.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToIntFunction;

class ChunkerTest {
    /** One token per word, as a test tokenizer. */
    private static final ToIntFunction<String> WORDS = s -> s.isBlank() ? 0 : s.strip().split("\\s+").length;

    @Test
    void aBlankTextHasNoChunks() {
        assertThat(new Chunker(WORDS, 50, 10).split("a.md", "")).isEmpty();
        assertThat(new Chunker(WORDS, 50, 10).split("a.md", " \n\n\t\n")).isEmpty();
    }

    @Test
    void sourceFilesAreCutBetweenDeclarationsKeepingDocCommentsWithTheirMethod() {
        var src = new StringBuilder("package demo;\n\nclass Demo {\n");
        for (int m = 0; m < 4; m++) {
            src.append("    /** Method ").append(m).append(" does things. */\n");
            src.append("    void method").append(m).append("() {\n");
            for (int i = 0; i < 4; i++) {
                src.append("        call(").append(m).append(", ").append(i).append(", more, words, here);\n");
            }
            src.append("    }\n");
        }
        src.append("}\n");

        List<Chunk> chunks = new Chunker(WORDS, 40, 8).split("src/Demo.java", src.toString());

        assertThat(chunks).hasSizeGreaterThan(1)
                .allSatisfy(c -> assertThat(WORDS.applyAsInt(c.text())).isLessThanOrEqualTo(40));
        for (Chunk c : chunks.subList(1, chunks.size())) {
            assertThat(c.text()).startsWith("    /** Method");
        }
        assertThat(chunks.get(0).text()).startsWith("package demo;\n\nclass Demo {\n    /** Method 0")
                .as("a small header joins the first declaration")
                .doesNotContain("method1");
        assertThat(chunks.get(1).text()).contains("void method1()").doesNotContain("method2");
        assertThat(chunks.get(1).firstLine()).isEqualTo(4 + 7);
        assertThat(covered(chunks)).isEqualTo(linesOf(src.toString()));
    }

    @Test
    void proseIsCutAtHeadingsAndParagraphsWithOverlapInsideASection() {
        String text = """
                # Install

                Run the wrapper to build the project from a clean checkout with every module.

                # Configure

                alpha beta gamma delta epsilon.
                zeta eta theta iota kappa.
                lambda mu nu xi omicron.
                pi rho sigma tau upsilon.
                phi chi psi omega one.
                two three four five six.
                seven eight nine ten eleven.
                twelve thirteen fourteen fifteen sixteen.
                """;

        List<Chunk> chunks = new Chunker(WORDS, 24, 10).split("README.md", text);

        assertThat(chunks.get(0).text()).startsWith("# Install").doesNotContain("# Configure");
        assertThat(chunks.get(1).text()).startsWith("# Configure");
        assertThat(chunks).allSatisfy(c -> assertThat(WORDS.applyAsInt(c.text())).isLessThanOrEqualTo(24));
        Chunk last = chunks.get(chunks.size() - 1);
        Chunk beforeLast = chunks.get(chunks.size() - 2);
        assertThat(last.firstLine()).as("overlap repeats the previous chunk's last two lines")
                .isEqualTo(beforeLast.lastLine() - 1);
        assertThat(last.lastLine()).isEqualTo(14);
        assertThat(chunks).extracting(Chunk::lines).containsExactly("1-3", "5-10", "9-12", "11-14");
    }

    @Test
    void aLineLongerThanAChunkIsCutBetweenWordsAndNothingIsLost() {
        var words = new ArrayList<String>();
        for (int i = 0; i < 1000; i++) {
            words.add("w" + i);
        }
        String line = String.join(" ", words);

        List<Chunk> chunks = new Chunker(WORDS, 64, 8).split("data.txt", "intro\n\n" + line + "\n");

        assertThat(chunks).allSatisfy(c -> assertThat(WORDS.applyAsInt(c.text())).isLessThanOrEqualTo(64));
        String joined = String.join(" ", chunks.stream().map(Chunk::text).toList()).replace("\n", " ");
        assertThat(joined.split(" ")).containsSubsequence(words.toArray(String[]::new));
        assertThat(chunks.get(chunks.size() - 1).lastLine()).isEqualTo(3);
    }

    @Test
    void aWordLongerThanAChunkIsCutAnywhere() {
        ToIntFunction<String> chars = String::length;
        String word = "x".repeat(100);
        List<Chunk> chunks = new Chunker(chars, 30, 0).split("blob.txt", word);
        assertThat(chunks).extracting(Chunk::text).allSatisfy(t -> assertThat(t.length()).isLessThanOrEqualTo(30));
        assertThat(String.join("", chunks.stream().map(Chunk::text).toList())).isEqualTo(word);
    }

    @Test
    void everyChunkStaysWithinTheLimitForRandomText() {
        var random = new Random(42);
        var text = new StringBuilder();
        for (int line = 0; line < 2000; line++) {
            int n = random.nextInt(random.nextInt(10) == 0 ? 120 : 12);
            for (int w = 0; w < n; w++) {
                text.append(w == 0 && random.nextInt(8) == 0 ? "public " : "").append("tok").append(w).append(' ');
            }
            text.append('\n');
        }
        for (String path : List.of("Random.java", "random.md")) {
            List<Chunk> chunks = new Chunker(WORDS, 50, 12).split(path, text.toString());
            assertThat(chunks).allSatisfy(c -> {
                assertThat(WORDS.applyAsInt(c.text())).isLessThanOrEqualTo(50);
                assertThat(c.firstLine()).isLessThanOrEqualTo(c.lastLine());
            });
            assertThat(covered(chunks)).isEqualTo(linesOf(text.toString()));
        }
    }

    @Test
    void limitsOutOfRangeAreRefused() {
        assertThatThrownBy(() -> new Chunker(WORDS, 4, 0)).hasMessageContaining("maxTokens");
        assertThatThrownBy(() -> new Chunker(WORDS, 40, 20)).hasMessageContaining("overlapTokens");
        assertThat(Chunker.isCode("a/B.java")).isTrue();
        assertThat(Chunker.isCode("docs.v2/README")).isFalse();
    }

    /** The non-blank line numbers the chunks cover. */
    private static List<Integer> covered(List<Chunk> chunks) {
        var lines = new java.util.TreeSet<Integer>();
        for (Chunk c : chunks) {
            String[] own = c.text().split("\n", -1);
            for (int i = 0; i < own.length; i++) {
                if (!own[i].isBlank()) {
                    lines.add(c.firstLine() + i);
                }
            }
        }
        return List.copyOf(lines);
    }

    private static List<Integer> linesOf(String text) {
        var lines = new ArrayList<Integer>();
        String[] all = text.split("\n", -1);
        for (int i = 0; i < all.length; i++) {
            if (!all[i].isBlank()) {
                lines.add(i + 1);
            }
        }
        return lines;
    }
}
