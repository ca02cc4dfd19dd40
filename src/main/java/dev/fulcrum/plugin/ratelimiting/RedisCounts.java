package dev.fulcrum.plugin.ratelimiting;

import io.lettuce.core.ExpireArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * rate-limiting's {@code redis} policy: the counts in Redis, shared by every node that uses the
 * same server. Reads are one MGET; an increment is INCRBY and an EXPIRE that only sets a missing
 * expiry, sent without waiting. The connection is opened on first use and again after a failure
 * to open it; once open, Lettuce reconnects by itself.
 */
public final class RedisCounts implements Counts, AutoCloseable {
  /** What identifies a Redis server and database (the plugin's {@code config.redis}). */
  public record Server(String host, int port, int database, String username, String password, boolean ssl,
      boolean sslVerify, long timeoutMillis) {}

  private final RedisClient client;
  private final RedisURI uri;
  private CompletableFuture<StatefulRedisConnection<String, String>> connection;

  public RedisCounts(Server server) {
    RedisURI.Builder b = RedisURI.builder().withHost(server.host()).withPort(server.port())
        .withDatabase(server.database()).withTimeout(Duration.ofMillis(Math.max(1, server.timeoutMillis())))
        .withSsl(server.ssl()).withVerifyPeer(server.sslVerify());
    if (server.password() != null) {
      if (server.username() != null) {
        b.withAuthentication(server.username(), server.password());
      } else {
        b.withPassword(server.password().toCharArray());
      }
    }
    this.uri = b.build();
    this.client = RedisClient.create();
  }

  private synchronized CompletableFuture<StatefulRedisConnection<String, String>> connection() {
    if (connection == null || connection.isCompletedExceptionally()) {
      connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    }
    return connection;
  }

  @Override
  public CompletionStage<long[]> get(String[] keys) {
    List<String> asked = new ArrayList<>();
    for (String k : keys) {
      if (k != null) {
        asked.add(k);
      }
    }
    return connection().thenCompose(c -> c.async().mget(asked.toArray(String[]::new))).thenApply(values -> {
      long[] out = new long[keys.length];
      int v = 0;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != null) {
          KeyValue<String, String> kv = values.get(v++);
          out[i] = kv.hasValue() ? Long.parseLong(kv.getValue()) : 0;
        }
      }
      return out;
    });
  }

  @Override
  public void increment(String[] keys, long[] expiresAtMillis, long nowMillis) {
    connection().thenAccept(c -> {
      RedisAsyncCommands<String, String> redis = c.async();
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != null) {
          redis.incrby(keys[i], 1);
          redis.expire(keys[i], Math.max(1, (expiresAtMillis[i] - nowMillis + 999) / 1000), ExpireArgs.Builder.nx());
        }
      }
    });
  }

  @Override
  public void close() {
    client.shutdownAsync();
  }
}
