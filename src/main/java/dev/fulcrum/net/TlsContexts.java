package dev.fulcrum.net;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client TLS contexts of a node's connections to upstreams, built once for each distinct set
 * of settings and shared by every service and server that uses it (a context holds the session
 * cache, so sharing it also shares resumption).
 *
 * <p>Kong's node-wide settings are the defaults: {@code lua_ssl_trusted_certificate} (PEM files,
 * or {@code system} for the JDK's trust store), {@code lua_ssl_verify_depth}, and the client
 * certificate of {@code client_ssl} ({@code client_ssl_cert}, {@code client_ssl_cert_key}).
 */
public final class TlsContexts {
  /** Everything that makes two contexts differ. */
  private record Spec(boolean verify, int depth, boolean checkName, List<String> trusted, String cert, String key) {}

  private final List<String> trusted;
  private final int depth;
  private final String clientCert;
  private final String clientKey;
  private final Map<Spec, UpstreamTls> built = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  /**
   * @param trusted PEM files of trusted CAs, and/or {@code system}
   * @param depth how many certificates may stand between a server's and a trusted one, plus one
   *     (OpenSSL's verify depth: 1 means signed directly by a trusted CA)
   * @param clientCert PEM certificate chain presented to upstreams, or null
   * @param clientKey its PKCS#8 PEM key, or null
   */
  public TlsContexts(List<String> trusted, int depth, String clientCert, String clientKey) {
    this.trusted = List.copyOf(trusted);
    this.depth = depth;
    this.clientCert = clientCert;
    this.clientKey = clientKey;
  }

  /** What speaks TLS: BoringSSL through netty-tcnative where its native library loads, else the JDK. */
  public static String provider() {
    return OpenSsl.isAvailable() ? OpenSsl.versionString() : "the JDK's SSLEngine";
  }

  /** The JDK's trust store, Kong's default depth of 1, no client certificate. */
  public static TlsContexts defaults() {
    return new TlsContexts(List.of("system"), 1, null, null);
  }

  /**
   * A Kong service's (or an https health probe's) TLS: the server name is the Host header sent
   * upstream.
   *
   * @param verify Kong's tls_verify; null means off, as nginx's proxy_ssl_verify
   * @param verifyDepth tls_verify_depth, null for lua_ssl_verify_depth
   * @throws IllegalArgumentException when the trusted certificates or client certificate cannot be used
   */
  public UpstreamTls kong(Boolean verify, Integer verifyDepth) {
    boolean v = verify != null && verify;
    return get(new Spec(v, verifyDepth != null ? verifyDepth : depth, v, trusted, clientCert, clientKey))
        .withSni(UpstreamTls.Sni.HOST_HEADER, null);
  }

  /**
   * A haproxy.cfg server's {@code ssl}: {@code verify required} checks the chain against
   * {@code caFile}, and the name against the server name when there is one.
   *
   * @param sni how the server name is chosen
   * @param name the name for {@link UpstreamTls.Sni#FIXED}
   * @param crt a PEM file with the client certificate and its key, or null
   */
  public UpstreamTls haproxy(boolean verify, String caFile, String crt, UpstreamTls.Sni sni, String name) {
    List<String> cas = caFile == null ? List.of("system") : List.of(caFile);
    boolean checkName = verify && sni != UpstreamTls.Sni.NONE;
    // HAProxy has no depth limit of its own but OpenSSL's default of 100.
    return get(new Spec(verify, 100, checkName, cas, crt, crt)).withSni(sni, name);
  }

  private UpstreamTls get(Spec spec) {
    UpstreamTls tls = built.get(spec);
    if (tls == null) {
      tls = built.computeIfAbsent(spec, s -> new UpstreamTls(build(s), Integer.toString(ids.incrementAndGet()),
          UpstreamTls.Sni.NONE, null));
    }
    return tls;
  }

  private static SslContext build(Spec s) {
    try {
      SslContextBuilder b = SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2");
      if (s.verify()) {
        b.trustManager(new DepthLimited(trustManager(s.trusted()), s.depth()));
      } else {
        b.trustManager(InsecureTrustManagerFactory.INSTANCE);
      }
      // Netty checks the name by default; a check of the chain alone has to say so.
      b.endpointIdentificationAlgorithm(s.checkName() ? "HTTPS" : null);
      if (s.cert() != null) {
        b.keyManager(new File(s.cert()), new File(s.key()));
      }
      return b.build();
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  /** The JDK's default trust manager, or one trusting the certificates of the PEM files (and the JDK's for "system"). */
  private static X509ExtendedTrustManager trustManager(List<String> trusted) throws IOException, GeneralSecurityException {
    TrustManagerFactory system = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    system.init((KeyStore) null);
    if (trusted.equals(List.of("system"))) {
      return x509(system.getTrustManagers());
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int n = 0;
    for (String source : trusted) {
      Collection<X509Certificate> certs = new ArrayList<>();
      if (source.equals("system")) {
        certs.addAll(List.of(x509(system.getTrustManagers()).getAcceptedIssuers()));
      } else {
        certs.addAll(readCertificates(Path.of(source)));
      }
      for (X509Certificate c : certs) {
        store.setCertificateEntry("ca-" + n++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return x509(tmf.getTrustManagers());
  }

  /** Every certificate of a PEM file. */
  static List<X509Certificate> readCertificates(Path file) throws IOException, CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new CertificateException(file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
    }
    if (out.isEmpty()) {
      throw new CertificateException(file + ": no certificate in the file");
    }
    return out;
  }

  private static X509ExtendedTrustManager x509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509ExtendedTrustManager) {
        return (X509ExtendedTrustManager) m;
      }
    }
    throw new IllegalStateException("no X.509 trust manager");
  }

  /**
   * The chain check of the delegate, then OpenSSL's verify depth: at most {@code depth}
   * certificates above the server's up to and including the trusted one.
   */
  static final class DepthLimited extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final int depth;

    DepthLimited(X509ExtendedTrustManager delegate, int depth) {
      this.delegate = delegate;
      this.depth = depth;
    }

    static void checkDepth(X509Certificate[] chain, int depth) throws CertificateException {
      int n = chain.length;
      if (n > 1 && selfSigned(chain[n - 1])) {
        n--; // the root the server sent along: counted once below
      }
      int above = n - 1 + (selfSigned(chain[0]) ? 0 : 1);
      if (above > depth) {
        throw new CertificateException(
            "certificate chain too long: " + above + " certificates above the server's (verify depth " + depth + ")");
      }
    }

    private static boolean selfSigned(X509Certificate c) {
      return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
      checkDepth(chain, depth);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
      checkDepth(chain, depth);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
      checkDepth(chain, depth);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }
}
