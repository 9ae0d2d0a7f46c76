package dev.agentrt.memory.internal.lucene;

import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.model.Embedding;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The index layout: one document per entry.
 *
 * <ul>
 *   <li>{@code key}: {@code namespace + '\0' + id}, the unique term {@code updateDocument} replaces by;
 *   <li>{@code ns}, {@code id}: stored keyword fields (namespace filter, reading back);
 *   <li>{@code vec}: the vector scaled to unit length, HNSW-indexed with {@code DOT_PRODUCT}, which on
 *       unit vectors is cosine similarity without a per-comparison norm (a zero vector stays zero);
 *   <li>{@code raw}: the vector as given (little-endian floats), returned and used for exact scores;
 *   <li>{@code text}: stored and analysed ({@link StandardAnalyzer}) for BM25;
 *   <li>{@code m.<key>}: each metadata pair as a stored keyword field, for exact filters.
 * </ul>
 */
final class EntryDocuments {
    static final String KEY = "key";
    static final String NAMESPACE = "ns";
    static final String ID = "id";
    static final String VECTOR = "vec";
    static final String RAW = "raw";
    static final String TEXT = "text";
    static final String META = "m.";
    static final VectorSimilarityFunction SIMILARITY = VectorSimilarityFunction.DOT_PRODUCT;
    static final Analyzer ANALYZER = new StandardAnalyzer();
    private static final int MAX_QUERY_TERMS = 256;

    private EntryDocuments() {}

    static Term key(String namespace, String id) {
        return new Term(KEY, namespace + '\0' + id);
    }

    static Document toDocument(String namespace, Entry entry) {
        float[] raw = entry.embedding().vector();
        var doc = new Document();
        doc.add(new StringField(KEY, namespace + '\0' + entry.id(), Field.Store.NO));
        doc.add(new StringField(NAMESPACE, namespace, Field.Store.YES));
        doc.add(new StringField(ID, entry.id(), Field.Store.YES));
        doc.add(new KnnFloatVectorField(VECTOR, unit(raw), SIMILARITY));
        doc.add(new StoredField(RAW, encode(raw)));
        doc.add(new TextField(TEXT, entry.text(), Field.Store.YES));
        for (Map.Entry<String, String> m : entry.metadata().entrySet()) {
            doc.add(new StringField(META + m.getKey(), m.getValue(), Field.Store.YES));
        }
        return doc;
    }

    static Entry toEntry(Document doc) {
        var metadata = new HashMap<String, String>();
        for (IndexableField f : doc.getFields()) {
            if (f.name().startsWith(META)) {
                metadata.put(f.name().substring(META.length()), f.stringValue());
            }
        }
        BytesRef raw = doc.getBinaryValue(RAW);
        return new Entry(doc.get(ID), Embedding.of(decode(raw)), doc.get(TEXT), metadata);
    }

    /** Namespace and every metadata pair, as non-scoring clauses. */
    static BooleanQuery filter(String namespace, Map<String, String> filter) {
        var q = new BooleanQuery.Builder().add(new TermQuery(new Term(NAMESPACE, namespace)), Occur.FILTER);
        for (Map.Entry<String, String> f : filter.entrySet()) {
            q.add(new TermQuery(new Term(META + f.getKey(), f.getValue())), Occur.FILTER);
        }
        return q.build();
    }

    /** BM25 over the text's analysed words (any of them), within {@code filter}; null when it has none. */
    static @Nullable Query text(String text, Query filter) throws IOException {
        Set<String> words = new LinkedHashSet<>();
        try (TokenStream ts = ANALYZER.tokenStream(TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken() && words.size() < MAX_QUERY_TERMS) {
                words.add(term.toString());
            }
            ts.end();
        }
        if (words.isEmpty()) {
            return null;
        }
        var q = new BooleanQuery.Builder().add(filter, Occur.FILTER);
        for (String w : words) {
            q.add(new TermQuery(new Term(TEXT, w)), Occur.SHOULD);
        }
        return q.setMinimumNumberShouldMatch(1).build();
    }

    /**
     * The first thing about {@code entry} that the index would refuse, checked before anything of a
     * batch is applied so that a bad entry leaves the batch unapplied; null if none.
     */
    static @Nullable String problem(String namespace, Entry entry, int dimensions) {
        if (entry.embedding().dimensions() != dimensions) {
            return "entry " + entry.id() + " has " + entry.embedding().dimensions()
                    + " dimensions, but this store holds vectors of " + dimensions;
        }
        for (int i = 0; i < dimensions; i++) {
            if (!Float.isFinite(entry.embedding().get(i))) {
                return "entry " + entry.id() + " has a component that is not a finite number, at index " + i;
            }
        }
        if (termTooLong(namespace + '\0' + entry.id())) {
            return "entry " + entry.id() + ": namespace and id together exceed " + IndexWriter.MAX_TERM_LENGTH
                    + " UTF-8 bytes";
        }
        for (Map.Entry<String, String> m : entry.metadata().entrySet()) {
            if (termTooLong(m.getValue())) {
                return "entry " + entry.id() + ": the value of metadata " + m.getKey() + " exceeds "
                        + IndexWriter.MAX_TERM_LENGTH + " UTF-8 bytes (metadata is for short exact-match values)";
            }
        }
        return null;
    }

    static float[] unit(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum == 0) {
            return v.clone();
        }
        double norm = Math.sqrt(sum);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }

    private static boolean termTooLong(String s) {
        return s.length() > IndexWriter.MAX_TERM_LENGTH / 3
                && s.getBytes(StandardCharsets.UTF_8).length > IndexWriter.MAX_TERM_LENGTH;
    }

    private static BytesRef encode(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return new BytesRef(buf.array());
    }

    private static float[] decode(BytesRef raw) {
        float[] v = new float[raw.length / Float.BYTES];
        ByteBuffer.wrap(raw.bytes, raw.offset, raw.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(v);
        return v;
    }
}
