package dev.agentrt.inference.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * Feeds a {@link TokenBatch} to a sentence-transformer ONNX graph and mean-pools its token
 * embeddings. Stateless, so one instance serves every predictor.
 */
public final class EmbeddingTranslator implements Translator<TokenBatch, float[][]> {
    /** Input names a BERT-style graph exports, in the spelling of the Hugging Face exporters. */
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";

    private static final List<String> TOKEN_OUTPUTS = List.of("last_hidden_state", "token_embeddings");

    private final List<String> inputNames;

    /** {@code inputNames}: the graph's inputs, each one of the three names above. */
    public EmbeddingTranslator(List<String> inputNames) {
        for (String name : inputNames) {
            if (!name.equals(INPUT_IDS) && !name.equals(ATTENTION_MASK) && !name.equals(TOKEN_TYPE_IDS)) {
                throw new IllegalArgumentException("the ONNX model has an input this runtime cannot feed: '" + name
                        + "' (supported: " + INPUT_IDS + ", " + ATTENTION_MASK + ", " + TOKEN_TYPE_IDS + ")");
            }
        }
        if (!inputNames.contains(INPUT_IDS)) {
            throw new IllegalArgumentException("the ONNX model has no '" + INPUT_IDS + "' input: " + inputNames);
        }
        this.inputNames = List.copyOf(inputNames);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, TokenBatch input) {
        NDManager manager = ctx.getNDManager();
        NDList list = new NDList(inputNames.size());
        for (String name : inputNames) {
            long[][] data = switch (name) {
                case INPUT_IDS -> input.ids();
                case ATTENTION_MASK -> input.attentionMask();
                default -> input.typeIds();
            };
            NDArray array = manager.create(data);
            array.setName(name);
            list.add(array);
        }
        ctx.setAttachment("batch", input);
        return list;
    }

    @Override
    public float[][] processOutput(TranslatorContext ctx, NDList outputs) {
        TokenBatch batch = (TokenBatch) ctx.getAttachment("batch");
        NDArray hidden = tokenEmbeddings(outputs);
        long[] shape = hidden.getShape().getShape();
        if (shape.length != 3 || shape[0] != batch.size() || shape[1] != batch.sequence()) {
            throw new IllegalStateException("unexpected token embedding shape " + hidden.getShape() + " for a batch of "
                    + batch.size() + " x " + batch.sequence() + " tokens");
        }
        return MeanPooling.pool(hidden.toFloatArray(), batch.attentionMask(), batch.sequence(), (int) shape[2]);
    }

    private static NDArray tokenEmbeddings(NDList outputs) {
        for (String name : TOKEN_OUTPUTS) {
            @Nullable
            NDArray named = outputs.get(name);
            if (named != null) {
                return named;
            }
        }
        for (NDArray output : outputs) {
            if (output.getShape().dimension() == 3) {
                return output;
            }
        }
        throw new IllegalStateException("the ONNX model has no [batch, sequence, dimensions] token output");
    }

    @Override
    public @Nullable Batchifier getBatchifier() {
        // Each input is already a whole batch.
        return null;
    }
}
