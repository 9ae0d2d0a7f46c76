package dev.agentrt.core.model.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.testing.FakeHttpServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Where BedrockChatModel finds its region and credentials: code, the AWS environment variables, the
 * shared credentials and config files. The environment is a map given to the builder and the home
 * directory a temporary one, so no test reads the real environment or the user's files; requests go
 * to a server on 127.0.0.1 named by {@code AWS_ENDPOINT_URL_BEDROCK_RUNTIME}, which checks that
 * they are signed with the credentials expected.
 */
class BedrockCredentialsTest {
    static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

    @TempDir
    Path home;

    final FakeHttpServer server = FakeHttpServer.start();
    final Map<String, String> env = new HashMap<>();

    @AfterEach
    void stop() {
        server.close();
    }

    BedrockChatModel.Builder builder() {
        env.putIfAbsent("HOME", home.toString());
        return BedrockChatModel.builder().model(MODEL).environment(name -> value(name));
    }

    private @Nullable String value(String name) {
        return env.get(name);
    }

    /** Sends one request through {@code model} and returns why its signature fails for the key pair, or null. */
    String signedWith(BedrockChatModel model, String keyId, String secret, String region) {
        server.enqueue(ConverseWire.eventStream(ConverseWire.textStream("ok", "end_turn")));
        model.stream(ChatRequest.of(Message.user("Hi"))).blockLast(Duration.ofSeconds(30));
        return ConverseWire.signatureProblem(server.lastRequest(), keyId, secret, region);
    }

    @Test
    void theEnvironmentGivesRegionKeysSessionTokenAndEndpoint() {
        env.put("AWS_REGION", "eu-west-3");
        env.put("AWS_DEFAULT_REGION", "us-west-2");
        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        env.put("AWS_SESSION_TOKEN", "env-token");
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url());

        BedrockChatModel model = builder().build();

        assertThat(model.region()).isEqualTo("eu-west-3");
        assertThat(model.baseUrl().toString()).isEqualTo(server.url());
        assertThat(signedWith(model, "AKIDENV", "env-secret", "eu-west-3")).isNull();
        assertThat(server.lastRequest().header("X-Amz-Security-Token")).isEqualTo("env-token");
    }

    @Test
    void withoutARegionVariableTheDefaultRegionAndThenTheProfilesRegionCount() throws IOException {
        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        env.put("AWS_DEFAULT_REGION", "us-west-2");
        assertThat(builder().build().region()).isEqualTo("us-west-2");
        assertThat(builder().build().baseUrl().toString()).isEqualTo("https://bedrock-runtime.us-west-2.amazonaws.com");

        env.remove("AWS_DEFAULT_REGION");
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/config"), "[default]\nregion = ap-northeast-1\n[profile work]\n"
                + "region=eu-central-1\n");
        assertThat(builder().build().region()).isEqualTo("ap-northeast-1");
        env.put("AWS_PROFILE", "work");
        assertThat(builder().build().region()).isEqualTo("eu-central-1");
        // The builder's region wins over all of them.
        assertThat(builder().region("ca-central-1").build().region()).isEqualTo("ca-central-1");
    }

    @Test
    void aCredentialsFileVariableNamingSomethingHugeIsRefusedWithoutReadingItAll() throws IOException {
        Path huge = home.resolve("huge");
        Files.write(huge, new byte[AwsSources.MAX_FILE_BYTES + 1]);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_SHARED_CREDENTIALS_FILE", huge.toString());

        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(huge.toString())
                .hasMessageContaining("larger than " + AwsSources.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void theDefaultProfileOfTheCredentialsFileInTheHomeDirectory() throws IOException {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/credentials"), """
                # a comment
                [other]
                aws_access_key_id = AKIDOTHER
                aws_secret_access_key = other-secret

                [default]
                aws_access_key_id = AKIDFILE
                aws_secret_access_key = file-secret
                s3 =
                    max_concurrent_requests = 20
                """);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url());

        assertThat(signedWith(builder().build(), "AKIDFILE", "file-secret", "us-east-1")).isNull();
    }

    @Test
    void aNamedProfileFromAnotherCredentialsFileAndTheConfigFile() throws IOException {
        Path credentials = home.resolve("creds.ini");
        Files.writeString(credentials, "[dev]\r\naws_access_key_id=AKIDDEV\r\naws_secret_access_key=dev-secret\r\n"
                + "aws_session_token=dev-token\r\n");
        Path config = home.resolve("config.ini");
        Files.writeString(config, "[profile ops]\nregion = us-west-1\naws_access_key_id = AKIDOPS\n"
                + "aws_secret_access_key = ops-secret\n");
        env.put("AWS_SHARED_CREDENTIALS_FILE", credentials.toString());
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url());
        env.put("AWS_PROFILE", "dev");
        // The environment's keys come before a profile, unless the builder names the profile.
        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");

        assertThat(signedWith(builder().build(), "AKIDENV", "env-secret", "us-east-1")).isNull();
        assertThat(signedWith(builder().profile("dev").build(), "AKIDDEV", "dev-secret", "us-east-1")).isNull();
        assertThat(server.lastRequest().header("X-Amz-Security-Token")).isEqualTo("dev-token");

        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.remove("AWS_REGION");
        env.put("AWS_PROFILE", "ops");
        BedrockChatModel ops = builder().build();
        assertThat(ops.region()).isEqualTo("us-west-1");
        assertThat(signedWith(ops, "AKIDOPS", "ops-secret", "us-west-1")).isNull();
    }

    @Test
    void missingCredentialsAreAnErrorNamingEverythingThatWasLookedFor() {
        env.put("AWS_REGION", "us-east-1");

        assertThatThrownBy(() -> builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no AWS credentials")
                .hasMessageContaining("credentials(...)")
                .hasMessageContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
                .hasMessageContaining("AWS_BEARER_TOKEN_BEDROCK")
                .hasMessageContaining("profile [default]")
                .hasMessageContaining(home.resolve(".aws").resolve("credentials").toString())
                .hasMessageContaining(home.resolve(".aws").resolve("config").toString());
    }

    @Test
    void aProfileWithoutKeysHalfAKeyPairOrNoRegionAreErrorsThatSaySo() throws IOException {
        env.put("AWS_REGION", "us-east-1");
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/config"), "[profile sso]\nsso_session = corp\n");
        assertThatThrownBy(() -> builder().profile("sso").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("profile [sso] has no aws_access_key_id and aws_secret_access_key")
                .hasMessageContaining("single sign-on");

        Files.writeString(home.resolve(".aws/credentials"), "[half]\naws_access_key_id = AKIDHALF\n");
        assertThatThrownBy(() -> builder().profile("half").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only one of aws_access_key_id and aws_secret_access_key");

        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        assertThatThrownBy(() -> builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or neither to use"
                        + " a profile");

        env.remove("AWS_REGION");
        assertThatThrownBy(() -> builder().credentials("AKID", "secret").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("region is required")
                .hasMessageContaining("AWS_REGION")
                .hasMessageContaining("AWS_DEFAULT_REGION");
    }

    @Test
    void credentialsFromTheEnvironmentAreNeverUsedForAServerTheCodePointsTo() {
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.put("AWS_SECRET_ACCESS_KEY", "env-secret");
        env.put("AWS_BEARER_TOKEN_BEDROCK", "env-bearer-token");

        assertThatThrownBy(() -> builder().baseUrl(server.url()).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no credentials for " + server.url())
                .hasMessageContaining("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
        // Explicit credentials may go anywhere; an AWS endpoint set in code may use the environment's.
        assertThat(signedWith(builder().baseUrl(server.url()).credentials("AKIDCODE", "code-secret").build(),
                "AKIDCODE", "code-secret", "us-east-1")).isNull();
        assertThat(builder().baseUrl("https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com").build())
                .isNotNull();
    }

    @Test
    void aBedrockApiKeyFromTheEnvironmentIsABearerTokenAndExplicitCredentialsWinOverIt() {
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_BEARER_TOKEN_BEDROCK", "env-bearer-token");
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url());

        server.enqueue(ConverseWire.eventStream(ConverseWire.textStream("ok", "end_turn")));
        builder().build().stream(ChatRequest.of(Message.user("Hi"))).blockLast(Duration.ofSeconds(30));
        assertThat(server.lastRequest().header("Authorization")).isEqualTo("Bearer env-bearer-token");

        assertThat(signedWith(builder().credentials("AKIDCODE", "code-secret").build(), "AKIDCODE", "code-secret",
                "us-east-1")).isNull();
        assertThatThrownBy(() -> builder().credentials("AKIDCODE", "code-secret").apiKey("key").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("set either credentials(...) or apiKey(...), not both");
    }

    @Test
    void toBuilderKeepsTheAwsSettings() {
        env.put("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", server.url());
        BedrockChatModel model = builder().region("eu-west-1").credentials("AKIDCODE", "code-secret").build();

        BedrockChatModel copy = model.toBuilder().model("anthropic.claude-3-5-haiku-20241022-v1:0").build();

        assertThat(copy.region()).isEqualTo("eu-west-1");
        assertThat(copy.modelName()).isEqualTo("anthropic.claude-3-5-haiku-20241022-v1:0");
        assertThat(signedWith(copy, "AKIDCODE", "code-secret", "eu-west-1")).isNull();
        assertThat(copy.toString()).doesNotContain("code-secret");
    }
}
