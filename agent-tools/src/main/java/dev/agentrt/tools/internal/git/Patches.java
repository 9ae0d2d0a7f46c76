package dev.agentrt.tools.internal.git;

import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.patch.FileHeader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.util.Base85;
import org.eclipse.jgit.util.QuotedString;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * Writes one commit as a mail in {@code git format-patch} form, which {@code git am} applies: the mbox
 * {@code From} line, the author and date as mail headers, {@code [PATCH n/m]} and the subject, the rest of the
 * message, a diffstat after {@code ---}, then the diff. Binary files are written as {@code GIT binary patch}
 * literals (as {@code format-patch --binary}, git's default), so a series reproduces the commits exactly.
 */
final class Patches {
    private static final DateTimeFormatter MAIL_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z",
            Locale.ROOT);
    private static final int MAX_SLUG = 52;
    private static final int MAX_BINARY_BYTES = 64 * 1024 * 1024;

    private Patches() {}

    /** The stats of one commit's change, for the pull-request description. */
    record Stat(String path, int insertions, int deletions, boolean binary) {}

    /** The mail for {@code commit}, number {@code n} of {@code total}; its files' stats are added to {@code stats}. */
    static byte[] mail(Repository repo, ObjectReader reader, RevCommit commit, RevTree parent, int n, int total,
            int binaryThreshold, List<Stat> stats) throws IOException {
        var diff = new ByteArrayOutputStream();
        var stat = new StringBuilder();
        int files = 0;
        int insertions = 0;
        int deletions = 0;
        try (DiffFormatter f = new DiffFormatter(diff)) {
            f.setRepository(repo);
            f.setDiffComparator(RawTextComparator.DEFAULT);
            f.setDetectRenames(false);
            f.setBinaryFileThreshold(binaryThreshold);
            List<DiffEntry> entries = f.scan(parent, commit.getTree());
            for (DiffEntry e : entries) {
                FileHeader h = f.toFileHeader(e);
                String path = e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
                files++;
                if (h.getPatchType() == FileHeader.PatchType.BINARY) {
                    f.flush();
                    binary(diff, reader, e);
                    stat.append(' ').append(path).append(" | Bin\n");
                    stats.add(new Stat(path, 0, 0, true));
                } else {
                    int ins = 0;
                    int del = 0;
                    for (Edit edit : h.toEditList()) {
                        ins += edit.getLengthB();
                        del += edit.getLengthA();
                    }
                    insertions += ins;
                    deletions += del;
                    f.format(e);
                    f.flush();
                    stat.append(' ')
                            .append(path)
                            .append(" | ")
                            .append(ins + del)
                            .append(' ')
                            .append("+".repeat(Math.min(ins, 40)))
                            .append("-".repeat(Math.min(del, 40)))
                            .append('\n');
                    stats.add(new Stat(path, ins, del, false));
                }
            }
        }
        stat.append(' ').append(files).append(files == 1 ? " file changed" : " files changed");
        if (insertions > 0) {
            stat.append(", ").append(insertions).append(insertions == 1 ? " insertion(+)" : " insertions(+)");
        }
        if (deletions > 0) {
            stat.append(", ").append(deletions).append(deletions == 1 ? " deletion(-)" : " deletions(-)");
        }
        stat.append('\n');

        PersonIdent a = commit.getAuthorIdent();
        String message = commit.getFullMessage();
        String subject = commit.getShortMessage();
        String body = body(message);
        var mail = new StringBuilder();
        mail.append("From ").append(commit.name()).append(" Mon Sep 17 00:00:00 2001\n");
        mail.append("From: ").append(encodeWord(a.getName())).append(" <").append(a.getEmailAddress()).append(">\n");
        mail.append("Date: ").append(MAIL_DATE.format(a.getWhenAsInstant().atZone(a.getZoneId()))).append('\n');
        mail.append("Subject: ")
                .append(total == 1 ? "[PATCH] " : "[PATCH " + n + "/" + total + "] ")
                .append(encodeWord(subject))
                .append('\n');
        mail.append("MIME-Version: 1.0\n");
        mail.append("Content-Type: text/plain; charset=UTF-8\n");
        mail.append("Content-Transfer-Encoding: 8bit\n\n");
        if (!body.isEmpty()) {
            mail.append(body).append('\n');
        }
        mail.append("---\n").append(stat).append('\n');
        var out = new ByteArrayOutputStream();
        out.writeBytes(mail.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(diff.toByteArray());
        out.writeBytes("-- \nagentrt\n\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** The message after its first paragraph (the subject), without surrounding blank lines. */
    static String body(String message) {
        String m = message.replace("\r\n", "\n").strip();
        int end = m.indexOf("\n\n");
        return end < 0 ? "" : m.substring(end + 2).strip();
    }

    /** {@code 0001-Fix-the-parser.patch}, as git names it. */
    static String fileName(int n, String subject) {
        var slug = new StringBuilder();
        boolean dash = false;
        for (char c : subject.toCharArray()) {
            if (c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_')) {
                if (dash && !slug.isEmpty()) {
                    slug.append('-');
                }
                dash = false;
                slug.append(c);
            } else {
                dash = true;
            }
            if (slug.length() >= MAX_SLUG) {
                break;
            }
        }
        String s = slug.toString();
        while (s.endsWith(".") || s.endsWith("-")) {
            s = s.substring(0, s.length() - 1);
        }
        return String.format(Locale.ROOT, "%04d-%s.patch", n, s.isEmpty() ? "patch" : s);
    }

    /** An RFC 2047 encoded word when {@code s} is not plain printable ASCII. */
    private static String encodeWord(String s) {
        boolean plain = s.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        if (plain) {
            return s;
        }
        return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
    }

    private static void binary(ByteArrayOutputStream out, ObjectReader reader, DiffEntry e) throws IOException {
        String oldPath = e.getChangeType() == DiffEntry.ChangeType.ADD ? e.getNewPath() : e.getOldPath();
        String newPath = e.getChangeType() == DiffEntry.ChangeType.DELETE ? e.getOldPath() : e.getNewPath();
        var h = new StringBuilder();
        h.append("diff --git ")
                .append(QuotedString.GIT_PATH.quote("a/" + oldPath))
                .append(' ')
                .append(QuotedString.GIT_PATH.quote("b/" + newPath))
                .append('\n');
        FileMode oldMode = e.getOldMode();
        FileMode newMode = e.getNewMode();
        switch (e.getChangeType()) {
            case ADD -> h.append("new file mode ").append(newMode).append('\n');
            case DELETE -> h.append("deleted file mode ").append(oldMode).append('\n');
            default -> {
                if (!oldMode.equals(newMode)) {
                    h.append("old mode ").append(oldMode).append('\n').append("new mode ").append(newMode).append('\n');
                }
            }
        }
        h.append("index ").append(full(e.getOldId())).append("..").append(full(e.getNewId()));
        if (e.getChangeType() == DiffEntry.ChangeType.MODIFY && oldMode.equals(newMode)) {
            h.append(' ').append(newMode);
        }
        h.append("\nGIT binary patch\n");
        out.writeBytes(h.toString().getBytes(StandardCharsets.US_ASCII));
        literal(out, content(reader, e.getNewId()));
        literal(out, content(reader, e.getOldId()));
    }

    private static String full(AbbreviatedObjectId id) {
        ObjectId o = id.toObjectId();
        return o == null ? ObjectId.zeroId().name() : o.name();
    }

    private static byte[] content(ObjectReader reader, AbbreviatedObjectId id) throws IOException {
        ObjectId o = id.toObjectId();
        if (o == null || o.equals(ObjectId.zeroId())) {
            return new byte[0];
        }
        try {
            return reader.open(o).getCachedBytes(MAX_BINARY_BYTES);
        } catch (LargeObjectException e) {
            throw GitException.invalid("a binary file of the series is larger than " + MAX_BINARY_BYTES
                    + " bytes, too large to write as a patch");
        }
    }

    /** A {@code literal} hunk: the deflated content in base 85, 52 bytes a line, each prefixed by its length. */
    private static void literal(ByteArrayOutputStream out, byte[] content) {
        var deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(content);
        deflater.finish();
        var z = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            int k = deflater.deflate(buf);
            z.write(buf, 0, k);
        }
        deflater.end();
        byte[] data = z.toByteArray();
        out.writeBytes(("literal " + content.length + "\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < data.length; i += 52) {
            int len = Math.min(52, data.length - i);
            out.write(len <= 26 ? 'A' + len - 1 : 'a' + len - 27);
            out.writeBytes(Base85.encode(data, i, len));
            out.write('\n');
        }
        out.write('\n');
    }
}
