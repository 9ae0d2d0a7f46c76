package dev.agentrt.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.internal.GitignoreRules.Match;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

/**
 * Pattern semantics against what git answers. Every row was checked with {@code git check-ignore --no-index} (git
 * 2.39) on a real tree: the gitignore lines (separated by {@code ;}) at the root, the path created as a file or a
 * directory.
 */
class GitignoreRulesTest {

    @ParameterizedTest(name = "[{0}] {1} (directory: {2}) ignored: {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            # gitignore lines        | path                 | directory | ignored
            # a name without a slash matches at any depth
            *.log                    | a.log                | false     | true
            *.log                    | src/deep/a.log       | false     | true
            *.log                    | a.log.txt            | false     | false
            foo                      | foo                  | false     | true
            foo                      | a/b/foo              | true      | true
            foo                      | foobar               | false     | false
            foo                      | a/foo/bar.txt        | false     | true
            # a leading or inner slash anchors to the .gitignore's directory
            /foo                     | foo                  | false     | true
            /foo                     | a/foo                | false     | false
            a/b                      | a/b                  | false     | true
            a/b                      | x/a/b                | false     | false
            doc/*.txt                | doc/notes.txt        | false     | true
            doc/*.txt                | doc/server/arch.txt  | false     | false
            # a trailing slash matches directories only (and so everything inside them)
            build/                   | build                | true      | true
            build/                   | build                | false     | false
            build/                   | src/build            | true      | true
            build/                   | build/out.o          | false     | true
            build/                   | src/build/out.o      | false     | true
            a/build/                 | x/a/build            | true      | false
            # wildcards never match a slash
            ?.txt                    | a.txt                | false     | true
            ?.txt                    | ab.txt               | false     | false
            a?b                      | a/b                  | false     | false
            a*b                      | a/b                  | false     | false
            foo/*                    | foo/x/y              | false     | true
            foo/*                    | foo                  | true      | false
            *                        | .hidden/x            | false     | true
            # bracket expressions
            [abc].txt                | b.txt                | false     | true
            [abc].txt                | d.txt                | false     | false
            [a-c].txt                | b.txt                | false     | true
            [!a-c].txt               | d.txt                | false     | true
            [!a-c].txt               | a.txt                | false     | false
            [^a].txt                 | b.txt                | false     | true
            [[:digit:]].txt          | 7.txt                | false     | true
            [[:digit:]].txt          | x.txt                | false     | false
            []].txt                  | ].txt                | false     | true
            [ab                      | [ab                  | false     | false
            # ** as a whole leading, inner or trailing segment
            **/foo                   | foo                  | false     | true
            **/foo                   | a/b/foo              | false     | true
            **/foo/bar               | x/foo/bar            | false     | true
            **/foo/bar               | foo/bar              | false     | true
            **/foo/bar               | foo/x/bar            | false     | false
            abc/**                   | abc/x                | false     | true
            abc/**                   | abc/x/y              | false     | true
            abc/**                   | abc                  | true      | false
            a/**/b                   | a/b                  | false     | true
            a/**/b                   | a/x/b                | false     | true
            a/**/b                   | a/x/y/b              | false     | true
            a/**/b                   | a/x/c                | false     | false
            a**b                     | axyb                 | false     | true
            a**b                     | a/x/b                | false     | false
            **                       | x/y                  | false     | true
            # comments, escapes and spaces
            '#foo'                   | '#foo'               | false     | false
            '\\#foo'                 | '#foo'               | false     | true
            '\\!foo'                 | '!foo'               | false     | true
            '\\*.txt'                | '*.txt'              | false     | true
            '\\*.txt'                | a.txt                | false     | false
            'foo   '                 | foo                  | false     | true
            'foo\\ '                 | 'foo '               | false     | true
            'foo\\ '                 | foo                  | false     | false
            ' foo'                   | foo                  | false     | false
            # negation: the last matching line wins, but nothing inside an ignored directory comes back
            *.log;!keep.log          | keep.log             | false     | false
            *.log;!keep.log          | a.log                | false     | true
            !keep.log;*.log          | keep.log             | false     | true
            build/;!build/keep.txt   | build/keep.txt       | false     | true
            build/*;!build/keep.txt  | build/keep.txt       | false     | false
            /*;!/src                 | src                  | true      | false
            /*;!/src                 | src/main.c           | false     | false
            /*;!/src                 | lib                  | true      | true
            *;!*/;!*.java            | a/B.java             | false     | false
            *;!*/;!*.java            | a/b.txt              | false     | true
            """)
    void answersAsGitDoes(String lines, String path, boolean directory, boolean ignored) {
        GitignoreRules rules = GitignoreRules.of(List.of(lines.split(";", -1)));

        assertThat(rules.isIgnored(path, directory)).isEqualTo(ignored);
    }

    @Test
    void parsesTextWithAnyLineEndingAndSkipsCommentsAndBlankLines() {
        GitignoreRules rules = GitignoreRules.parse("# generated\r\n\r\n*.class\r\n!Keep.class\rtarget/\n");

        assertThat(rules.isIgnored("A.class", false)).isTrue();
        assertThat(rules.isIgnored("Keep.class", false)).isFalse();
        assertThat(rules.isIgnored("target", true)).isTrue();
        assertThat(rules.isIgnored("# generated", false)).isFalse();
    }

    @Test
    void matchReportsTheLastMatchingRuleWithoutLookingAtParentDirectories() {
        GitignoreRules rules = GitignoreRules.parse("build/\n*.tmp\n!keep.tmp\n");

        assertThat(rules.match("build/keep.tmp", false)).isEqualTo(Match.NOT_IGNORED);
        assertThat(rules.match("build/a.tmp", false)).isEqualTo(Match.IGNORED);
        assertThat(rules.match("build/a.txt", false)).isEqualTo(Match.NONE);
        assertThat(rules.match("build", true)).isEqualTo(Match.IGNORED);
    }

    @Test
    void aTrailingSlashInThePathMeansADirectory() {
        GitignoreRules rules = GitignoreRules.parse("out/\n");

        assertThat(rules.isIgnored("out/", false)).isTrue();
        assertThat(rules.isIgnored("out", false)).isFalse();
    }

    @Test
    void invalidPatternsNeverMatchAndDoNotDisturbTheOthers() {
        GitignoreRules rules = GitignoreRules.parse("foo\\\n[[:nosuchclass:]]\n*.log\n");

        assertThat(rules.isIgnored("foo\\", false)).isFalse();
        assertThat(rules.isIgnored("foo", false)).isFalse();
        assertThat(rules.isIgnored("a.log", false)).isTrue();
    }

    @Test
    void emptyRulesIgnoreNothing() {
        assertThat(GitignoreRules.parse("\n# only a comment\n   \n").isEmpty()).isTrue();
        assertThat(GitignoreRules.EMPTY.isIgnored("anything", false)).isFalse();
    }
}
