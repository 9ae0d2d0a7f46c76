package dev.agentrt.inference.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a text into chunks of at most {@code maxTokens} tokens (special tokens included). Chunks
 * are cut between words, preferably after a sentence end; a single word longer than the limit is
 * cut between characters. Each chunk is a verbatim slice of the text, so nothing but the
 * whitespace between chunks is lost, and every chunk's exact token count is checked.
 */
public final class TokenWindowSplitter {
    private static final Pattern WORD = Pattern.compile("\\S+");

    private final TokenCounter counter;
    private final int maxTokens;
    private final int overlapWords;

    public TokenWindowSplitter(TokenCounter counter, int maxTokens, int overlapWords) {
        this.counter = counter;
        this.maxTokens = maxTokens;
        this.overlapWords = overlapWords;
    }

    private record Span(int start, int end) {}

    public List<String> split(String text) {
        List<Span> words = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            words.add(new Span(m.start(), m.end()));
        }
        if (words.isEmpty()) {
            return List.of();
        }
        int budget = maxTokens - counter.count("");
        if (budget < 1) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + " leaves no room after the special tokens");
        }
        int[] counts = counter.countEach(slices(text, words));
        List<Span> pieces = new ArrayList<>(words.size());
        List<Integer> pieceCounts = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) {
            if (counts[i] <= budget) {
                pieces.add(words.get(i));
                pieceCounts.add(counts[i]);
            } else {
                for (Span part : cutWord(text, words.get(i), budget)) {
                    pieces.add(part);
                    pieceCounts.add(counter.count(text.substring(part.start(), part.end())) - (maxTokens - budget));
                }
            }
        }
        return pack(text, pieces, pieceCounts, budget);
    }

    private List<String> pack(String text, List<Span> pieces, List<Integer> counts, int budget) {
        List<String> chunks = new ArrayList<>();
        int n = pieces.size();
        int i = 0;
        while (i < n) {
            int j = i;
            int sum = 0;
            while (j < n && sum + counts.get(j) <= budget) {
                sum += counts.get(j);
                j++;
            }
            int end = Math.max(j, i + 1);
            if (end < n) {
                // Prefer to end after a sentence when one ends in the second half of the window.
                for (int k = end - 1; k > i + (end - i) / 2; k--) {
                    if (endsSentence(text, pieces.get(k))) {
                        end = k + 1;
                        break;
                    }
                }
            }
            // The per-piece counts add up for BERT-style tokenizers; the exact count decides.
            while (end > i + 1 && counter.count(slice(text, pieces, i, end)) > maxTokens) {
                end--;
            }
            chunks.add(slice(text, pieces, i, end));
            if (end >= n) {
                break;
            }
            i = Math.max(i + 1, end - overlapWords);
        }
        return List.copyOf(chunks);
    }

    private List<Span> cutWord(String text, Span word, int budget) {
        List<Span> parts = new ArrayList<>();
        int start = word.start();
        while (start < word.end()) {
            int lo = start + 1;
            int hi = word.end();
            // Largest end whose slice fits: a binary search over the exact count.
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (counter.count(text.substring(start, mid)) - (maxTokens - budget) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            int end = lo;
            if (end < word.end() && end > start + 1 && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            parts.add(new Span(start, end));
            start = end;
        }
        return parts;
    }

    private static boolean endsSentence(String text, Span span) {
        int k = span.end() - 1;
        while (k > span.start() && "\"')]".indexOf(text.charAt(k)) >= 0) {
            k--;
        }
        char c = text.charAt(k);
        return c == '.' || c == '!' || c == '?' || c == ';' || c == ':';
    }

    private static String slice(String text, List<Span> pieces, int from, int to) {
        return text.substring(pieces.get(from).start(), pieces.get(to - 1).end());
    }

    private static List<String> slices(String text, List<Span> spans) {
        List<String> out = new ArrayList<>(spans.size());
        for (Span s : spans) {
            out.add(text.substring(s.start(), s.end()));
        }
        return out;
    }
}
