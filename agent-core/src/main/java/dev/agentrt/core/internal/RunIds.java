package dev.agentrt.core.internal;

import java.security.DrbgParameters;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Unguessable ids (run ids, lease owners) drawn without blocking: {@link UUID#randomUUID()} reads
 * {@code /dev/urandom} on each call (file I/O, which a Netty event loop or a Reactor parallel thread must not do, and
 * which BlockHound reports), whereas a DRBG reads the system's entropy only when it is seeded. {@link #warm()} seeds
 * it, so that the first id is not drawn on a non-blocking thread either; {@code Agent} calls it when it is built.
 * Thread-safe.
 */
public final class RunIds {
    private RunIds() {}

    private static final class Holder {
        static final SecureRandom RANDOM = seeded();

        private static SecureRandom seeded() {
            SecureRandom random;
            try {
                random = SecureRandom.getInstance("DRBG",
                        DrbgParameters.instantiation(256, DrbgParameters.Capability.RESEED_ONLY, null));
            } catch (NoSuchAlgorithmException e) {
                random = new SecureRandom();
            }
            // A DRBG is instantiated (and reads its seed) on first use: here, not on whichever thread asks first.
            random.nextBytes(new byte[16]);
            return random;
        }
    }

    /** Seeds the generator now, on the calling (blocking-allowed) thread, if it is not seeded yet. */
    public static void warm() {
        Holder.RANDOM.getAlgorithm();
    }

    /** A random (version 4) UUID from the seeded generator, as {@link UUID#randomUUID()} would make. */
    public static UUID uuid() {
        byte[] b = new byte[16];
        Holder.RANDOM.nextBytes(b);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40);
        b[8] = (byte) ((b[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (b[i] & 0xff);
            lsb = (lsb << 8) | (b[i + 8] & 0xff);
        }
        return new UUID(msb, lsb);
    }
}
