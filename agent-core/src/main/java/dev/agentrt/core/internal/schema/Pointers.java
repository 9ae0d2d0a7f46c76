package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Keywords.describe;
import static dev.agentrt.core.internal.schema.Keywords.invalid;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.JsonValue.JsonBoolean;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Resolves a {@code $ref} such as {@code #/$defs/node}: a JSON pointer, percent-encoded as a URI fragment. */
final class Pointers {
    private Pointers() {}

    /** Follows the JSON pointer of a {@code $ref} through the document. */
    static JsonValue resolve(JsonObject document, Ref ref) {
        JsonValue current = document;
        String where = "#";
        for (String token : ref.ref.substring(2).split("/", -1)) {
            String name = unescape(percentDecode(token, ref), ref);
            JsonValue next = null;
            if (current instanceof JsonObject object) {
                next = object.get(name);
            } else if (current instanceof JsonArray array && name.matches("0|[1-9][0-9]{0,8}")
                    && Integer.parseInt(name) < array.size()) {
                next = array.get(Integer.parseInt(name));
            }
            if (next == null) {
                throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " does not resolve: " + where + " has no "
                        + quote(name));
            }
            current = next;
            where = where + "/" + token;
        }
        if (!(current instanceof JsonObject) && !(current instanceof JsonBoolean)) {
            throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " points to " + describe(current)
                    + ", not to a schema");
        }
        return current;
    }

    private static String unescape(String token, Ref ref) {
        for (int i = token.indexOf('~'); i >= 0; i = token.indexOf('~', i + 1)) {
            if (i + 1 == token.length() || (token.charAt(i + 1) != '0' && token.charAt(i + 1) != '1')) {
                throw invalid(ref.at, "\"$ref\" " + quote(ref.ref)
                        + " is not a valid JSON pointer: \"~\" must be followed by 0 or 1");
            }
        }
        return token.replace("~1", "/").replace("~0", "~");
    }

    /** A {@code $ref} is a URI fragment, so its pointer may be percent-encoded. */
    private static String percentDecode(String token, Ref ref) {
        if (token.indexOf('%') < 0) {
            return token;
        }
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        var decoded = new ByteArrayOutputStream(utf8.length);
        for (int i = 0; i < utf8.length; i++) {
            if (utf8[i] != '%') {
                decoded.write(utf8[i]);
                continue;
            }
            int high = i + 2 < utf8.length ? Character.digit(utf8[i + 1], 16) : -1;
            int low = high < 0 ? -1 : Character.digit(utf8[i + 2], 16);
            if (low < 0) {
                throw invalid(ref.at, "\"$ref\" " + quote(ref.ref) + " has an invalid percent escape");
            }
            decoded.write(high * 16 + low);
            i += 2;
        }
        return decoded.toString(StandardCharsets.UTF_8);
    }
}
