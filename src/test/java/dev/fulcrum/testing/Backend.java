package dev.fulcrum.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fulcrum.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server standing in for a real upstream. Every answer is JSON naming the
 * server and echoing what arrived; a few paths change the behaviour:
 * {@code /delay/<ms>}, {@code /status/<code>}, {@code /bytes/<n>} (a chunked body of n bytes) and
 * {@code /echo} (returns the request body).
 */
public final class Backend implements AutoCloseable {
  private final String name;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private volatile int forcedStatus;
  private volatile String lastRequestLine;
  private volatile Map<String, List<String>> lastHeaders = Map.of();
  private volatile long fixedDelayMillis;
  private final java.util.Set<Integer> clientPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Backend(String name, HttpServer server) {
    this.name = name;
    this.server = server;
  }

  public static Backend start(String name) {
    return start(name, 0);
  }

  /**
   * An HTTPS server presenting {@code tls}'s certificate; with {@code clientCa}, it asks for a
   * client certificate and accepts only one that CA issued. Answers say, under "tls", the server
   * name the client sent (SNI) and the subject of its certificate.
   */
  public static Backend startHttps(String name, javax.net.ssl.SSLContext tls, boolean needClientAuth) {
    try {
      com.sun.net.httpserver.HttpsServer s =
          com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
      s.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
        @Override
        public void configure(com.sun.net.httpserver.HttpsParameters params) {
          javax.net.ssl.SSLParameters p = tls.getDefaultSSLParameters();
          p.setNeedClientAuth(needClientAuth);
          params.setSSLParameters(p);
        }
      });
      return serve(name, s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Backend serve(String name, HttpServer s) {
    Backend b = new Backend(name, s);
    s.createContext("/", b::handle);
    s.setExecutor(b.executor);
    s.start();
    return b;
  }

  /** Connections that sent requests so far (distinct client ports). */
  public int connections() {
    return clientPorts.size();
  }

  public static Backend start(String name, int port) {
    try {
      return serve(name, HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String target() {
    return "127.0.0.1:" + port();
  }

  public String name() {
    return name;
  }

  /** Requests whose body arrived whole (a request cut short counts in hits only). */
  public int completed() {
    return completed.get();
  }

  public int hits() {
    return hits.get();
  }

  /** Answers every request with {@code status} (0 = normal behaviour again). */
  public Backend failWith(int status) {
    forcedStatus = status;
    return this;
  }

  /** Waits {@code millis} before answering every request. */
  public Backend delay(long millis) {
    fixedDelayMillis = millis;
    return this;
  }

  /**
   * Runs a backend in its own process: {@code Backend <name> <port>}. SIGTERM stops it gracefully,
   * as {@code systemctl stop nginx} does: it stops accepting and finishes what is in progress.
   */
  public static void main(String[] args) throws InterruptedException {
    Backend b = start(args[0], Integer.parseInt(args[1]));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> b.server.stop(2)));
    System.out.println("listening " + b.port());
    System.out.flush();
    Thread.currentThread().join();
  }

  /** "METHOD uri PROTOCOL" of the last request received. */
  public String lastRequestLine() {
    return lastRequestLine;
  }

  /** Headers of the last request, names lowercased. */
  public Map<String, List<String>> lastHeaders() {
    return lastHeaders;
  }

  private void handle(HttpExchange ex) throws IOException {
    hits.incrementAndGet();
    clientPorts.add(ex.getRemoteAddress().getPort());
    lastRequestLine = ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getProtocol();
    Map<String, List<String>> copy = new java.util.HashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    lastHeaders = copy;
    String path = ex.getRequestURI().getRawPath();
    byte[] requestBody;
    try (InputStream in = ex.getRequestBody()) {
      requestBody = in.readAllBytes();
    }
    completed.incrementAndGet();
    try {
      if (path.startsWith("/delay/")) {
        Thread.sleep(Long.parseLong(path.substring(7)));
      }
      if (fixedDelayMillis > 0) {
        Thread.sleep(fixedDelayMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int status = 200;
    if (path.startsWith("/status/")) {
      status = Integer.parseInt(path.substring(8));
    }
    if (forcedStatus != 0) {
      status = forcedStatus;
    }
    ex.getResponseHeaders().set("X-Backend", name);
    // ?response_header=Name:value (repeatable) adds that header to the reply.
    String query = ex.getRequestURI().getRawQuery();
    if (query != null) {
      for (String arg : query.split("&")) {
        if (arg.startsWith("response_header=")) {
          String pair = java.net.URLDecoder.decode(arg.substring(16), StandardCharsets.UTF_8);
          int colon = pair.indexOf(':');
          ex.getResponseHeaders().add(pair.substring(0, colon), pair.substring(colon + 1));
        }
      }
    }
    if (path.startsWith("/bytes/")) {
      long n = Long.parseLong(path.substring(7));
      ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
      ex.sendResponseHeaders(200, 0);
      try (OutputStream out = ex.getResponseBody()) {
        byte[] chunk = new byte[8192];
        for (int i = 0; i < chunk.length; i++) {
          chunk[i] = (byte) ('a' + i % 26);
        }
        for (long sent = 0; sent < n; sent += chunk.length) {
          out.write(chunk, 0, (int) Math.min(chunk.length, n - sent));
        }
      }
      return;
    }
    if (path.equals("/echo")) {
      ex.sendResponseHeaders(200, requestBody.length == 0 ? -1 : requestBody.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(requestBody);
      }
      return;
    }
    ObjectNode o = Json.object();
    o.put("server", name);
    o.put("method", ex.getRequestMethod());
    o.put("uri", ex.getRequestURI().toString());
    o.put("path", path);
    o.put("body_length", requestBody.length);
    if (ex instanceof com.sun.net.httpserver.HttpsExchange) {
      javax.net.ssl.SSLSession session = ((com.sun.net.httpserver.HttpsExchange) ex).getSSLSession();
      ObjectNode tls = o.putObject("tls");
      tls.put("protocol", session.getProtocol());
      if (session instanceof javax.net.ssl.ExtendedSSLSession) {
        for (javax.net.ssl.SNIServerName n : ((javax.net.ssl.ExtendedSSLSession) session).getRequestedServerNames()) {
          if (n instanceof javax.net.ssl.SNIHostName) {
            tls.put("sni", ((javax.net.ssl.SNIHostName) n).getAsciiName());
          }
        }
      }
      try {
        tls.put("client", ((java.security.cert.X509Certificate) session.getPeerCertificates()[0])
            .getSubjectX500Principal().getName());
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        // no client certificate
      }
    }
    ObjectNode headers = o.putObject("headers");
    for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
      headers.put(h.getKey().toLowerCase(Locale.ROOT), String.join(", ", h.getValue()));
    }
    byte[] body = Json.write(o).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (status == 204 || status == 304) {
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      if (!ex.getRequestMethod().equals("HEAD")) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
