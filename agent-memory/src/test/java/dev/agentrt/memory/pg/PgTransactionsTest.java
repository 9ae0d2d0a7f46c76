package dev.agentrt.memory.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.memory.internal.pg.PgTransactions;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The reconnect rule: repeat once on a fresh connection only when nothing can have committed. */
class PgTransactionsTest {
    private final List<String> calls = new ArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private SQLException commitFailure;
    private SQLException connectFailure;

    private final PgTransactions tx = new PgTransactions(dataSource(), "jdbc:postgresql://h/db table t", "pw-secret");

    @Test
    void aConnectionThatBreaksBeforeCommitIsReplacedOnce() {
        var attempts = new AtomicInteger();

        String result = tx.runBlocking("upsert", c -> {
            if (attempts.incrementAndGet() == 1) {
                throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
            }
            return "ok";
        });

        assertThat(result).isEqualTo("ok");
        assertThat(connections).hasValue(2);
        assertThat(calls).containsExactly("rollback 1", "close 1", "commit 2", "close 2");
    }

    @Test
    void aServerShutdownBeforeCommitIsAlsoReplaced() {
        var attempts = new AtomicInteger();

        tx.runBlocking("search", c -> {
            if (attempts.incrementAndGet() == 1) {
                throw new SQLException("terminating connection due to administrator command", "57P01");
            }
            return 1;
        });

        assertThat(attempts).hasValue(2);
    }

    @Test
    void aConnectionThatBreaksWhileCommittingIsNotRepeated() {
        commitFailure = new SQLException("An I/O error occurred while sending to the backend.", "08006");
        var attempts = new AtomicInteger();

        assertThatThrownBy(() -> tx.runBlocking("upsert", c -> attempts.incrementAndGet()))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("may or may not have been applied")
                .satisfies(e -> assertThat(((MemoryStoreException) e).isRetryable()).isTrue());
        assertThat(attempts).hasValue(1);
    }

    @Test
    void anSqlErrorIsNotRepeatedAndNotRetryable() {
        var attempts = new AtomicInteger();

        assertThatThrownBy(() -> tx.runBlocking("upsert", c -> {
            attempts.incrementAndGet();
            throw new SQLException("duplicate key value violates unique constraint", "23505");
        }))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("nothing was committed")
                .satisfies(e -> assertThat(((MemoryStoreException) e).isRetryable()).isFalse());
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aSecondBrokenConnectionEndsTheOperationWithBothFailures() {
        var attempts = new AtomicInteger();

        assertThatThrownBy(() -> tx.runBlocking("find", c -> {
            attempts.incrementAndGet();
            throw new SQLException("connection refused pw-secret", "08001");
        }))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageNotContaining("pw-secret")
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        assertThat(attempts).hasValue(2);
    }

    @Test
    void noConnectionAtAllIsNotRepeated() {
        connectFailure = new SQLException("Connection is not available, request timed out after 2000ms", "08001");

        assertThatThrownBy(() -> tx.runBlocking("find", c -> 1))
                .isInstanceOf(MemoryStoreException.class)
                .hasMessageContaining("cannot get a connection")
                .satisfies(e -> assertThat(((MemoryStoreException) e).isRetryable()).isTrue());
        assertThat(connections).hasValue(0);
    }

    private DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    if (connectFailure != null) {
                        throw connectFailure;
                    }
                    return connection(connections.incrementAndGet());
                });
    }

    private Connection connection(int n) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "setAutoCommit" -> {
                            return null;
                        }
                        case "commit" -> {
                            calls.add("commit " + n);
                            if (commitFailure != null) {
                                throw commitFailure;
                            }
                            return null;
                        }
                        case "rollback", "close" -> {
                            calls.add(method.getName() + " " + n);
                            return null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
