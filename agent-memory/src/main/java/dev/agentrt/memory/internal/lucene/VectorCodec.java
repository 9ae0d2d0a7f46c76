package dev.agentrt.memory.internal.lucene;

import dev.agentrt.memory.LuceneOptions;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

import java.io.IOException;

/**
 * The codec the writer uses. It keeps the standard codec's name, so segments record only standard
 * format names and any Lucene 10 reader (including a plain {@code DirectoryReader}) opens them: no
 * custom codec has to be registered for reading.
 */
final class VectorCodec {
    /** Lucene's formats stop at 1024 by default; embedding models go beyond (1536, 3072). */
    static final int MAX_DIMENSIONS = 4096;

    private VectorCodec() {}

    static Codec create(LuceneOptions options) {
        KnnVectorsFormat format = switch (options.encoding()) {
            case FLOAT32 -> new Lucene99HnswVectorsFormat(options.maxConnections(), options.beamWidth());
            case INT8 ->
                new Lucene104HnswScalarQuantizedVectorsFormat(
                        ScalarEncoding.UNSIGNED_BYTE, options.maxConnections(), options.beamWidth());
        };
        KnnVectorsFormat wide = new WideVectorsFormat(format);
        return new Lucene104Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return wide;
            }
        };
    }

    /**
     * The delegate under its own name (so reading needs nothing but the delegate), allowing more
     * dimensions than Lucene's default limit. The limit is only checked while indexing.
     */
    private static final class WideVectorsFormat extends KnnVectorsFormat {
        private final KnnVectorsFormat delegate;

        WideVectorsFormat(KnnVectorsFormat delegate) {
            super(delegate.getName());
            this.delegate = delegate;
        }

        @Override
        public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
            return delegate.fieldsWriter(state);
        }

        @Override
        public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
            return delegate.fieldsReader(state);
        }

        @Override
        public int getMaxDimensions(String fieldName) {
            return MAX_DIMENSIONS;
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
