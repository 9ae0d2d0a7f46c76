package dev.agentrt.core.model.bedrock;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Where AWS settings come from, as the AWS SDKs and CLI read them: the environment variables
 * {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN},
 * {@code AWS_REGION}, {@code AWS_DEFAULT_REGION} and {@code AWS_PROFILE}, and the shared files
 * {@code ~/.aws/credentials} ({@code AWS_SHARED_CREDENTIALS_FILE}) and {@code ~/.aws/config}
 * ({@code AWS_CONFIG_FILE}), in which a profile holds static keys and a region. The home directory
 * is {@code HOME} (or {@code USERPROFILE}) of the same environment, so a lookup given for tests
 * reaches no file of the real user. The files are read when asked, once per model build.
 */
final class AwsSources {
    /** The largest credentials or config file read (real ones are a few kilobytes). */
    static final int MAX_FILE_BYTES = 1 << 20;

    private final Function<String, @Nullable String> env;

    /** @param env the environment: a variable's value, or null when unset or blank */
    AwsSources(Function<String, @Nullable String> env) {
        this.env = env;
    }

    @Nullable
    String env(String name) {
        return env.apply(name);
    }

    /** The profile to read: the one named in code, else {@code AWS_PROFILE}, else {@code default}. */
    String profile(@Nullable String named) {
        if (named != null) {
            return named;
        }
        String fromEnv = env("AWS_PROFILE");
        return fromEnv != null ? fromEnv : "default";
    }

    /** Keys from {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, or null when neither is set. */
    @Nullable
    AwsCredentials fromEnvironment() {
        String id = env("AWS_ACCESS_KEY_ID");
        String secret = env("AWS_SECRET_ACCESS_KEY");
        if (id == null && secret == null) {
            return null;
        }
        if (id == null || secret == null) {
            throw new IllegalArgumentException((id == null ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")
                    + " is set but " + (id == null ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")
                    + " is not: set both, or neither to use a profile");
        }
        return new AwsCredentials(id, secret, env("AWS_SESSION_TOKEN"));
    }

    /**
     * The static keys of {@code profile} in the credentials file, else in the config file; null when
     * neither file has the profile.
     *
     * @throws IllegalArgumentException for a profile without usable keys, or a file that cannot be read
     */
    @Nullable
    AwsCredentials fromProfile(String profile) {
        for (Path file : filesOf(credentialsFile(), configFile())) {
            Map<String, String> section = section(file, profile, file.equals(configFile()));
            if (section == null) {
                continue;
            }
            String id = section.get("aws_access_key_id");
            String secret = section.get("aws_secret_access_key");
            if (id != null && secret != null) {
                return new AwsCredentials(id, secret, section.get("aws_session_token"));
            }
            if (id != null || secret != null) {
                throw new IllegalArgumentException("profile [" + profile + "] in " + file
                        + " has only one of aws_access_key_id and aws_secret_access_key");
            }
        }
        return null;
    }

    /** The {@code region} of {@code profile} in the config file (or the credentials file), or null. */
    @Nullable
    String profileRegion(String profile) {
        for (Path file : filesOf(configFile(), credentialsFile())) {
            Map<String, String> section = section(file, profile, file.equals(configFile()));
            if (section != null && section.get("region") != null) {
                return section.get("region");
            }
        }
        return null;
    }

    /** The shared credentials file, or null when no home directory is known. */
    @Nullable
    Path credentialsFile() {
        return file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
    }

    /** The shared config file, or null when no home directory is known. */
    @Nullable
    Path configFile() {
        return file("AWS_CONFIG_FILE", "config");
    }

    private @Nullable Path file(String variable, String name) {
        String named = env(variable);
        String home = env("HOME");
        if (home == null) {
            home = env("USERPROFILE");
        }
        if (named != null) {
            if (home != null && (named.equals("~") || named.startsWith("~/") || named.startsWith("~\\"))) {
                return Path.of(home + named.substring(1));
            }
            return Path.of(named);
        }
        return home == null ? null : Path.of(home, ".aws", name);
    }

    private static List<Path> filesOf(@Nullable Path first, @Nullable Path second) {
        var files = new ArrayList<Path>(2);
        if (first != null) {
            files.add(first);
        }
        if (second != null && !second.equals(first)) {
            files.add(second);
        }
        return files;
    }

    /**
     * The keys of a profile's section, or null when the file or the section is missing. In the config
     * file a profile other than {@code default} is headed {@code [profile name]}.
     */
    private static @Nullable Map<String, String> section(Path file, String profile, boolean config) {
        String text;
        // Opened once and read to a bound: a variable may name any file (a device, a huge log).
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("the AWS file " + file + " is larger than " + MAX_FILE_BYTES
                        + " bytes: not a credentials or config file");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException missing) {
            return null;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("could not read the AWS file " + file + ": " + e.getMessage(), e);
        }
        Map<String, Map<String, String>> sections = parse(text);
        Map<String, String> found = null;
        if (config) {
            found = sections.get("profile " + profile);
            if (found == null && profile.equals("default")) {
                found = sections.get("default");
            }
        } else {
            found = sections.get(profile);
        }
        return found;
    }

    /**
     * The sections of an AWS INI file: {@code [name]} headers, {@code key = value} lines, comments
     * after {@code #} or {@code ;} at a line's start, indented lines (nested settings) skipped. Keys
     * are lower-cased; the first section of a name and the last value of a key count.
     */
    static Map<String, Map<String, String>> parse(String text) {
        var sections = new LinkedHashMap<String, Map<String, String>>();
        Map<String, String> current = null;
        for (String raw : text.split("\r?\n|\r")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                String name = line.substring(1, line.length() - 1).strip().replaceAll("\\s+", " ");
                current = sections.containsKey(name) ? null : new LinkedHashMap<>();
                if (current != null) {
                    sections.put(name, current);
                }
                continue;
            }
            if (current == null || Character.isWhitespace(raw.charAt(0))) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq > 0) {
                String value = line.substring(eq + 1).strip();
                if (!value.isEmpty()) {
                    current.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), value);
                }
            }
        }
        return sections;
    }
}
