package dev.agentrt.tools.internal.web;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns an HTML page into what a model reads well: the title, the main content as Markdown
 * (headings, paragraphs, lists, quotes, code, simple tables) or plain text, and the page's http(s)
 * links numbered in order of appearance, each marked in the text as {@code text [n]}. Scripts,
 * styles, forms and embedded media are dropped; {@code <main>} or {@code <article>}, when present,
 * is read instead of the whole body. Pure and thread-safe.
 */
public final class PageReader {
    private static final Set<String> DROPPED = Set.of("script", "style", "noscript", "template", "svg", "canvas",
            "iframe", "object", "embed", "form", "button", "input", "select", "textarea", "head", "link", "meta");
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "header", "footer",
            "nav", "aside", "figure", "figcaption", "dl", "dt", "dd", "address", "details", "summary", "body");

    private PageReader() {}

    /** A read page. {@code links} are absolute URLs; link {@code n} is {@code links.get(n - 1)}. */
    public record Page(String title, String text, List<String> links) {}

    public static Page read(byte[] html, @org.jspecify.annotations.Nullable String charset, String baseUrl,
            boolean markdown, int maxLinks) {
        Document doc;
        try {
            doc = Jsoup.parse(new java.io.ByteArrayInputStream(html), charset, baseUrl);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // an in-memory stream does not fail
        }
        return read(doc, markdown, maxLinks);
    }

    static Page read(Document doc, boolean markdown, int maxLinks) {
        String title = doc.title().strip();
        Element root = doc.selectFirst("main");
        if (root == null) {
            root = doc.selectFirst("article");
        }
        if (root == null) {
            root = doc.body();
        }
        var w = new Writer(markdown, maxLinks);
        w.block(root);
        return new Page(title, w.result(), List.copyOf(w.links.keySet()));
    }

    private static final class Writer {
        final boolean markdown;
        final int maxLinks;
        final StringBuilder out = new StringBuilder(4096);
        final Map<String, Integer> links = new LinkedHashMap<>();
        int listDepth;
        int quoteDepth;

        Writer(boolean markdown, int maxLinks) {
            this.markdown = markdown;
            this.maxLinks = maxLinks;
        }

        String result() {
            return out.toString().replaceAll("[ \\t]+\\n", "\n").replaceAll("\\n{3,}", "\n\n").strip();
        }

        void block(Element e) {
            for (Node n : e.childNodes()) {
                node(n);
            }
        }

        void node(Node n) {
            if (n instanceof TextNode t) {
                text(t.text());
                return;
            }
            if (!(n instanceof Element e)) {
                return;
            }
            String tag = e.normalName();
            if (DROPPED.contains(tag) || e.hasAttr("hidden") || "true".equals(e.attr("aria-hidden"))) {
                return;
            }
            switch (tag) {
                case "h1", "h2", "h3", "h4", "h5", "h6" -> {
                    paragraph();
                    if (markdown) {
                        out.append("#".repeat(tag.charAt(1) - '0')).append(' ');
                    }
                    inline(e);
                    paragraph();
                }
                case "br" -> newline();
                case "hr" -> {
                    paragraph();
                    out.append(markdown ? "---" : "");
                    paragraph();
                }
                case "ul", "ol" -> {
                    paragraph();
                    listDepth++;
                    int i = 1;
                    for (Element li : e.children()) {
                        if (!li.normalName().equals("li")) {
                            block(li);
                            continue;
                        }
                        newline();
                        out.append("  ".repeat(listDepth - 1)).append(tag.equals("ol") ? i++ + ". " : "- ");
                        block(li);
                    }
                    listDepth--;
                    paragraph();
                }
                case "li" -> {
                    newline();
                    out.append("- ");
                    block(e);
                }
                case "pre" -> {
                    paragraph();
                    out.append(markdown ? "```\n" : "").append(e.wholeText().strip()).append(markdown ? "\n```" : "");
                    paragraph();
                }
                case "blockquote" -> {
                    paragraph();
                    quoteDepth++;
                    out.append(markdown ? "> " : "");
                    block(e);
                    quoteDepth--;
                    paragraph();
                }
                case "table" -> table(e);
                case "a" -> link(e);
                case "img" -> {
                    String alt = e.attr("alt").strip();
                    if (!alt.isEmpty()) {
                        text(markdown ? "[image: " + alt + "]" : alt);
                    }
                }
                case "code", "kbd", "samp" -> wrap(e, markdown ? "`" : "");
                case "strong", "b" -> wrap(e, markdown ? "**" : "");
                case "em", "i" -> wrap(e, markdown ? "*" : "");
                default -> {
                    if (BLOCKS.contains(tag)) {
                        paragraph();
                        block(e);
                        paragraph();
                    } else {
                        block(e);
                    }
                }
            }
        }

        void inline(Element e) {
            block(e);
        }

        void wrap(Element e, String mark) {
            String inner = e.text().strip();
            if (!inner.isEmpty()) {
                text(mark + inner + mark);
            }
        }

        void link(Element a) {
            String href = a.absUrl("href");
            String scheme = href.length() > 8 ? href.substring(0, href.indexOf(':') + 1).toLowerCase(Locale.ROOT) : "";
            int hash = href.indexOf('#');
            String target = hash >= 0 ? href.substring(0, hash) : href;
            if (!(scheme.equals("http:") || scheme.equals("https:")) || target.isEmpty()) {
                block(a);
                return;
            }
            Integer number = links.get(target);
            if (number == null && links.size() < maxLinks) {
                number = links.size() + 1;
                links.put(target, number);
            }
            block(a);
            if (number != null) {
                out.append(" [").append(number).append(']');
            }
        }

        void table(Element table) {
            paragraph();
            boolean first = true;
            for (Element row : table.select("tr")) {
                var cells = new ArrayList<String>();
                for (Element cell : row.children()) {
                    if (cell.normalName().equals("td") || cell.normalName().equals("th")) {
                        cells.add(cell.text().strip().replace("|", "\\|"));
                    }
                }
                if (cells.isEmpty()) {
                    continue;
                }
                newline();
                if (markdown) {
                    out.append("| ").append(String.join(" | ", cells)).append(" |");
                    if (first) {
                        out.append("\n|").append(" --- |".repeat(cells.size()));
                    }
                } else {
                    out.append(String.join("\t", cells));
                }
                first = false;
            }
            paragraph();
        }

        void text(String s) {
            if (s.isBlank()) {
                if (!out.isEmpty() && !Character.isWhitespace(out.charAt(out.length() - 1))) {
                    out.append(' ');
                }
                return;
            }
            String collapsed = s.replaceAll("\\s+", " ");
            int n = out.length();
            if (n == 0 || out.charAt(n - 1) == '\n' || (out.charAt(n - 1) == ' ' && n > 1
                    && out.charAt(n - 2) == '\n')) {
                collapsed = collapsed.stripLeading();
            } else if (out.charAt(n - 1) == ' ' && collapsed.startsWith(" ")) {
                collapsed = collapsed.substring(1);
            }
            out.append(collapsed);
        }

        void newline() {
            trimTrailingSpaces();
            if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            if (quoteDepth > 0 && markdown) {
                out.append("> ".repeat(quoteDepth));
            }
        }

        void paragraph() {
            trimTrailingSpaces();
            if (out.isEmpty()) {
                return;
            }
            if (out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append('\n');
            if (quoteDepth > 0 && markdown) {
                out.append("> ".repeat(quoteDepth));
            }
        }

        void trimTrailingSpaces() {
            int n = out.length();
            while (n > 0 && out.charAt(n - 1) == ' ') {
                n--;
            }
            out.setLength(n);
        }
    }
}
