package dev.agentrt.core.model.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.internal.http.EventStreamDecoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The AWS event-stream decoder Bedrock's streamed replies go through, on messages built as AWS encodes them. */
class BedrockEventStreamTest {
    @Test
    void everyHeaderTypeDecodes() {
        var h = new ByteArrayOutputStream();
        header(h, "t", 0, new byte[0]);
        header(h, "f", 1, new byte[0]);
        header(h, "b", 2, new byte[]{-5});
        header(h, "s", 3, new byte[]{0x01, 0x02});
        header(h, "i", 4, ByteBuffer.allocate(4).putInt(-7).array());
        header(h, "l", 5, ByteBuffer.allocate(8).putLong(1L << 40).array());
        header(h, "bytes", 6, new byte[]{0, 2, 'h', 'i'});
        header(h, "str", 7, new byte[]{0, 3, 'a', (byte) 0xc3, (byte) 0xa9});
        header(h, "ts", 8, ByteBuffer.allocate(8).putLong(1_440_938_160_000L).array());
        header(h, "id", 9, ByteBuffer.allocate(16).putLong(1).putLong(2).array());
        byte[] message = ConverseWire.frame(h.toByteArray(), "{}".getBytes(StandardCharsets.UTF_8));

        List<EventStreamDecoder.Message> out = decode(message);

        assertThat(out).singleElement().satisfies(m -> {
            assertThat(m.headers()).isEqualTo(Map.of("t", "true", "f", "false", "b", "-5", "s", "258", "i", "-7",
                    "l", Long.toString(1L << 40), "bytes", "aGk=", "str", "aé", "ts", "1440938160000", "id",
                    "00000000-0000-0001-0000-000000000002"));
            assertThat(m.text()).isEqualTo("{}");
        });
    }

    @Test
    void messagesWithoutHeadersOrPayloadAndBackToBackOnesDecodeFromAnyCut() {
        byte[] empty = ConverseWire.frame(new byte[0], new byte[0]);
        assertThat(empty).hasSize(16);
        byte[] body = ConverseWire.concat(empty, ConverseWire.event("a", "{\"x\":1}"), empty);
        for (int cut = 0; cut <= body.length; cut++) {
            var decoder = new EventStreamDecoder(1024);
            var out = new ArrayList<EventStreamDecoder.Message>();
            decoder.feed(ByteBuffer.wrap(body, 0, cut), out::add);
            decoder.feed(ByteBuffer.wrap(body, cut, body.length - cut), out::add);
            assertThat(out).as("cut at %d", cut).hasSize(3);
            assertThat(out.get(1).header(":event-type")).isEqualTo("a");
            assertThat(decoder.atBoundary()).isTrue();
        }
    }

    @Test
    void impossibleLengthsAndHeadersThatOverrunTheirPartAreMalformed() {
        // A total below the 16 bytes of an empty message.
        assertThatThrownBy(() -> decode(prelude(15, 0))).isInstanceOf(EventStreamDecoder.MalformedException.class)
                .hasMessageContaining("impossible lengths");
        // Headers longer than the message.
        assertThatThrownBy(() -> decode(prelude(20, 10))).isInstanceOf(EventStreamDecoder.MalformedException.class)
                .hasMessageContaining("impossible lengths");
        // A header whose string value runs past the headers' end.
        byte[] overrun = ConverseWire.frame(new byte[]{1, 'n', 7, 0, 9, 'a'}, new byte[0]);
        assertThatThrownBy(() -> decode(overrun)).isInstanceOf(EventStreamDecoder.MalformedException.class)
                .hasMessageContaining("overrun");
        // An unknown header type.
        byte[] unknown = ConverseWire.frame(new byte[]{1, 'n', 42}, new byte[0]);
        assertThatThrownBy(() -> decode(unknown)).isInstanceOf(EventStreamDecoder.MalformedException.class)
                .hasMessageContaining("unknown type 42");
        // More than the limit.
        assertThatThrownBy(() -> decode(ConverseWire.event("a", "x".repeat(2000))))
                .isInstanceOf(EventStreamDecoder.MalformedException.class)
                .hasMessageContaining("more than the limit of 1024");
    }

    private static byte[] prelude(int total, int headers) {
        var p = ByteBuffer.allocate(12).putInt(total).putInt(headers);
        var crc = new java.util.zip.CRC32();
        crc.update(p.array(), 0, 8);
        return p.putInt((int) crc.getValue()).array();
    }

    private static List<EventStreamDecoder.Message> decode(byte[] bytes) {
        var out = new ArrayList<EventStreamDecoder.Message>();
        new EventStreamDecoder(1024).feed(ByteBuffer.wrap(bytes), out::add);
        return out;
    }

    private static void header(ByteArrayOutputStream out, String name, int type, byte[] value) {
        out.write(name.length());
        out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        out.write(type);
        out.writeBytes(value);
    }
}
