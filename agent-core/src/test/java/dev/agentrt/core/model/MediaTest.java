package dev.agentrt.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.memory.ConversationWindow;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Base64;
import java.util.List;

class MediaTest {
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};

    @Test
    void anImageHoldsItsBytesBase64AndComparesByValue() {
        Media.Image image = Media.image("IMAGE/PNG ", PNG);

        assertThat(image.mimeType()).isEqualTo("image/png");
        assertThat(image.base64()).isEqualTo(Base64.getEncoder().encodeToString(PNG));
        assertThat(image.bytes()).containsExactly(PNG);
        assertThat(image.size()).isEqualTo(PNG.length);
        assertThat(image.dataUrlOrUrl()).isEqualTo("data:image/png;base64," + image.base64());
        assertThat(image).isEqualTo(Media.image("image/png", PNG.clone()));
        assertThat(image.toString()).isEqualTo("Image[image/png, 7 bytes]");
    }

    @Test
    void sizesAreCountedForEveryPadding() {
        for (int n = 1; n <= 7; n++) {
            assertThat(Media.audio("audio/wav", new byte[n]).size()).isEqualTo(n);
        }
    }

    @Test
    void mimeTypesOutsideTheAllowListAreRefusedNamingWhatIsAccepted() {
        assertThatThrownBy(() -> Media.image("image/svg+xml", PNG))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unsupported image MIME type \"image/svg+xml\"")
                .hasMessageContaining("image/png");
        assertThatThrownBy(() -> Media.audio("image/png", PNG))
                .hasMessageContaining("Unsupported audio MIME type");
        assertThatThrownBy(() -> Media.image("audio/wav", PNG)).hasMessageContaining("Unsupported image MIME type");
    }

    @Test
    void mediaLargerThanTheCapAreRefusedWithTheirSize() {
        assertThatThrownBy(() -> Media.image("image/png", new byte[Media.MAX_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The image is " + (Media.MAX_BYTES + 1) + " bytes, more than the " + Media.MAX_BYTES
                        + " bytes a media item may hold");
        assertThat(Media.image("image/png", new byte[Media.MAX_BYTES]).size()).isEqualTo(Media.MAX_BYTES);
    }

    @Test
    void emptyOrMalformedDataIsRefused() {
        assertThatThrownBy(() -> Media.audio("audio/wav", new byte[0])).hasMessage("The audio is empty");
        assertThatThrownBy(() -> new Media.Audio("audio/wav", "not*base64"))
                .hasMessageStartingWith("The audio data is not standard base64");
        assertThatThrownBy(() -> new Media.Image("image/png", "AQID", URI.create("https://x.test/a.png")))
                .hasMessage("An image needs exactly one of its bytes and a URL");
        assertThatThrownBy(() -> new Media.Image("image/png", null, null))
                .hasMessage("An image needs exactly one of its bytes and a URL");
    }

    @Test
    void onlyAbsoluteHttpsUrlsWithoutUserInfoAreAccepted() {
        Media.Image image = Media.image("image/jpeg", URI.create("https://img.example.com/cat.jpg"));
        assertThat(image.dataUrlOrUrl()).isEqualTo("https://img.example.com/cat.jpg");
        assertThat(image.size()).isZero();
        assertThat(image.bytes()).isNull();

        for (String bad : List.of("http://img.example.com/cat.jpg", "file:///etc/passwd", "data:image/png;base64,AQID",
                "/cat.jpg", "ftp://img.example.com/cat.jpg")) {
            assertThatThrownBy(() -> Media.image("image/jpeg", URI.create(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be an absolute https URL with a host");
        }
        assertThatThrownBy(() -> Media.image("image/jpeg", URI.create("https://user:pw@img.example.com/cat.jpg")))
                .hasMessage("An image URL must not carry user info: img.example.com");
    }

    @Test
    void existingConstructorsAndFactoriesStillMakeTextOnlyMessages() {
        assertThat(Message.user("hi")).isEqualTo(new Message.User("hi", List.of()));
        assertThat(new Message.ToolResult("c1", "t", "out", false).media()).isEmpty();
        assertThat(ToolResult.text("x").media()).isEmpty();
        assertThat(new ToolResult("x", null)).isEqualTo(new ToolResult("x", null, List.of()));
    }

    @Test
    void messagesWithMediaSurviveTheJournalJsonRoundTrip() {
        var user = Message.user("What is this?", List.of(Media.image("image/png", PNG),
                Media.image("image/webp", URI.create("https://img.example.com/a.webp")),
                Media.audio("audio/mpeg", new byte[]{9, 8, 7, 6})));
        var result = Message.toolResult(new ToolCall("c1", "shot", "{}"), "[image attached]", false,
                List.of(Media.image("image/gif", PNG)));
        List<Message> transcript = List.of(user, result);

        String json = AgentJson.writeTranscript(transcript);

        assertThat(AgentJson.readTranscript(json)).isEqualTo(transcript);
        assertThat(AgentJson.toJsonValue(user).getArray("media").orElseThrow().toJson()).isEqualTo("""
                [{"type":"image","mimeType":"image/png","data":"iVBORwECAw=="},\
                {"type":"image","mimeType":"image/webp","url":"https://img.example.com/a.webp"},\
                {"type":"audio","mimeType":"audio/mpeg","data":"CQgHBg=="}]""");
        // A journal written before media existed reads as text only, and text-only messages write no media member.
        assertThat(AgentJson.readMessage("{\"type\":\"user\",\"text\":\"hi\"}")).isEqualTo(Message.user("hi"));
        assertThat(AgentJson.write(Message.user("hi"))).isEqualTo("{\"type\":\"user\",\"text\":\"hi\"}");
    }

    @Test
    void toolResultsWithMediaSurviveTheirJsonRoundTrip() {
        var r = new ToolResult("a chart", null, List.of(Media.image("image/png", PNG)));
        assertThat(AgentJson.readToolResult(AgentJson.write(r))).isEqualTo(r);
    }

    @Test
    void journaledMediaThatNoLongerValidatesIsAParseErrorNamingThePlace() {
        assertThatThrownBy(() -> AgentJson.readMessage(
                """
                        {"type":"user","text":"x","media":[{"type":"image","mimeType":"image/png","url":"http://a.test/x"}]}"""))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("user.media[0]")
                .hasMessageContaining("https");
        assertThatThrownBy(() -> AgentJson.readMessage("""
                {"type":"user","text":"x","media":[{"type":"video","mimeType":"video/mp4","data":"AQID"}]}"""))
                .isInstanceOf(JsonParseException.class)
                .hasMessageContaining("unknown type \"video\"");
    }

    @Test
    void tokenEstimatesCountMedia() {
        int text = ConversationWindow.estimateTokens(Message.user("abcd"));
        assertThat(ConversationWindow.estimateTokens(Message.user("abcd", List.of(Media.image("image/png", PNG)))))
                .isEqualTo(text + 1_600);
        assertThat(ConversationWindow.estimateTokens(Message.user("abcd",
                List.of(Media.audio("audio/wav", new byte[50_000]))))).isEqualTo(text + 100 + 4);
    }
}
