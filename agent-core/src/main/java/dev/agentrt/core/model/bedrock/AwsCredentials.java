package dev.agentrt.core.model.bedrock;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/**
 * An AWS access key pair, with the session token of temporary credentials. Never printed: its
 * {@link #toString()} shows the key id only.
 */
record AwsCredentials(String accessKeyId, String secretAccessKey, @Nullable String sessionToken) {
    AwsCredentials {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        if (accessKeyId.isBlank() || secretAccessKey.isBlank()) {
            throw new IllegalArgumentException("an AWS access key id and secret access key must not be blank");
        }
        if (sessionToken != null && sessionToken.isBlank()) {
            sessionToken = null;
        }
    }

    @Override
    public String toString() {
        return "AwsCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=[redacted]"
                + (sessionToken == null ? "" : ", sessionToken=[redacted]") + "]";
    }
}
