package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The default model's files, which the build copies from a Maven Central artifact into this module's jar: they are
 * exactly the files whose provenance the NOTICE states, and they come from this module, not from a LangChain4j
 * artifact on the class path.
 */
class DefaultModelFilesTest {
    private static final String NOTICE = "all-minilm-l6-v2-q.NOTICE.txt";
    private static final String MODEL_SHA256 = "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1";
    private static final String TOKENIZER_SHA256 = "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0";

    private final ClassLoader loader = LocalEmbeddingModel.class.getClassLoader();

    @Test
    void theModelGraphIsTheOneTheNoticeNames() throws IOException {
        assertThat(sha256(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE)).isEqualTo(MODEL_SHA256);
    }

    @Test
    void theTokenizerIsTheOneTheNoticeNames() throws IOException {
        assertThat(sha256(LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE)).isEqualTo(TOKENIZER_SHA256);
    }

    @Test
    void theNoticeStatesProvenanceLicenceAndBothDigests() throws IOException {
        String notice;
        try (InputStream in = Objects.requireNonNull(loader.getResourceAsStream(NOTICE), NOTICE)) {
            notice = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(notice).contains(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE + "            SHA-256 " + MODEL_SHA256)
                .contains(LocalEmbeddingModel.DEFAULT_TOKENIZER_RESOURCE + "  SHA-256 " + TOKENIZER_SHA256)
                .contains("sentence-transformers/all-MiniLM-L6-v2")
                .contains("Apache License, Version 2.0");
    }

    @Test
    void theFilesSitBesideThisModulesClassesAndNoLangChain4jArtifactIsOnTheClassPath() {
        URL model = loader.getResource(LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE);
        URL notice = loader.getResource(NOTICE);
        assertThat(model).isNotNull();
        assertThat(notice).isNotNull();
        String root = notice.toString().substring(0, notice.toString().length() - NOTICE.length());
        assertThat(model.toString()).isEqualTo(root + LocalEmbeddingModel.DEFAULT_MODEL_RESOURCE);
        assertThatThrownBy(() -> Class.forName(
                "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel", false,
                loader)).isInstanceOf(ClassNotFoundException.class);
    }

    private String sha256(String resource) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(
                Objects.requireNonNull(loader.getResourceAsStream(resource), resource), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
